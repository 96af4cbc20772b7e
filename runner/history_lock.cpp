#include "runner/history_lock.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <ostream>
#include <random>

#include "analyzer/text/message_text.hpp"
#include "runner/applier.hpp"
#include "runner/connection_string.hpp"

namespace miglint::runner {

bool check_database_settings(const RunSettingsResolved& settings, std::ostream& err) {
  if (settings.database_url.empty()) {
    err << "miglint: error: no database: give --db URL, set MIGLINT_DATABASE_URL, or [run] database_url in "
           "miglint.toml\n";
    return false;
  }
  std::string problem = connection_string_problem(settings.database_url, settings.database_url_source);
  if (!problem.empty()) {
    err << fmt::format("miglint: error: {}\n", problem);
    return false;
  }
  std::error_code error;
  if (!std::filesystem::is_directory(settings.directory, error)) {
    err << fmt::format("miglint: error: {}: no such migrations directory\n",
                       escape_for_message(settings.directory));
    return false;
  }
  return true;
}

std::string new_run_id() {
  std::random_device device;
  return fmt::format("{:08x}{:08x}", device(), device());
}

int read_state(const RunSettingsResolved& settings, const std::string& application_name, std::ostream& err,
               ReadState& read) {
  read.redact = std::make_unique<Redactor>(settings.database_url);
  Expected<std::unique_ptr<PgSession>> session =
      PgSession::connect(settings.database_url, *read.redact, application_name);
  if (!session) {
    err << fmt::format("miglint: error: {}\n", session.error().message);
    return kExitError;
  }
  read.session = std::move(*session);
  Expected<SetState> state = load_state(settings, *read.session);
  if (!state) {
    err << fmt::format("miglint: error: {}\n", state.error().message);
    return read.session->alive() ? kExitRefused : kExitError;
  }
  read.state = std::move(*state);
  return kExitDone;
}

int lock_history(const RunSettingsResolved& settings, std::ostream& out, std::ostream& err,
                 LockedHistory& locked) {
  locked.redact = std::make_unique<Redactor>(settings.database_url);
  // Named like a run's sessions (`miglint/<id>`): a run that waits for this one treats them alike.
  const std::string application_name = "miglint/" + new_run_id();
  Expected<std::unique_ptr<PgSession>> watch =
      PgSession::connect(settings.database_url, *locked.redact, application_name);
  if (!watch) {
    err << fmt::format("miglint: error: {}\n", watch.error().message);
    return kExitError;
  }
  locked.watch = std::move(*watch);
  bool connection_lost = false;
  if (!acquire_runner_lock(*locked.watch, settings, out, err, connection_lost)) {
    return connection_lost ? kExitError : kExitRefused;
  }
  Expected<std::unique_ptr<PgSession>> work =
      PgSession::connect(settings.database_url, *locked.redact, application_name);
  if (!work) {
    err << fmt::format("miglint: error: {}\n", work.error().message);
    return kExitError;
  }
  locked.work = std::move(*work);
  Applier applier(settings, *locked.work, *locked.watch, out, err);
  return applier.wait_for_leftovers();
}

void unlock_history(const RunSettingsResolved& settings, LockedHistory& locked) {
  if (locked.watch) {
    locked.watch->query("SELECT pg_advisory_unlock(hashtextextended($1, 0))",
                        {lock_key_text(settings.schema)});
  }
}

}  // namespace miglint::runner
