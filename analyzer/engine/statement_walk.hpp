#pragma once

// The walk over a file's statements in the order and transactions its plan runs them, keeping the
// migration context current: running the enabled rules on each statement (lint), or recording what
// each locks (explain_locks, declared in linter.hpp).
#include <cstddef>

#include "analyzer/engine/linter.hpp"

namespace miglint {

// Lints one file (SQL, or SQL assembled from a program's calls when `embedded` is set): the walk,
// parse problems, front-end findings, ignores, statement keys, severities, in order.
FileResult lint_prepared(const SourceFile& source, const LintOptions& options, const RuleSet& rules,
                         SchemaHistory* history, std::size_t file_order, const EmbeddedPlan* embedded);

}  // namespace miglint
