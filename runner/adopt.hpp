#pragma once

#include <iosfwd>
#include <optional>
#include <string>

#include "runner/runner.hpp"

// Adopting a database and repairing its history: `miglint baseline` and `miglint repair`
// (docs/runner.md, "Adopting a database migrated by another tool" and "Repairing checksums").
namespace miglint::runner {

struct BaselineRequest {
  std::optional<std::string> version;     // --version V: V and every migration before it
  std::optional<std::string> from;        // --from TOOL: the other tool's history
  std::optional<std::string> from_table;  // --from-table T (default: the tool's own table name)
  bool force = false;                     // add to a history that has rows; skip versions no file has
};
// Records migrations as applied without running them, under the runner lock. kExitDone; kExitRefused
// (the history has rows, a dirty or failed entry, versions no file has); kExitError (usage, database).
int baseline(const RunSettingsResolved& settings, const BaselineRequest& request, std::ostream& out,
             std::ostream& err);

struct RepairRequest {
  bool yes = false;                // re-record without asking
  bool stdin_is_terminal = false;  // else --yes is required
};
// Shows how each applied file differs from what was applied, asks (on `in`), then re-records the
// checksums under the runner lock.
int repair(const RunSettingsResolved& settings, const RepairRequest& request, std::istream& in,
           std::ostream& out, std::ostream& err);

}  // namespace miglint::runner
