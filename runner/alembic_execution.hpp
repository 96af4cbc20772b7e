#pragma once

// How `miglint run` executes an Alembic revision, as vetting needs to know (runner/verdict.hpp): no
// transaction of the runner's around it (Alembic opens its own), and only upgrade() runs, so the
// findings of downgrade() (the way back, linted as a down migration) need no approval to run.
// Free of libpq: `approve` links it through the runner core.
#include <string>

#include "runner/verdict.hpp"

namespace miglint {

RunExecution alembic_run_execution(const std::string& path, const std::string& bytes);

}  // namespace miglint
