#pragma once

// The findings the lint driver makes itself: from a rule's hit, for statements the grammar
// rejected; and the order findings are reported in.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "analyzer/engine/rule_set.hpp"
#include "analyzer/model/finding.hpp"
#include "analyzer/sql/file_model.hpp"
#include "analyzer/text/source_file.hpp"

namespace miglint {

Finding make_finding(const SourceFile& source, const Rule& rule, ByteSpan span, std::string message,
                     std::string help, int64_t statement_index);

// Reports statements the 17 grammar rejected, as syntax errors or as valid newer syntax (a note that
// says whether a PostgreSQL 17 stand-in was checked in its place: analyzer/sql/newer_syntax.hpp).
// The words of such a note that say a stand-in was checked (`miglint locks` shows its locks then).
inline constexpr std::string_view kCheckedAsStandIn = "it was checked as";
void report_parse_problems(const FileModel& model, const RuleSet& rules, std::vector<Finding>& findings);

// By position, then rule id and message.
void sort_findings(std::vector<Finding>& findings);

}  // namespace miglint
