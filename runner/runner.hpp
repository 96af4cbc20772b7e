#pragma once

#include <chrono>
#include <iosfwd>
#include <optional>
#include <string>

#include "analyzer/project/config.hpp"
#include "analyzer/text/source_file.hpp"
#include "settings/run_settings.hpp"

namespace miglint::runner {

inline constexpr int kExitDone = 0;
inline constexpr int kExitRefused = 1;  // unvetted, drift, tampered or missing files, a failed migration
inline constexpr int kExitError = 2;    // usage errors, the database unreachable or lost
inline constexpr int kExitPending = 3;  // `status --exit-code`: migrations are waiting to be applied

// `miglint run`: vets, then applies pending migrations one statement at a time (see runner/README.md).
int run_migrations(const RunSettingsResolved& settings, std::ostream& out, std::ostream& err);
// `miglint status`: applied, pending and partial migrations, drift, approvals missing. No writes.
int show_status(const RunSettingsResolved& settings, std::ostream& out, std::ostream& err);
// `miglint plan`: what `run` would do: segments, statements, their locks, approvals missing. No writes.
int show_plan(const RunSettingsResolved& settings, std::ostream& out, std::ostream& err);

// `miglint approve`: runner/approve.hpp.

}  // namespace miglint::runner
