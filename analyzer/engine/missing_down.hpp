#pragma once

// missing-down-migration (rules/docs/missing-down-migration.md): an up migration whose layout has down
// migrations but which has none. The driver reports it, since only it knows where the file is on
// disk: golang-migrate `X.up.sql` without `X.down.sql`, diesel `<version>/up.sql` without `down.sql`,
// a dbmate file with `-- migrate:up` and no `-- migrate:down`, a Flyway `V<version>__x.sql` without a
// `U<version>__*.sql` in a directory that holds undo files. One stat per file at most (Flyway: one
// listing per directory); nothing for a plain layout.
#include <string>

#include "analyzer/engine/linter.hpp"
#include "analyzer/engine/rule_set.hpp"

namespace miglint {

inline constexpr std::string_view kMissingDownMigrationRule = "missing-down-migration";

// Adds the finding (at the file's first line) to `result` when the rule is enabled and the file has
// no down migration. With an empty `filesystem_path`, only what the text shows (a dbmate file
// without `-- migrate:down`), which lint_source checks; with one, only the files beside it.
void report_missing_down_migration(const std::string& filesystem_path, const SourceFile& source,
                                   const RuleSet& rules, FileResult& result);

}  // namespace miglint
