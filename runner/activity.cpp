#include "runner/activity.hpp"

#include <fmt/format.h>

#include "runner/applier.hpp"

namespace miglint::runner {

namespace {

constexpr std::size_t kApplicationNameBytes = 63;  // NAMEDATALEN - 1

}  // namespace

std::string run_application_name(const std::string& run_id) {
  return "miglint/" + run_id;
}

std::string applying_application_name(const std::string& run_id, int os_pid, const std::string& version) {
  // Only printable ASCII survives in application_name (PostgreSQL shows other bytes as `?`).
  return fmt::format("{} pid={} v={}", run_application_name(run_id), os_pid, version);
}

Expected<std::vector<RunningMigration>> find_running(PgSession& session, const std::string& schema) {
  // The holder of the runner lock in this database, and the session of the same run (the part of
  // application_name before the first space) that says which file it applies.
  PgOutcome found = session.query(
      "SELECT w.pid, w.application_name FROM pg_locks l JOIN pg_stat_activity h ON h.pid = l.pid "
      "JOIN pg_stat_activity w ON w.pid <> h.pid AND w.datname = h.datname "
      " AND split_part(w.application_name, ' ', 1) = split_part(h.application_name, ' ', 1) "
      "WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1 "
      " AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
      " AND l.classid::bigint = ((hashtextextended($1, 0) >> 32) & 4294967295) "
      " AND l.objid::bigint = (hashtextextended($1, 0) & 4294967295) "
      " AND h.application_name LIKE 'miglint/%' AND w.application_name LIKE 'miglint/% pid=% v=%' "
      "ORDER BY w.pid",
      {lock_key_text(schema)});
  if (!found.ok) {
    return Error{fmt::format("cannot look for a runner at work: {}", found.error.message)};
  }
  std::vector<RunningMigration> running;
  for (const PgRow& row : found.rows) {
    std::string name = row[1].value_or("");
    std::size_t pid_at = name.find(" pid=");
    std::size_t version_at = name.find(" v=", pid_at == std::string::npos ? 0 : pid_at);
    if (pid_at == std::string::npos || version_at == std::string::npos) {
      continue;
    }
    RunningMigration migration;
    try {
      migration.runner_pid = std::stoi(name.substr(pid_at + 5, version_at - pid_at - 5));
      migration.backend_pid = std::stoi(row[0].value_or("0"));
    } catch (const std::exception&) {
      continue;  // not a name this release writes
    }
    migration.version = name.substr(version_at + 3);
    migration.cut_short = name.size() >= kApplicationNameBytes;
    running.push_back(std::move(migration));
  }
  return running;
}

}  // namespace miglint::runner
