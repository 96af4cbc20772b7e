#include "analyzer/model/transaction_model.hpp"
#include "rules/rule_support.hpp"
#include "rules/transaction_hygiene.hpp"

namespace miglint {

namespace {

// PostgreSQL has no nested transactions: a BEGIN inside one is ignored with a warning, and the
// first COMMIT ends the outer transaction. Either way statements meant to be atomic are not.
void check(const Statement& statement, const MigrationContext& context, RuleOutput& out) {
  TransactionControl control = transaction_control(statement);
  if (control == TransactionControl::None) {
    return;
  }
  bool tool_transaction = context.in_transaction() && !context.transaction_is_explicit();
  if (control == TransactionControl::Commit) {
    if (context.in_transaction()) {
      out.once("transaction-ended");  // remembered: a later COMMIT with none open is a second one
    } else if (!out.once("transaction-ended")) {
      // A COMMIT after the file's transaction was already committed: PostgreSQL only warns, and
      // the statements between the two ran each on its own. A first COMMIT with none open (ending
      // a migration tool's transaction the model was not told of) is left alone.
      out.report(statement.span(),
                 "COMMIT with no transaction open: an earlier COMMIT already ended the transaction, so "
                 "PostgreSQL only warns (\"there is no transaction in progress\") and the statements "
                 "between the two ran each in a transaction of its own, not as one",
                 "Remove the extra COMMIT, or add the BEGIN the statements before it were meant to share.");
      return;
    }
  }
  if (context.nested_begin()) {
    if (!out.once(transaction_key(context))) {
      return;
    }
    out.report(
        statement.span(),
        tool_transaction
            ? "BEGIN in a file the migration tool already runs in a transaction: PostgreSQL ignores it "
              "(\"there is already a transaction in progress\"), and a COMMIT in the file then commits "
              "the tool's transaction early, leaving the rest of the file outside any transaction"
            : "BEGIN inside a transaction that is already open: PostgreSQL ignores it (\"there is already "
              "a transaction in progress\"), and the first COMMIT ends the outer transaction too, so the "
              "statements after it run outside any transaction",
        tool_transaction ? "Remove BEGIN/COMMIT from the file (the tool wraps it already), or mark the "
                           "file as running outside a transaction in the migration tool."
                         : "Remove the inner BEGIN (PostgreSQL has no nested transactions); use SAVEPOINT "
                           "for a part that may be rolled back on its own.");
    return;
  }
  if (ends_transaction(control) && tool_transaction && out.once(transaction_key(context))) {
    out.report(statement.span(),
               "this statement ends the transaction the migration tool opened for the file: the statements "
               "after it run outside any transaction, so a failure leaves the migration half applied, and "
               "the tool's own COMMIT finds no transaction",
               "Remove the COMMIT/ROLLBACK (the tool commits the file as a whole), or split the file into "
               "separate migrations.");
  }
}

}  // namespace

extern const Rule kTransactionNesting{
    .id = "transaction-nesting",
    .severity = Severity::Warning,
    .summary =
        "BEGIN inside an open transaction, COMMIT/ROLLBACK of the migration tool's transaction, or a second "
        "COMMIT with no transaction open.",
    .tags = {"transaction"},
    .check = check,
    .kinds = {NodeKind::TransactionStmt},
};

}  // namespace miglint
