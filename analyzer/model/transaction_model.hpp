#pragma once

#include <string_view>

#include "analyzer/sql/statement.hpp"

namespace miglint {

// CREATE/DROP INDEX CONCURRENTLY, REINDEX ... CONCURRENTLY, ALTER TABLE ... DETACH PARTITION ...
// CONCURRENTLY: the online variants that PostgreSQL refuses inside a transaction block.
bool is_concurrent_operation(const Statement& statement);

// Every statement PostgreSQL refuses inside a transaction block (SQLSTATE 25001) on `pg_version`:
// the concurrent operations, VACUUM, CREATE/DROP DATABASE, ALTER DATABASE ... SET TABLESPACE,
// CREATE/DROP TABLESPACE, ALTER SYSTEM, CLUSTER without a table, REINDEX SYSTEM/DATABASE,
// DISCARD ALL, COMMIT/ROLLBACK PREPARED, CREATE/DROP SUBSCRIPTION, ALTER SUBSCRIPTION ... REFRESH
// PUBLICATION, and ALTER TYPE ... ADD VALUE before PostgreSQL 12.
bool cannot_run_in_transaction(const Statement& statement, int pg_version);
// The same when is_concurrent_operation(statement) is known already (the planner asks both).
bool cannot_run_in_transaction(const Statement& statement, int pg_version, bool concurrent);

// What a statement does to the transaction it runs in: the one classifier of BEGIN/COMMIT for the
// lint driver, the migration context, the runner's script and the rules.
enum class TransactionControl {
  None,      // not a transaction statement
  Begin,     // BEGIN, START TRANSACTION
  Commit,    // COMMIT, END
  Rollback,  // ROLLBACK, ABORT
  Prepare,   // PREPARE TRANSACTION: the transaction leaves the session (it ends it, as COMMIT does)
  Other,     // SAVEPOINT, RELEASE, ROLLBACK TO, COMMIT/ROLLBACK PREPARED: no change of transaction
};
TransactionControl transaction_control(const Statement& statement);
// COMMIT, ROLLBACK or PREPARE TRANSACTION: the session's transaction ends.
inline bool ends_transaction(TransactionControl control) {
  return control == TransactionControl::Commit || control == TransactionControl::Rollback ||
         control == TransactionControl::Prepare;
}

// "CREATE INDEX CONCURRENTLY", "VACUUM", ... for messages.
std::string_view statement_label(const Statement& statement);

}  // namespace miglint
