#include "rules/batching.hpp"
#include "rules/rule_support.hpp"

namespace miglint {

namespace {

// An UPDATE of a whole (existing) table in one statement: every touched row stays locked until
// commit, the WAL burst lags replicas, and in a DDL transaction it prolongs ACCESS EXCLUSIVE.
void check(const Statement& statement, const MigrationContext& context, RuleOutput& out) {
  if (statement.as<pg::UpdateStmt>()) {
    check_unbatched_dml(statement, context, out, "UPDATE");
  }
}

}  // namespace

extern const Rule kUnbatchedUpdate{
    .id = "unbatched-update",
    .severity = Severity::Warning,
    .summary = "An UPDATE of an existing table that is not bounded to one batch of rows.",
    .tags = {"lock", "data"},
    .check = check,
    .kinds = {NodeKind::UpdateStmt},
};

}  // namespace miglint
