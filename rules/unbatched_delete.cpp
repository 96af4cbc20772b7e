#include "rules/batching.hpp"
#include "rules/rule_support.hpp"

namespace miglint {

namespace {

// A DELETE from a whole (existing) table in one statement: every deleted row stays locked until
// commit, and the dead tuples bloat the table until vacuum catches up.
void check(const Statement& statement, const MigrationContext& context, RuleOutput& out) {
  if (statement.as<pg::DeleteStmt>()) {
    check_unbatched_dml(statement, context, out, "DELETE");
  }
}

}  // namespace

extern const Rule kUnbatchedDelete{
    .id = "unbatched-delete",
    .severity = Severity::Warning,
    .summary = "A DELETE from an existing table that is not bounded to one batch of rows.",
    .tags = {"lock", "data"},
    .check = check,
    .kinds = {NodeKind::DeleteStmt},
};

}  // namespace miglint
