#include "runner/alembic_partial.hpp"

#include <fmt/format.h>

#include "runner/sql_identifier.hpp"

namespace miglint::runner {

namespace {

std::string table_name(const std::string& schema) {
  return quote_identifier(schema) + "." + quote_identifier(kAlembicPartialTable);
}

bool table_exists(PgSession& session, const std::string& schema, std::string& problem) {
  PgOutcome found = session.query("SELECT to_regclass($1) IS NOT NULL", {table_name(schema)});
  if (!found.ok) {
    problem = found.error.message;
    return false;
  }
  return found.rows[0][0] == std::optional<std::string>("t");
}

}  // namespace

std::string record_alembic_partial(PgSession& session, const std::string& schema, const std::string& revision,
                                   const AlembicPartial& partial) {
  PgOutcome created = session.query(fmt::format(
      "CREATE TABLE IF NOT EXISTS {} (revision text PRIMARY KEY, failed_at timestamptz NOT NULL DEFAULT "
      "now(), "
      "error text NOT NULL, sqlstate text NOT NULL, statement text NOT NULL, call_site text NOT NULL)",
      table_name(schema)));
  if (!created.ok) {
    return created.error.message;
  }
  PgOutcome written = session.query(
      fmt::format(
          "INSERT INTO {} (revision, error, sqlstate, statement, call_site) VALUES ($1, $2, $3, $4, $5) "
          "ON CONFLICT (revision) DO UPDATE SET failed_at = now(), error = EXCLUDED.error, sqlstate = "
          "EXCLUDED.sqlstate, statement = EXCLUDED.statement, call_site = EXCLUDED.call_site",
          table_name(schema)),
      {revision, partial.error, partial.sqlstate, partial.statement, partial.where});
  return written.ok ? std::string() : written.error.message;
}

std::string clear_alembic_partial(PgSession& session, const std::string& schema,
                                  const std::string& revision) {
  std::string problem;
  if (!table_exists(session, schema, problem)) {
    return problem;
  }
  PgOutcome removed =
      session.query(fmt::format("DELETE FROM {} WHERE revision = $1", table_name(schema)), {revision});
  return removed.ok ? std::string() : removed.error.message;
}

Expected<std::map<std::string, AlembicPartial>> alembic_partials(PgSession& session,
                                                                 const std::string& schema) {
  std::map<std::string, AlembicPartial> partials;
  std::string problem;
  if (!table_exists(session, schema, problem)) {
    if (!problem.empty()) {
      return Error{fmt::format("cannot read {}: {}", kAlembicPartialTable, problem)};
    }
    return partials;
  }
  PgOutcome rows = session.query(
      fmt::format("SELECT revision, to_char(failed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), "
                  "error, sqlstate, statement, call_site FROM {}",
                  table_name(schema)));
  if (!rows.ok) {
    return Error{fmt::format("cannot read {}: {}", kAlembicPartialTable, rows.error.message)};
  }
  for (const PgRow& row : rows.rows) {
    partials[row[0].value_or("")] =
        AlembicPartial{row[1].value_or(""), row[2].value_or(""), row[3].value_or(""), row[4].value_or(""),
                       row[5].value_or("")};
  }
  return partials;
}

}  // namespace miglint::runner
