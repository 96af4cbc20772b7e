#pragma once

// Backfill progress: `<schema>.miglint_schema_migrations_backfills`, one row per batched statement
// (docs/runner.md, "Managed backfills"). Each batch updates its row in the batch's own transaction,
// so the row says exactly which keys are done: a rerun resumes after them, and no row is changed twice.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "analyzer/text/expected.hpp"
#include "runner/database.hpp"

namespace miglint::runner {

inline constexpr const char* kBackfillsTable = "miglint_schema_migrations_backfills";

// "public".miglint_schema_migrations_backfills, quoted for SQL.
std::string backfills_table(const std::string& schema);

// CREATE TABLE IF NOT EXISTS, outside a transaction. An empty string, or the error.
std::string ensure_backfills_table(PgSession& session, const std::string& schema);

struct BackfillProgress {
  std::string version;
  int statement = 0;  // 1-based, as in the history
  std::string checksum;
  std::optional<int64_t>
      upper_key;                    // max(key) when it started: the keys it covers; none: the table was empty
  std::optional<int64_t> last_key;  // batches are done up to this key, inclusive; none: no batch yet
  int64_t rows_done = 0;
  std::optional<int64_t> rows_total;  // matching rows when it started (estimated when counting timed out)
  bool rows_total_estimated = false;
  int64_t batches = 0;
  bool finished = false;
};

// The row of statement `statement` (1-based) of `version` at `checksum`, when there is one.
Expected<std::optional<BackfillProgress>> read_backfill(PgSession& session, const std::string& schema,
                                                        const std::string& version, int statement,
                                                        const std::string& checksum);

// Every unfinished backfill, by version (none when the table does not exist yet): what `status` shows.
Expected<std::map<std::string, BackfillProgress>> read_open_backfills(PgSession& session,
                                                                      const std::string& schema);

// Progress no run will use, and one that could mislead a run: a row whose version has no history
// row (rolled back, or its history deleted: a new run of it would take the finished progress for its
// own and skip every row), or an unfinished row of a migration recorded as applied, or applied from
// other bytes (a resume reads only the progress of the bytes it applies). `repair` lists these and
// deletes them when confirmed.
struct OrphanedBackfill {
  std::string version;
  int statement = 0;
  std::string checksum;
  bool finished = false;
  int64_t rows_done = 0;
  std::string why;  // "no history row", "recorded as applied", "the history has other bytes"
};
// None when either table does not exist. `history_table` is the quoted history table.
Expected<std::vector<OrphanedBackfill>> find_orphaned_backfills(PgSession& session, const std::string& schema,
                                                                const std::string& history_table);
// Deletes the row when it is still orphaned; false when it changed meanwhile.
Expected<bool> delete_orphaned_backfill(PgSession& session, const std::string& schema,
                                        const std::string& history_table, const OrphanedBackfill& orphan);

// Deletes the progress of `version` (every statement, every checksum when `checksum` is empty):
// the migration is no longer applied (a finished rollback) or is recorded without running (baseline),
// and a later run must start its backfills afresh. The number of rows deleted, or the error.
Expected<int> delete_backfill_progress(PgSession& session, const std::string& schema,
                                       const std::string& version, const std::string& checksum);

}  // namespace miglint::runner
