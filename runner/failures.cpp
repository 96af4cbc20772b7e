#include "runner/failures.hpp"

#include <fmt/format.h>

#include "runner/sql_identifier.hpp"
#include "runner/state.hpp"

namespace miglint::runner {

std::string failures_table(const std::string& schema) {
  return quote_identifier(schema) + "." + kFailuresTable;
}

std::string ensure_failures_table(PgSession& session, const std::string& schema) {
  PgOutcome created = session.query(fmt::format(
      "CREATE TABLE IF NOT EXISTS {} (id bigserial PRIMARY KEY, version text NOT NULL, name text, "
      "checksum_sha256 text, attempted_at timestamptz NOT NULL DEFAULT now(), error text NOT NULL, sqlstate "
      "text, statement int, applied_by text, run_id text)",
      failures_table(schema)));
  return created.ok ? std::string() : created.error.message;
}

std::string record_failure(PgSession& session, const std::string& schema, const FailedAttempt& attempt) {
  // clock_timestamp(): the time of the failure, not of the transaction this session may still be
  // finishing.
  PgOutcome written = session.query(
      fmt::format("INSERT INTO {} (version, name, checksum_sha256, attempted_at, error, sqlstate, statement, "
                  "applied_by, run_id) VALUES ($1, $2, $3, clock_timestamp(), $4, nullif($5, ''), $6::int, "
                  "session_user, $7)",
                  failures_table(schema)),
      {attempt.version, attempt.name, attempt.checksum, attempt.error, attempt.sqlstate,
       attempt.statement ? std::optional<std::string>(std::to_string(*attempt.statement)) : std::nullopt,
       attempt.run_id});
  return written.ok ? std::string() : written.error.message;
}

Expected<std::map<std::string, FailedAttempt>> read_open_failures(PgSession& session,
                                                                  const std::string& schema) {
  std::map<std::string, FailedAttempt> open;
  std::string table = failures_table(schema);
  PgOutcome exists = session.query("SELECT to_regclass($1) IS NOT NULL", {table});
  if (!exists.ok) {
    return Error{fmt::format("cannot read {}: {}", table, exists.error.message)};
  }
  if (exists.rows.at(0).at(0) != std::optional<std::string>("t")) {
    return open;
  }
  // A success recorded after the attempt closes it: the history row's applied_at is the time of
  // its last write, which for a success is the moment the migration completed. So does a finished
  // rollback (runner/rollback.hpp), which deletes that row: the attempts before it stay closed.
  PgOutcome rollbacks = session.query("SELECT to_regclass($1) IS NOT NULL",
                                      {quote_identifier(schema) + ".miglint_schema_rollbacks"});
  std::string closed_by_rollback;
  if (rollbacks.ok && rollbacks.rows.at(0).at(0) == std::optional<std::string>("t")) {
    closed_by_rollback = fmt::format(
        " AND NOT EXISTS (SELECT FROM {}.miglint_schema_rollbacks r WHERE r.version = f.version "
        "AND r.finished_at >= f.attempted_at)",
        quote_identifier(schema));
  }
  PgOutcome read = session.query(fmt::format(
      "SELECT DISTINCT ON (f.version) f.version, coalesce(f.name, ''), coalesce(f.checksum_sha256, ''), "
      "to_char(f.attempted_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), f.error, "
      "coalesce(f.sqlstate, ''), f.statement, coalesce(f.run_id, '') FROM {} f LEFT JOIN {} h ON h.version = "
      "f.version WHERE NOT (coalesce(h.success, false) AND h.applied_at >= f.attempted_at){} "
      "ORDER BY f.version, f.attempted_at DESC, f.id DESC",
      table, history_table(schema), closed_by_rollback));
  if (!read.ok) {
    return Error{fmt::format("cannot read {}: {}", table, read.error.message)};
  }
  for (const PgRow& row : read.rows) {
    FailedAttempt attempt{row[0].value_or(""),
                          row[1].value_or(""),
                          row[2].value_or(""),
                          row[3].value_or(""),
                          row[4].value_or(""),
                          row[5].value_or(""),
                          row[6] ? std::optional<int>(std::stoi(*row[6])) : std::nullopt,
                          row[7].value_or("")};
    open.emplace(attempt.version, std::move(attempt));
  }
  return open;
}

}  // namespace miglint::runner
