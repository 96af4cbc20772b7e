#pragma once

// The findings the lint driver makes itself: from a rule's hit, for statements the grammar
// rejected; and the order findings are reported in.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "analyzer/engine/rule_set.hpp"
#include "analyzer/model/finding.hpp"
#include "analyzer/model/token_hazards.hpp"
#include "analyzer/sql/file_model.hpp"
#include "analyzer/text/source_file.hpp"

namespace miglint {

Finding make_finding(const SourceFile& source, const Rule& rule, ByteSpan span, std::string message,
                     std::string help, int64_t statement_index);

// Reports statements the 17 grammar rejected, as syntax errors or as valid newer syntax.
void report_parse_problems(const FileModel& model, const RuleSet& rules, std::vector<Finding>& findings);

// What is known of each statement the 17 grammar rejected but newer PostgreSQL accepts, from its
// tokens (analyzer/model/token_hazards.hpp), in the order of the file's problems; nothing for the
// others (a syntax error, or newer syntax whose tokens say nothing).
std::vector<std::optional<TokenHazard>> parse_problem_hazards(const FileModel& model);

// The hazards among them (REPACK without CONCURRENTLY: table-rewrite), reported by their rule when it
// is enabled, unless the table was created earlier in the file.
void report_token_hazards(const FileModel& model, const RuleSet& rules, std::vector<Finding>& findings);

// By position, then rule id and message.
void sort_findings(std::vector<Finding>& findings);

}  // namespace miglint
