#include "runner/runner.hpp"

#include <fmt/format.h>
#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <deque>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
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
#include "runner/alembic_runner.hpp"
#include "runner/applier.hpp"
#include "runner/approvals_check.hpp"
#include "runner/connection_string.hpp"
#include "runner/database.hpp"
#include "runner/history_lock.hpp"
#include "runner/layout.hpp"
#include "runner/plan_sizes.hpp"
#include "runner/script.hpp"
#include "runner/state.hpp"

namespace miglint::runner {

namespace fs = std::filesystem;
using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

namespace {

// The word `status` prints (its text predates the machine-readable states, and stays).
std::string_view status_word(const MigrationState& migration) {
  switch (migration.status) {
    case MigrationState::Status::Applied:
      return migration.rollback ? "partly rolled back" : "applied";
    case MigrationState::Status::Changed:
      return "CHANGED";
    case MigrationState::Status::Partial:
      return migration.running ? "running" : "partial";
    case MigrationState::Status::Pending:
      return migration.running ? "running" : migration.failure ? "failed" : "pending";
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

// Usage errors found before connecting (exit 2): no database, a migrations directory that is not
// there, a --target no migration has.
bool check_usage(const RunSettingsResolved& settings, std::ostream& err) {
  if (!check_database_settings(settings, err)) {
    return false;
  }
  if (settings.target) {
    // Two files with one version are refused later, with both named: only a version no file has is
    // a usage error.
    Expected<MigrationDirectory> directory = discover_migrations(settings.directory);
    if (directory &&
        std::none_of(directory->migrations.begin(), directory->migrations.end(),
                     [&](const MigrationFile& file) { return file.version == *settings.target; })) {
      err << fmt::format("miglint: error: --target {}: no migration in {} has this version\n",
                         escape_for_message(*settings.target), escape_for_message(settings.directory));
      return false;
    }
  }
  return true;
}

std::optional<FirstRefusedView> first_refused_view(const SetState& state) {
  if (!state.first_refused || state.refused_as_a_whole) {
    return std::nullopt;  // drift or history problems refuse every run: --target cannot help
  }
  const FirstRefused& first = *state.first_refused;
  FirstRefusedView view{first.version, first.display_path, std::nullopt, first.pending_before};
  if (first.target_before) {
    view.target_before = *first.target_before;
  }
  return view;
}

bool would_run(const MigrationState& migration) {
  return waits_to_run(migration) && migration.in_scope;
}

// Every migration as `status` shows it (text and JSON), and what the JSON documents say on top.
StatusView status_view(const SetState& state, const RunSettingsResolved& settings) {
  StatusView view;
  view.directory = settings.directory;
  view.server_major = state.server_major;
  view.schema = settings.schema;
  view.history_table = kHistoryTable;
  view.server_version = state.server_version;
  if (state.target) {
    view.target = *state.target;
  }
  view.refusals = state.refusals;
  view.first_refused = first_refused_view(state);
  for (const MigrationState& migration : state.migrations) {
    StatusMigrationView& shown = view.migrations.emplace_back();
    shown.status = status_word(migration);
    shown.state = state_name(migration);
    shown.version = migration.file.version;
    shown.name = migration.file.name;
    shown.display_path = migration.display_path;
    shown.checksum = migration.sha256;
    if (migration.row) {
      shown.recorded_checksum = migration.row->checksum;
      if (migration.row->success) {
        shown.applied_at = migration.row->applied_at;
        shown.duration_ms = migration.row->duration_ms;
      }
    }
    if (migration.status == MigrationState::Status::Partial) {
      shown.statements_applied = {migration.row->statements_applied, migration.row->statements_total};
      shown.interrupted_statement = migration.row->running_statement;
    } else if (migration.status == MigrationState::Status::Changed) {
      shown.checksums = {short_hash(migration.row->checksum), short_hash(migration.sha256)};
    }
    if (migration.rollback && migration.status == MigrationState::Status::Applied) {
      const RollbackInProgress& rollback = *migration.rollback;
      shown.rollback = RollbackStatusView{rollback.down_file, rollback.statements_applied,
                                          rollback.statements_total, rollback.running_statement};
    }
    if (migration.running) {
      shown.running = RunningView{migration.running->runner_pid, migration.running->backend_pid};
    }
    if (migration.failure && waits_to_run(migration)) {
      const FailedAttempt& failure = *migration.failure;
      shown.failure = FailureView{failure.attempted_at, failure.error, failure.sqlstate, failure.statement};
    }
    if (migration.backfill && migration.status == MigrationState::Status::Partial) {
      const BackfillProgress& backfill = *migration.backfill;
      shown.backfill = BackfillStatusView{backfill.statement,  backfill.rows_done,
                                          backfill.rows_total, backfill.rows_total_estimated,
                                          backfill.last_key,   backfill.upper_key};
    }
    shown.script_error = migration.script_error;
    shown.unapproved = unapproved_views(migration);
    shown.out_of_order = migration.out_of_order;
    shown.would_run = would_run(migration);
    view.pending += shown.would_run ? 1 : 0;
  }
  for (const HistoryRow& row : state.missing_on_disk) {
    // A view of the row's own text: `row.success ? row.applied_at : ""` would be a temporary
    // std::string, gone before the view is read (AddressSanitizer: heap-use-after-free).
    std::string_view applied_at = row.success ? std::string_view(row.applied_at) : std::string_view();
    view.missing_on_disk.push_back(
        StatusMissingView{row.version, row.name, row.checksum, applied_at, row.duration_ms});
  }
  return view;
}

// Writes through to another stream and keeps the first `miglint: error: ` line: the error of
// `run`'s JSON document is the one its text states.
class ErrorCapture : public std::streambuf {
 public:
  explicit ErrorCapture(std::ostream& target) : target_(target) {}
  std::string first_error() const {
    constexpr std::string_view kPrefix = "miglint: error: ";
    std::size_t at = text_.find(kPrefix);
    if (at == std::string::npos) {
      return {};
    }
    std::size_t end = text_.find('\n', at);
    return text_.substr(at + kPrefix.size(),
                        end == std::string::npos ? std::string::npos : end - at - kPrefix.size());
  }

 protected:
  int overflow(int c) override {
    if (c != traits_type::eof()) {
      text_.push_back(static_cast<char>(c));
      target_.put(static_cast<char>(c));
    }
    return c;
  }
  std::streamsize xsputn(const char* data, std::streamsize size) override {
    text_.append(data, static_cast<std::size_t>(size));
    target_.write(data, size);
    return size;
  }
  int sync() override {
    target_.flush();
    return 0;
  }

 private:
  std::ostream& target_;
  std::string text_;
};

}  // namespace

int run_migrations(const RunSettingsResolved& settings, std::ostream& out, std::ostream& err_stream) {
  if (std::optional<AlembicProject> alembic = alembic_project_for_run(settings)) {
    return run_alembic(*alembic, settings, out, err_stream);  // runner/alembic_runner.hpp
  }
  if (!check_usage(settings, err_stream)) {
    return kExitError;
  }
  const bool json = settings.format == RunnerFormat::Json;
  ErrorCapture capture(err_stream);
  std::ostream captured_err(&capture);
  std::ostream& err = json ? captured_err : err_stream;
  // With --format json, stdout carries the document alone: progress goes to stderr, as text.
  std::ostream& progress = json ? err : out;
  RunView report;
  report.directory = settings.directory;
  report.schema = settings.schema;
  report.history_table = kHistoryTable;
  if (settings.target) {
    report.target = *settings.target;
  }
  std::optional<SetState> state;
  // The exit status, and with --format json the document saying so.
  auto finish = [&](int code, std::string_view outcome) {
    if (json) {
      report.outcome = outcome;
      if (outcome == "failed" && !report.error) {
        report.error = RunErrorView{capture.first_error(), "", "", "", std::nullopt};
      }
      err.flush();
      write_run_json(out, report);
    }
    return code;
  };
  install_signal_handlers();
  Redactor redact(settings.database_url);
  const std::string run_id = new_run_id();
  const std::string application_name = run_application_name(run_id);
  Expected<std::unique_ptr<PgSession>> watch =
      PgSession::connect(settings.database_url, redact, application_name);
  if (!watch) {
    err << fmt::format("miglint: error: {}\n", watch.error().message);
    return finish(kExitError, "failed");
  }
  report.server_version = (*watch)->server_version();
  bool connection_lost = false;
  if (!acquire_runner_lock(**watch, settings, progress, err, connection_lost)) {
    return connection_lost ? finish(kExitError, "failed") : finish(kExitRefused, "refused");
  }
  Expected<std::unique_ptr<PgSession>> work =
      PgSession::connect(settings.database_url, redact, application_name);
  if (!work) {
    err << fmt::format("miglint: error: {}\n", work.error().message);
    return finish(kExitError, "failed");
  }
  Applier applier(settings, **work, **watch, progress, err, run_id);
  // The history is read only once no earlier runner's session can still write to it: a runner
  // whose lock session ended may still be finishing a statement.
  if (int waited = applier.wait_for_leftovers(); waited != kExitDone) {
    return finish(waited, waited == kExitRefused ? "refused" : "failed");
  }
  // Vetting comes before any write: a refused run leaves the database as it found it.
  Expected<SetState> loaded = load_state(settings, **watch);
  if (!loaded) {
    err << fmt::format("miglint: error: {}\n", loaded.error().message);
    return (*watch)->alive() ? finish(kExitRefused, "refused") : finish(kExitError, "failed");
  }
  state = std::move(*loaded);
  refuse_partly_rolled_back(*state);
  report.refusals = state->refusals;
  report.first_refused = first_refused_view(*state);
  if (state->refused()) {
    write_refusals(err, "miglint: refusing to run: nothing was applied", state->refusals);
    for (const MigrationState& migration : state->migrations) {
      print_unapproved(migration, err, "    ");
      if (!migration.unapproved.empty()) {
        report.unapproved.push_back(
            RunUnapprovedView{migration.file.version, migration.display_path, unapproved_views(migration)});
      }
    }
    if (report.first_refused) {
      write_first_refused(err, *report.first_refused);
    }
    return finish(kExitRefused, "refused");
  }
  std::vector<MigrationState*> pending;
  for (MigrationState& migration : state->migrations) {
    if (would_run(migration)) {
      pending.push_back(&migration);
    }
  }
  report.pending = pending.size();
  if (pending.empty()) {
    if (state->target) {
      write_target_applied(progress, *state->target);
    } else {
      write_nothing_to_do(progress, state->migrations.size(), settings.directory);
    }
    return finish(kExitDone, "done");
  }
  if (!ensure_history_table(**work, settings.schema, err)) {
    return (*work)->alive() ? finish(kExitRefused, "failed") : finish(kExitError, "failed");
  }
  (*work)->show_notices(&progress);
  for (MigrationState* migration : pending) {
    auto started = Clock::now();
    int status = applier.apply(*migration);
    if (status != kExitDone) {
      if (const std::optional<FailedAttempt>& failed = applier.last_failure()) {
        report.error = RunErrorView{failed->error, failed->sqlstate, failed->version, migration->display_path,
                                    failed->statement};
      } else {
        report.error = RunErrorView{capture.first_error(), "", migration->file.version,
                                    migration->display_path, std::nullopt};
      }
      return finish(status, "failed");
    }
    report.applied.push_back(
        AppliedView{migration->file.version, migration->file.name, migration->display_path,
                    std::chrono::duration_cast<milliseconds>(Clock::now() - started).count(),
                    migration->script->statements.size()});
  }
  (*watch)->query("SELECT pg_advisory_unlock(hashtextextended($1, 0))", {lock_key_text(settings.schema)});
  write_applied(progress, pending.size());
  return finish(kExitDone, "done");
}

namespace {

// Connects, reads the state (no writes) and hands it to `show`; the exit status of `status` and `plan`.
int show_state(const RunSettingsResolved& settings, const std::string& command, std::ostream& out,
               std::ostream& err, const std::function<void(const SetState&)>& show) {
  if (!check_usage(settings, err)) {
    return kExitError;
  }
  ReadState read;
  if (int status = read_state(settings, "miglint-" + command, err, read); status != kExitDone) {
    return status;
  }
  SetState* state = &read.state;
  refuse_partly_rolled_back(*state);
  if (std::string problem = mark_running(*state, *read.session, settings.schema); !problem.empty()) {
    err << fmt::format("miglint: error: {}\n", problem);
    return read.session->alive() ? kExitRefused : kExitError;
  }
  show(*state);
  if (state->refused()) {
    if (settings.format == RunnerFormat::Text) {
      write_refusals(out, "miglint run would refuse:", state->refusals);
      if (std::optional<FirstRefusedView> first = first_refused_view(*state)) {
        write_first_refused(out, *first);
      }
    }
    return kExitRefused;
  }
  if (settings.exit_code &&
      std::any_of(state->migrations.begin(), state->migrations.end(),
                  [](const MigrationState& migration) { return waits_to_run(migration); })) {
    return kExitPending;
  }
  return kExitDone;
}

}  // namespace

int show_status(const RunSettingsResolved& settings, std::ostream& out, std::ostream& err) {
  if (std::optional<AlembicProject> alembic = alembic_project_for_run(settings)) {
    return show_alembic_status(*alembic, settings, out, err);
  }
  return show_state(settings, "status", out, err, [&](const SetState& state) {
    StatusView view = status_view(state, settings);
    if (settings.format == RunnerFormat::Json) {
      write_status_json(out, view);
    } else {
      write_status(out, view);
    }
  });
}

namespace {

// Each pending migration's per-statement locks, from the lock model as `miglint locks` reads it:
// the files in migration order (applied ones for their schema facts), each planned the way the
// runner executes it, for the server's version.
std::map<std::string, FileLocks> planned_locks(const SetState& state) {
  std::vector<LintInput> inputs;
  for (const MigrationState& migration : state.migrations) {
    inputs.push_back(LintInput{migration.display_path, migration.file.path, std::nullopt,
                               migration.script.has_value(), migration.bytes});
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
  if (std::optional<AlembicProject> alembic = alembic_project_for_run(settings)) {
    return show_alembic_plan(*alembic, settings, out, err);
  }
  return show_state(settings, "plan", out, err, [&](const SetState& state) {
    note_approval_problems(settings.directory, settings, err);  // stale approvals, approvals of gone files
    std::map<std::string, FileLocks> locks = planned_locks(state);
    PlanView view;
    view.timeouts =
        PlanTimeouts{settings.lock_timeout, settings.concurrent_lock_timeout, settings.statement_timeout,
                     settings.concurrent_statement_timeout, settings.retries};
    view.directory = settings.directory;
    if (state.target) {
      view.target = *state.target;
    }
    for (const MigrationState& migration : state.migrations) {
      if (!migration.script || !migration.in_scope) {
        continue;  // nothing to run, or beyond --target
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
      // Each statement's entry of the lock model, by where it starts (the last one there): a binary
      // search, not a scan of the file's entries per statement (a file of 450,000 statements took
      // hours), in a sorted vector of pointers rather than a map (a node per statement).
      std::vector<const StatementLocks*> locks_by_start;
      if (file_locks != locks.end()) {
        locks_by_start.reserve(file_locks->second.statements.size());
        for (const StatementLocks& statement_locks : file_locks->second.statements) {
          locks_by_start.push_back(&statement_locks);
        }
        std::stable_sort(
            locks_by_start.begin(), locks_by_start.end(),
            [](const StatementLocks* a, const StatementLocks* b) { return a->start < b->start; });
      }
      auto locks_at = [&](Position start) -> const StatementLocks* {
        auto after =
            std::upper_bound(locks_by_start.begin(), locks_by_start.end(), start,
                             [](Position at, const StatementLocks* entry) { return at < entry->start; });
        return after != locks_by_start.begin() && (*std::prev(after))->start == start ? *std::prev(after)
                                                                                      : nullptr;
      };
      const std::string_view file_text = *migration.bytes;
      for (const Segment& segment : script.segments) {
        if (segment.last <= done) {
          continue;
        }
        PlanSegmentView& shown_segment = shown.segments.emplace_back();
        // A backfill runs in batches, each its own transaction (docs/runner.md, "Managed backfills").
        shown_segment.kind =
            script.statements[segment.first].backfill ? "backfill" : segment_kind_name(segment.kind);
        const ScriptStatement& opening = script.statements[segment.first];
        shown_segment.transactional = segment.kind != Segment::Kind::Autocommit ||
                                      !(opening.outside_transaction || opening.controls_transaction);
        shown_segment.first = segment.first + 1;
        shown_segment.last = segment.last;
        if (segment.kind == Segment::Kind::Wrapped || script.statements[segment.first].backfill) {
          shown_segment.lock_timeout = postgres_duration(settings.lock_timeout);
        }
        for (std::size_t i = segment.first; i < segment.last; ++i) {
          const ScriptStatement& statement = script.statements[i];
          PlanStatementView& shown_statement = shown_segment.statements.emplace_back();
          shown_statement.start = statement.start;
          shown_statement.sql =
              file_text.substr(statement.span.begin, statement.span.end - statement.span.begin);
          shown_statement.locks = locks_at(statement.start);
        }
      }
      shown.unapproved = unapproved_views(migration);
    }
    std::deque<Finding> sized_findings;  // the unapproved findings with their tables' sizes
    add_plan_sizes(settings, view, sized_findings, err);
    if (settings.format == RunnerFormat::Json) {
      write_plan_json(out, status_view(state, settings), view);
      return;
    }
    write_plan(out, view);
  });
}

}  // namespace miglint::runner
