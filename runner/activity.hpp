#pragma once

// Which migration a live runner is applying right now, as another session can see it: the session
// that runs statements is named `miglint/<run id> pid=<OS pid> v=<version>` in application_name
// while it applies a file (pg_stat_activity shows application_name and pid of every session, to
// any role), and the run's other session holds the runner lock (pg_locks, also visible to any
// role). `status` and `plan` show such a migration as `running`, with the runner's pid.
#include <optional>
#include <string>
#include <vector>

#include "runner/database.hpp"

namespace miglint::runner {

// The application_name of a run's sessions: `miglint/<run id>`, and while a file is applied,
// `miglint/<run id> pid=<OS pid> v=<version>` (PostgreSQL keeps 63 bytes: a long version is cut).
std::string run_application_name(const std::string& run_id);
std::string applying_application_name(const std::string& run_id, int os_pid, const std::string& version);

// A migration another runner is applying now.
struct RunningMigration {
  std::string version;  // as the session name carries it (maybe cut short)
  bool cut_short = false;
  int runner_pid = 0;   // the miglint process (its OS pid)
  int backend_pid = 0;  // the server backend running the statements
};

// The migrations being applied by a runner that holds the runner lock of `schema`'s history table
// in this database (none, or one). An error reading the catalog is an error.
Expected<std::vector<RunningMigration>> find_running(PgSession& session, const std::string& schema);

}  // namespace miglint::runner
