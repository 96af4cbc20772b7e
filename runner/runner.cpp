#include "runner/runner.hpp"

#include <fmt/format.h>
#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <random>
#include <sstream>
#include <thread>

#include "analyzer/engine/linter.hpp"
#include "analyzer/model/lock_model.hpp"
#include "analyzer/project/approvals.hpp"
#include "analyzer/project/discover.hpp"
#include "analyzer/project/git.hpp"
#include "analyzer/report/runner_report.hpp"
#include "analyzer/text/duration.hpp"
#include "analyzer/text/hash.hpp"
#include "analyzer/text/message_text.hpp"
#include "analyzer/text/source_file.hpp"
#include "rules/registry.hpp"
#include "runner/applier.hpp"
#include "runner/approvals_check.hpp"
#include "runner/connection_string.hpp"
#include "runner/database.hpp"
#include "runner/layout.hpp"
#include "runner/script.hpp"
#include "runner/state.hpp"

namespace miglint::runner {

namespace fs = std::filesystem;
using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

namespace {

std::string_view status_word(MigrationState::Status status) {
  switch (status) {
    case MigrationState::Status::Applied:
      return "applied";
    case MigrationState::Status::Pending:
      return "pending";
    case MigrationState::Status::Partial:
      return "partial";
    case MigrationState::Status::Changed:
      return "CHANGED";
  }
  return "";
}

void install_signal_handlers() {
  struct sigaction action {};
  action.sa_handler = [](int) { g_interrupted = true; };
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

bool check_settings(const RunSettingsResolved& settings, std::ostream& err) {
  if (settings.database_url.empty()) {
    err << "miglint: error: no database: give --db URL, set MIGLINT_DATABASE_URL, or [run] database_url in "
           "miglint.toml\n";
    return false;
  }
  // A string libpq cannot parse is named, never shown: its password is what a parser would echo.
  std::string problem = connection_string_problem(settings.database_url, settings.database_url_source);
  if (!problem.empty()) {
    err << fmt::format("miglint: error: {}\n", problem);
    return false;
  }
  return true;
}

// A random id for one run, in both of its sessions' application_name (`miglint/<id>`).
std::string new_run_id() {
  std::random_device device;
  return fmt::format("{:08x}{:08x}", device(), device());
}

}  // namespace

int run_migrations(const RunSettingsResolved& settings, std::ostream& out, std::ostream& err) {
  if (!check_settings(settings, err)) {
    return kExitError;
  }
  install_signal_handlers();
  Redactor redact(settings.database_url);
  const std::string application_name = "miglint/" + new_run_id();
  Expected<std::unique_ptr<PgSession>> watch =
      PgSession::connect(settings.database_url, redact, application_name);
  if (!watch) {
    err << fmt::format("miglint: error: {}\n", watch.error().message);
    return kExitError;
  }
  bool connection_lost = false;
  if (!acquire_runner_lock(**watch, settings, out, err, connection_lost)) {
    return connection_lost ? kExitError : kExitRefused;
  }
  Expected<std::unique_ptr<PgSession>> work =
      PgSession::connect(settings.database_url, redact, application_name);
  if (!work) {
    err << fmt::format("miglint: error: {}\n", work.error().message);
    return kExitError;
  }
  Applier applier(settings, **work, **watch, out, err);
  // The history is read only once no earlier runner's session can still write to it: a runner
  // whose lock session ended may still be finishing a statement.
  if (int waited = applier.wait_for_leftovers(); waited != kExitDone) {
    return waited;
  }
  // Vetting comes before any write: a refused run leaves the database as it found it.
  Expected<SetState> state = load_state(settings, **watch);
  if (!state) {
    err << fmt::format("miglint: error: {}\n", state.error().message);
    return (*watch)->alive() ? kExitRefused : kExitError;
  }
  if (state->refused()) {
    write_refusals(err, "miglint: refusing to run: nothing was applied", state->refusals);
    for (const MigrationState& migration : state->migrations) {
      print_unapproved(migration, err, "    ");
    }
    return kExitRefused;
  }
  std::vector<MigrationState*> pending;
  for (MigrationState& migration : state->migrations) {
    if (migration.status == MigrationState::Status::Pending ||
        migration.status == MigrationState::Status::Partial) {
      pending.push_back(&migration);
    }
  }
  if (pending.empty()) {
    write_nothing_to_do(out, state->migrations.size(), settings.directory);
    return kExitDone;
  }
  if (!ensure_history_table(**work, settings.schema, err)) {
    return (*work)->alive() ? kExitRefused : kExitError;
  }
  (*work)->show_notices(&out);
  for (MigrationState* migration : pending) {
    int status = applier.apply(*migration);
    if (status != kExitDone) {
      return status;
    }
  }
  (*watch)->query("SELECT pg_advisory_unlock(hashtextextended($1, 0))", {lock_key_text(settings.schema)});
  write_applied(out, pending.size());
  return kExitDone;
}

namespace {

// Connects, reads the state (no writes) and hands it to `show`; the exit status of `status` and `plan`.
int show_state(const RunSettingsResolved& settings, const std::string& command, std::ostream& out,
               std::ostream& err, const std::function<void(const SetState&)>& show) {
  if (!check_settings(settings, err)) {
    return kExitError;
  }
  Redactor redact(settings.database_url);
  Expected<std::unique_ptr<PgSession>> session =
      PgSession::connect(settings.database_url, redact, "miglint-" + command);
  if (!session) {
    err << fmt::format("miglint: error: {}\n", session.error().message);
    return kExitError;
  }
  Expected<SetState> state = load_state(settings, **session);
  if (!state) {
    err << fmt::format("miglint: error: {}\n", state.error().message);
    return (*session)->alive() ? kExitRefused : kExitError;
  }
  show(*state);
  if (state->refused()) {
    write_refusals(out, "miglint run would refuse:", state->refusals);
    return kExitRefused;
  }
  return kExitDone;
}

}  // namespace

int show_status(const RunSettingsResolved& settings, std::ostream& out, std::ostream& err) {
  return show_state(settings, "status", out, err, [&](const SetState& state) {
    StatusView view{settings.directory, state.server_major, settings.schema, kHistoryTable, {}, {}};
    for (const MigrationState& migration : state.migrations) {
      StatusMigrationView& shown = view.migrations.emplace_back();
      shown.status = status_word(migration.status);
      shown.version = migration.file.version;
      shown.name = migration.file.name;
      shown.display_path = migration.display_path;
      if (migration.status == MigrationState::Status::Partial) {
        shown.statements_applied = {migration.row->statements_applied, migration.row->statements_total};
        shown.interrupted_statement = migration.row->running_statement;
      } else if (migration.status == MigrationState::Status::Changed) {
        shown.checksums = {short_hash(migration.row->checksum), short_hash(migration.sha256)};
      }
      shown.script_error = migration.script_error;
      shown.unapproved = unapproved_views(migration);
      shown.out_of_order = migration.out_of_order;
    }
    for (const HistoryRow& row : state.missing_on_disk) {
      view.missing_on_disk.push_back(StatusMissingView{row.version, row.name});
    }
    write_status(out, view);
  });
}

namespace {

// Each pending migration's per-statement locks, from the lock model as `miglint locks` reads it:
// the files in migration order (applied ones for their schema facts), each planned the way the
// runner executes it, for the server's version.
std::map<std::string, FileLocks> planned_locks(const SetState& state) {
  std::vector<LintInput> inputs;
  for (const MigrationState& migration : state.migrations) {
    inputs.push_back(LintInput{migration.display_path, migration.file.path, migration.bytes,
                               migration.script.has_value()});
  }
  std::map<std::string, FileLocks> locks;
  RuleSet rules(all_rules(), {}, {});
  explain_locks_in_order(
      inputs, rules,
      [&](const std::string&) {
        LintOptions options;
        options.pg_version = state.server_major;
        options.execution = ExecutionMode::Runner;
        return options;
      },
      [&](const std::string& path, Expected<FileLocks>&& explained) {
        if (explained) {
          locks.emplace(path, std::move(*explained));
        }
      });
  return locks;
}

}  // namespace

int show_plan(const RunSettingsResolved& settings, std::ostream& out, std::ostream& err) {
  return show_state(settings, "plan", out, err, [&](const SetState& state) {
    note_approval_problems(settings.directory, settings, err);  // stale approvals, approvals of gone files
    std::map<std::string, FileLocks> locks = planned_locks(state);
    PlanView view;
    view.timeouts =
        PlanTimeouts{settings.lock_timeout, settings.concurrent_lock_timeout, settings.statement_timeout,
                     settings.concurrent_statement_timeout, settings.retries};
    view.directory = settings.directory;
    for (const MigrationState& migration : state.migrations) {
      if (!migration.script) {
        continue;
      }
      const MigrationScript& script = *migration.script;
      std::size_t done = migration.row ? static_cast<std::size_t>(migration.row->statements_applied) : 0;
      PlanMigrationView& shown = view.migrations.emplace_back();
      shown.version = migration.file.version;
      shown.name = migration.file.name;
      shown.display_path = migration.display_path;
      shown.mode = script_mode_name(script.mode);
      shown.statements = script.statements.size();
      shown.resuming_after = done;
      auto file_locks = locks.find(migration.display_path);
      for (const Segment& segment : script.segments) {
        if (segment.last <= done) {
          continue;
        }
        PlanSegmentView& shown_segment = shown.segments.emplace_back();
        shown_segment.kind = segment_kind_name(segment.kind);
        shown_segment.first = segment.first + 1;
        shown_segment.last = segment.last;
        if (segment.kind == Segment::Kind::Wrapped) {
          shown_segment.lock_timeout = postgres_duration(settings.lock_timeout);
        }
        for (std::size_t i = segment.first; i < segment.last; ++i) {
          const ScriptStatement& statement = script.statements[i];
          PlanStatementView& shown_statement = shown_segment.statements.emplace_back();
          shown_statement.start = statement.start;
          shown_statement.label = statement.label;
          if (file_locks != locks.end()) {
            for (const StatementLocks& statement_locks : file_locks->second.statements) {
              if (statement_locks.start == statement.start) {
                shown_statement.locks = &statement_locks;
              }
            }
          }
        }
      }
      shown.unapproved = unapproved_views(migration);
    }
    write_plan(out, view);
  });
}

}  // namespace miglint::runner
