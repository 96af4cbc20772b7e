#include "rules/rule_support.hpp"

namespace miglint {

namespace {

// BEGIN with no COMMIT or ROLLBACK after it: the migration "succeeds", then the connection closes
// and PostgreSQL rolls everything back (or the session sits idle in transaction, holding its locks).
// (Inside a transaction the migration tool opened, the BEGIN is ignored and the tool's COMMIT
// commits the work: the driver does not count it as unclosed; transaction-nesting reports it.)
void check(const Statement& statement, const MigrationContext& context, RuleOutput& out) {
  if (!context.opens_unclosed_transaction()) {
    return;
  }
  out.report(statement.span(),
             "this BEGIN opens a transaction that is never committed or rolled back: when the "
             "connection closes PostgreSQL rolls back every statement after it, so the migration "
             "reports success but changes nothing (or, on a pooled connection, stays idle in transaction "
             "holding its locks)",
             "End the transaction with `COMMIT;` after its last statement (or remove the BEGIN when the "
             "migration tool already runs the file in a transaction).");
}

}  // namespace

extern const Rule kBanUncommittedTransaction{
    .id = "ban-uncommitted-transaction",
    .severity = Severity::Error,
    .summary = "A BEGIN whose transaction is never committed or rolled back.",
    .tags = {"transaction"},
    .check = check,
    .kinds = {NodeKind::TransactionStmt},
};

}  // namespace miglint
