#pragma once

// The findings of one migration as `miglint run` vets it, without a database: what `miglint
// approve` checks a rule against, and what `miglint approvals --check` asks whether an approval
// still matches. Free of libpq (runner core): `miglint` links it.
#include <optional>
#include <string>

#include "analyzer/engine/linter.hpp"
#include "analyzer/text/expected.hpp"
#include "runner/runner.hpp"
#include "runner/verdict.hpp"

namespace miglint {

// Lints `file` (whose bytes are `bytes`) with the setup vetting uses (runner/verdict.hpp): the
// config's settings for the file, destructive rules always on, the timeout rules off for the
// timeouts the runner sets, the runner's transaction mode, and the earlier migrations of its
// directory read for their schema facts. The PostgreSQL version is the config's `pg_version` (run
// uses the server's). Findings approved in miglint.approvals.toml are included (suppressed).
// `execution`, when given, is how the file runs instead of `run`'s plan of it (a dbmate file's down
// section, as `miglint rollback` runs it).
Expected<FileResult> vetted_findings(const std::string& file, const std::string& bytes,
                                     const runner::RunSettingsResolved& settings,
                                     std::optional<RunExecution> execution = std::nullopt);

}  // namespace miglint
