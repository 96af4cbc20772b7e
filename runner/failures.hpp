#pragma once

// Failed attempts: `<schema>.miglint_schema_migrations_failures`, one row per attempt that ended in
// an error of a migration statement (written after the rollback, on the session that ran it; a
// lost connection records nothing). `status` shows a migration's latest failure until a later
// success; the rows stay (the history of attempts is kept).
#include <map>
#include <optional>
#include <string>

#include "analyzer/text/expected.hpp"
#include "runner/database.hpp"

namespace miglint::runner {

inline constexpr const char* kFailuresTable = "miglint_schema_migrations_failures";

// "public".miglint_schema_migrations_failures, quoted for SQL.
std::string failures_table(const std::string& schema);

// CREATE TABLE IF NOT EXISTS (called by ensure_history_table). An empty string, or the error.
std::string ensure_failures_table(PgSession& session, const std::string& schema);

struct FailedAttempt {
  std::string version;
  std::string name;
  std::string checksum;
  std::string attempted_at;      // ISO 8601, UTC: 2026-12-05T04:01:02Z
  std::string error;             // the server's message, as the runner reported it
  std::string sqlstate;          // empty when the server sent none
  std::optional<int> statement;  // 1-based, when known
  std::string run_id;
};

// Writes one attempt (attempted_at: now). An empty string, or why it could not be written.
std::string record_failure(PgSession& session, const std::string& schema, const FailedAttempt& attempt);

// Each version's latest failed attempt that no later success followed (none when the table does not
// exist yet).
Expected<std::map<std::string, FailedAttempt>> read_open_failures(PgSession& session,
                                                                  const std::string& schema);

}  // namespace miglint::runner
