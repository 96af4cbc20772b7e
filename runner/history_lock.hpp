#pragma once

#include <iosfwd>
#include <memory>
#include <string>

#include "runner/database.hpp"
#include "runner/runner.hpp"
#include "runner/state.hpp"

namespace miglint::runner {

// A database URL libpq can parse and a migrations directory that exists: else a one-line error and
// false, a usage error (the URL is named by its source, never shown: a parser would echo its password).
bool check_database_settings(const RunSettingsResolved& settings, std::ostream& err);

// A random id for one run or history-writing command, in its sessions' application_name
// (`miglint/<id>`): a run that waits for another pairs that one's sessions by it.
std::string new_run_id();

// A state read without writing (`status`, `plan`, `repair`), with the session it was read on.
struct ReadState {
  std::unique_ptr<Redactor> redact;  // first: the session refers to it
  std::unique_ptr<PgSession> session;
  SetState state;
};

// Connects as `application_name` and reads the state (load_state); kExitDone, or the exit status
// after a one-line message (refused when the database answered, error when it is gone).
int read_state(const RunSettingsResolved& settings, const std::string& application_name, std::ostream& err,
               ReadState& read);

// The two sessions of a command that writes the history (`baseline`, `repair`), holding what `run`
// holds: the runner lock on `watch` and the work lock on `work`, taken the way `run` takes them (no
// earlier runner's session can still write). So none of them races a `run`.
struct LockedHistory {
  std::unique_ptr<Redactor> redact;  // first: the sessions refer to it
  std::unique_ptr<PgSession> watch;
  std::unique_ptr<PgSession> work;
};

// Connects and locks; kExitDone, or the exit status after a one-line message.
int lock_history(const RunSettingsResolved& settings, std::ostream& out, std::ostream& err,
                 LockedHistory& locked);

// Releases the runner lock (ending the sessions releases both locks too).
void unlock_history(const RunSettingsResolved& settings, LockedHistory& locked);

}  // namespace miglint::runner
