#include "runner/backfill_table.hpp"

#include <fmt/format.h>

#include "runner/sql_identifier.hpp"

namespace miglint::runner {

namespace {

constexpr const char* kColumns =
    "version, statement, checksum_sha256, upper_key, last_key, rows_done, rows_total, rows_total_estimated, "
    "batches, finished_at IS NOT NULL";

std::optional<int64_t> number(const std::optional<std::string>& text) {
  return text ? std::optional<int64_t>(std::stoll(*text)) : std::nullopt;
}

BackfillProgress progress_of(const PgRow& row) {
  BackfillProgress progress;
  progress.version = row[0].value_or("");
  progress.statement = static_cast<int>(number(row[1]).value_or(0));
  progress.checksum = row[2].value_or("");
  progress.upper_key = number(row[3]);
  progress.last_key = number(row[4]);
  progress.rows_done = number(row[5]).value_or(0);
  progress.rows_total = number(row[6]);
  progress.rows_total_estimated = row[7] == std::optional<std::string>("t");
  progress.batches = number(row[8]).value_or(0);
  progress.finished = row[9] == std::optional<std::string>("t");
  return progress;
}

}  // namespace

std::string backfills_table(const std::string& schema) {
  return quote_identifier(schema) + "." + kBackfillsTable;
}

std::string ensure_backfills_table(PgSession& session, const std::string& schema) {
  // Looked up first: IF NOT EXISTS alone would send a notice, which the run's output shows.
  PgOutcome exists = session.query("SELECT to_regclass($1) IS NOT NULL", {backfills_table(schema)});
  if (!exists.ok) {
    return exists.error.message;
  }
  if (exists.rows.at(0).at(0) == std::optional<std::string>("t")) {
    return {};
  }
  PgOutcome created = session.query(fmt::format(
      "CREATE TABLE IF NOT EXISTS {} ("
      "version text NOT NULL, statement int NOT NULL, checksum_sha256 text NOT NULL, "
      "table_name text NOT NULL, key_column text NOT NULL, "
      "upper_key bigint, last_key bigint, rows_done bigint NOT NULL DEFAULT 0, rows_total bigint, "
      "rows_total_estimated boolean NOT NULL DEFAULT false, batches bigint NOT NULL DEFAULT 0, "
      "started_at timestamptz NOT NULL DEFAULT now(), updated_at timestamptz NOT NULL DEFAULT now(), "
      "finished_at timestamptz, PRIMARY KEY (version, statement, checksum_sha256))",
      backfills_table(schema)));
  return created.ok ? std::string() : created.error.message;
}

Expected<std::optional<BackfillProgress>> read_backfill(PgSession& session, const std::string& schema,
                                                        const std::string& version, int statement,
                                                        const std::string& checksum) {
  PgOutcome read = session.query(
      fmt::format("SELECT {} FROM {} WHERE version = $1 AND statement = $2::int AND checksum_sha256 = $3",
                  kColumns, backfills_table(schema)),
      {version, std::to_string(statement), checksum});
  if (!read.ok) {
    return Error{fmt::format("cannot read {}: {}", backfills_table(schema), read.error.message)};
  }
  if (read.rows.empty()) {
    return std::optional<BackfillProgress>();
  }
  return std::optional<BackfillProgress>(progress_of(read.rows.front()));
}

Expected<std::map<std::string, BackfillProgress>> read_open_backfills(PgSession& session,
                                                                      const std::string& schema) {
  std::map<std::string, BackfillProgress> open;
  std::string table = backfills_table(schema);
  PgOutcome exists = session.query("SELECT to_regclass($1) IS NOT NULL", {table});
  if (!exists.ok) {
    return Error{fmt::format("cannot read {}: {}", table, exists.error.message)};
  }
  if (exists.rows.at(0).at(0) != std::optional<std::string>("t")) {
    return open;
  }
  PgOutcome read = session.query(fmt::format(
      "SELECT {} FROM {} WHERE finished_at IS NULL ORDER BY version, statement", kColumns, table));
  if (!read.ok) {
    return Error{fmt::format("cannot read {}: {}", table, read.error.message)};
  }
  for (const PgRow& row : read.rows) {
    BackfillProgress progress = progress_of(row);
    open.emplace(progress.version, std::move(progress));
  }
  return open;
}

namespace {

// Why a progress row `b` is orphaned (NULL when it is not), against the history.
std::string orphan_why(const std::string& history_table) {
  return fmt::format(
      "CASE WHEN NOT EXISTS (SELECT 1 FROM {0} h WHERE h.version = b.version) THEN 'no history row' "
      "WHEN b.finished_at IS NULL AND EXISTS (SELECT 1 FROM {0} h WHERE h.version = b.version AND "
      "h.success) THEN 'recorded as applied' "
      "WHEN b.finished_at IS NULL AND EXISTS (SELECT 1 FROM {0} h WHERE h.version = b.version AND "
      "h.checksum_sha256 <> b.checksum_sha256) THEN 'the history has other bytes' END",
      history_table);
}

Expected<bool> both_tables_exist(PgSession& session, const std::string& schema,
                                 const std::string& history_table) {
  PgOutcome exists = session.query("SELECT to_regclass($1) IS NOT NULL AND to_regclass($2) IS NOT NULL",
                                   {backfills_table(schema), history_table});
  if (!exists.ok) {
    return Error{fmt::format("cannot read {}: {}", backfills_table(schema), exists.error.message)};
  }
  return exists.rows.at(0).at(0) == std::optional<std::string>("t");
}

}  // namespace

Expected<std::vector<OrphanedBackfill>> find_orphaned_backfills(PgSession& session, const std::string& schema,
                                                                const std::string& history_table) {
  std::vector<OrphanedBackfill> orphans;
  Expected<bool> exist = both_tables_exist(session, schema, history_table);
  if (!exist) {
    return exist.error();
  }
  if (!*exist) {
    return orphans;
  }
  const std::string why = orphan_why(history_table);
  PgOutcome read = session.query(
      fmt::format("SELECT * FROM (SELECT version, statement, checksum_sha256, finished_at IS NOT NULL, "
                  "rows_done, {} AS why FROM {} b) o WHERE why IS NOT NULL ORDER BY version, statement",
                  why, backfills_table(schema)));
  if (!read.ok) {
    return Error{fmt::format("cannot read {}: {}", backfills_table(schema), read.error.message)};
  }
  for (const PgRow& row : read.rows) {
    orphans.push_back(OrphanedBackfill{row[0].value_or(""), static_cast<int>(number(row[1]).value_or(0)),
                                       row[2].value_or(""), row[3] == std::optional<std::string>("t"),
                                       number(row[4]).value_or(0), row[5].value_or("")});
  }
  return orphans;
}

Expected<bool> delete_orphaned_backfill(PgSession& session, const std::string& schema,
                                        const std::string& history_table, const OrphanedBackfill& orphan) {
  const std::string why = orphan_why(history_table);
  PgOutcome deleted = session.query(
      fmt::format("DELETE FROM {} b WHERE version = $1 AND statement = $2::int AND checksum_sha256 = $3 AND "
                  "(finished_at IS NOT NULL) = $4::boolean AND {} = $5 RETURNING version",
                  backfills_table(schema), why),
      {orphan.version, std::to_string(orphan.statement), orphan.checksum, orphan.finished ? "true" : "false",
       orphan.why});
  if (!deleted.ok) {
    return Error{fmt::format("cannot delete from {}: {}", backfills_table(schema), deleted.error.message)};
  }
  return !deleted.rows.empty();
}

Expected<int> delete_backfill_progress(PgSession& session, const std::string& schema,
                                       const std::string& version, const std::string& checksum) {
  PgOutcome exists = session.query("SELECT to_regclass($1) IS NOT NULL", {backfills_table(schema)});
  if (!exists.ok) {
    return Error{fmt::format("cannot read {}: {}", backfills_table(schema), exists.error.message)};
  }
  if (exists.rows.at(0).at(0) != std::optional<std::string>("t")) {
    return 0;
  }
  PgOutcome deleted = session.query(
      fmt::format("DELETE FROM {} WHERE version = $1 AND ($2 = '' OR checksum_sha256 = $2) RETURNING version",
                  backfills_table(schema)),
      {version, checksum});
  if (!deleted.ok) {
    return Error{fmt::format("cannot delete from {}: {}", backfills_table(schema), deleted.error.message)};
  }
  return static_cast<int>(deleted.rows.size());
}

}  // namespace miglint::runner
