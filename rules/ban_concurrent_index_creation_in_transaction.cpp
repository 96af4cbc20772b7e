#include "analyzer/model/transaction_model.hpp"
#include "rules/rule_support.hpp"

namespace miglint {

namespace {

// PostgreSQL refuses CREATE/DROP INDEX CONCURRENTLY (and REINDEX ... CONCURRENTLY, DETACH
// PARTITION ... CONCURRENTLY) inside a transaction block (SQLSTATE 25001): the migration fails,
// whether the BEGIN is in the file or added by the migration tool.
void check(const Statement& statement, const MigrationContext& context, RuleOutput& out) {
  if (!is_concurrent_operation(statement) || !context.in_transaction()) {
    return;
  }
  out.report(statement.span(),
             fmt::format("{} cannot run inside a transaction block: PostgreSQL rejects it (SQLSTATE 25001){}",
                         statement_label(statement),
                         context.transaction_is_explicit() ? ""
                         : context.transaction_is_program()
                             ? ", and this call runs inside the program's transaction "
                               "(a libpqxx transaction object, or a query function "
                               "configured with in_transaction = true)"
                             : ", and this file is taken to run in the "
                               "transaction its migration tool wraps it in"),
             "Put the statement in its own migration that runs without a transaction (a leading "
             "`-- miglint-no-transaction`, dbmate `-- migrate:up transaction:false`, Flyway "
             "`executeInTransaction=false`, Alembic `autocommit_block()`), one statement per execution.");
}

}  // namespace

extern const Rule kBanConcurrentIndexCreationInTransaction{
    .id = "ban-concurrent-index-creation-in-transaction",
    .severity = Severity::Error,
    .summary = "CREATE or DROP INDEX CONCURRENTLY inside a transaction fails.",
    .tags = {"correctness"},
    .check = check,
    .kinds = {NodeKind::IndexStmt, NodeKind::DropStmt, NodeKind::ReindexStmt, NodeKind::AlterTableStmt},
};

}  // namespace miglint
