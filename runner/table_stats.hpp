#pragma once

// The sizes of tables from a database's catalog, for size-aware findings (docs/table-sizes.md):
// `lint --stats-from` (through `miglint-runner table-sizes`, so that a lint never loads libpq) and
// `plan`. Read-only by construction: one catalog query in a READ ONLY transaction, on a session
// whose default_transaction_read_only is on, with short lock and statement timeouts; it reads
// pg_class, pg_namespace, pg_stat_all_tables and pg_total_relation_size, which need no privilege
// on the tables (a role granted nothing but CONNECT gets every size).
#include <iosfwd>
#include <string>
#include <vector>

#include "analyzer/engine/table_sizes.hpp"
#include "analyzer/text/expected.hpp"
#include "runner/database.hpp"

namespace miglint::runner {

// Every table in one query, whatever their number. An unqualified name is found as the session's
// search_path finds it; a partitioned table counts its partitions' rows and bytes. A table the
// catalog lacks is `exists == false`. When the sizes cannot be read (a permission error, a lock
// held too long) the rows still are, with `bytes` unset.
Expected<TableSizes> read_table_sizes(PgSession& session, const std::vector<TableRef>& tables);

// Connects to `url` read-only and reads the sizes (one session, closed afterwards).
Expected<TableSizes> read_table_sizes(const std::string& url, const std::vector<TableRef>& tables);

// `miglint-runner table-sizes` (internal, for `lint --stats-from`): the request as JSON on stdin,
// {"database_url": "...", "tables": [{"schema": "", "name": "t"}...]} (the URL stays out of the
// process list), the sizes as JSON on stdout, [{"schema", "name", "exists", "relation", "rows",
// "bytes"}...]; an error is one line on stderr and exit status 2.
int table_sizes_command(std::istream& in, std::ostream& out, std::ostream& err);

}  // namespace miglint::runner
