#include "rules/rule_support.hpp"
#include "rules/transaction_hygiene.hpp"

namespace miglint {

namespace {

// A transaction keeps every lock until it ends. Once a statement has taken ACCESS EXCLUSIVE on a
// table that is in use, each later statement of the same transaction stretches the time during
// which nobody can even read that table.
void check(const Statement& statement, const MigrationContext& context, RuleOutput& out) {
  if (!context.in_transaction() || is_session_control(statement)) {
    return;
  }
  std::optional<std::string> held = context.access_exclusive_held_on_existing();
  if (!held || !out.once(transaction_key(context))) {
    return;
  }
  std::string table = quoted_relation_label(*held);
  out.report(statement.span(),
             fmt::format("this statement runs while the transaction still holds the {} lock an earlier "
                         "statement took on {}: every query on {}, plain SELECT included, waits until this "
                         "statement finishes and the transaction commits",
                         lock_mode_name(LockMode::AccessExclusive), table, table),
             "End the transaction right after the statement that takes ACCESS EXCLUSIVE: move what "
             "follows it (backfills, index builds, other tables' changes) into separate transactions or "
             "migrations, and combine changes of the same table into one ALTER TABLE.");
}

}  // namespace

extern const Rule kStatementsAfterAccessExclusive{
    .id = "statements-after-access-exclusive",
    .severity = Severity::Warning,
    .summary =
        "More statements run in a transaction that already holds ACCESS EXCLUSIVE on an existing table.",
    .tags = {"lock", "transaction"},
    .check = check,
};

}  // namespace miglint
