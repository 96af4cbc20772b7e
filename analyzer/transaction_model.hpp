#pragma once

#include <string_view>

#include "analyzer/statement.hpp"

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

// "CREATE INDEX CONCURRENTLY", "VACUUM", ... for messages.
std::string_view statement_label(const Statement& statement);

}  // namespace miglint
