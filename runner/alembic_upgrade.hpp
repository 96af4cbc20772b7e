#pragma once

// One `alembic upgrade <revision>` for `miglint run`, through miglint's driver
// (miglint_alembic_upgrade.py, installed beside the Alembic helper): the project's env.py builds the
// engine, Alembic runs the revision and writes alembic_version. The runner's URL reaches Alembic as
// `sqlalchemy.url`; its timeouts as PGOPTIONS (and, for CONCURRENTLY statements, as the driver's SETs).
#include <chrono>
#include <optional>
#include <string>

#include "analyzer/project/alembic_layout.hpp"
#include "analyzer/text/expected.hpp"

namespace miglint::runner {

struct AlembicUpgradeRequest {
  AlembicProject project;
  std::string revision;
  std::string database_url;
  std::string python;  // `[alembic] python` (empty: the usual search, as `lint` does it)
  std::string application_name;
  std::chrono::milliseconds lock_timeout{0};  // 0: none
  std::chrono::milliseconds statement_timeout{0};
  std::chrono::milliseconds concurrent_lock_timeout{0};
  std::chrono::milliseconds concurrent_statement_timeout{0};
  enum class Direction { Upgrade, Downgrade, Stamp };
  // `alembic upgrade <revision>`; `downgrade` (miglint test); `stamp` (miglint baseline).
  Direction direction = Direction::Upgrade;
};

// What the driver said. `ok` false with an empty `sqlstate` and `kind` "setup": it could not start
// (no Alembic, no psycopg2, the URL unusable); "migration": the revision failed; "interrupted".
struct AlembicUpgradeResult {
  bool ok = false;
  std::string kind;
  std::string error;
  std::string sqlstate;
  std::string where;                // revision file:line of the failing call, when known
  std::string statement;            // the SQL that failed (truncated)
  int statements = 0;               // statements sent, Alembic's own included
  bool autocommit_entered = false;  // an autocommit_block() committed the revision's transaction
  bool in_autocommit = false;       // the failure happened inside the block
  std::string log;                  // Alembic's log (standard error), for failures
};

// Runs the driver (forwarding SIGINT to it when the runner is interrupted). An Expected error when
// no interpreter could run it at all.
Expected<AlembicUpgradeResult> alembic_upgrade(const AlembicUpgradeRequest& request);

// The driver script: beside the executable, else beside the Alembic helper.
Expected<std::string> alembic_upgrade_driver();

}  // namespace miglint::runner
