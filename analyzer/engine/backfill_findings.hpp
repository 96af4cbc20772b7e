#pragma once

// `-- miglint-backfill` directives in a lint: the statements they batch count as batched
// (unbatched-update and unbatched-delete findings on them are dropped), and what the runner would
// refuse is reported as `malformed-backfill` (the comment malformed or batching no UPDATE/DELETE, a
// statement that cannot be batched by its key, a statement that is not a backfill after one).
#include <cstdint>
#include <string>
#include <vector>

#include "analyzer/engine/rule_set.hpp"
#include "analyzer/model/finding.hpp"
#include "analyzer/sql/file_model.hpp"

namespace miglint {

// Called with the rules' findings, before ignores apply. Costs a search for a file without directives.
void report_backfill_directives(const FileModel& model, const RuleSet& rules, std::vector<Finding>& findings);

}  // namespace miglint
