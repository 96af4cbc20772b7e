#pragma once

// Ignore comments (`-- miglint-ignore rule -- reason`, `miglint-ignore-file`): which findings they
// silence, and the unused-ignore findings about comments that name unknown rules or silence nothing.
#include <vector>

#include "analyzer/engine/rule_set.hpp"
#include "analyzer/model/finding.hpp"
#include "analyzer/sql/file_model.hpp"

namespace miglint {

// Marks the findings the file's ignore comments silence (suppressed, with the comment's reason) and
// adds the unused-ignore findings; marks each comment's names as used.
void apply_ignores(FileModel& model, const RuleSet& rules, std::vector<Finding>& findings);

}  // namespace miglint
