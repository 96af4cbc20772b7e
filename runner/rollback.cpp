#include "runner/rollback.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <memory>
#include <ostream>

#include "analyzer/engine/linter.hpp"
#include "analyzer/project/approvals.hpp"
#include "analyzer/project/discover.hpp"
#include "analyzer/report/down_report.hpp"
#include "analyzer/report/runner_report.hpp"
#include "analyzer/text/hash.hpp"
#include "analyzer/text/message_text.hpp"
#include "runner/backfill_table.hpp"
#include "runner/history_lock.hpp"
#include "runner/sql_identifier.hpp"
#include "runner/verdict.hpp"
#include "settings/settings.hpp"

namespace miglint::runner {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

std::string ensure_rollbacks_table(PgSession& session, const std::string& schema) {
  PgOutcome created =
      session.query(fmt::format("CREATE TABLE IF NOT EXISTS {} (version text PRIMARY KEY, name text NOT "
                                "NULL, up_checksum text NOT NULL, "
                                "down_file text NOT NULL, down_checksum text NOT NULL, statements_applied "
                                "int NOT NULL, statements_total int "
                                "NOT NULL, running_statement int, started_at timestamptz NOT NULL, "
                                "finished_at timestamptz, rolled_back_by "
                                "text, run_id text)",
                                rollbacks_table(schema)));
  return created.ok ? std::string() : created.error.message;
}

Expected<MigrationState> down_migration_state(const SetState& state, const MigrationState& up, int pg_major) {
  DownLookup lookup = find_down_migration(state.directory, up.file, *up.bytes);
  if (!lookup.error.empty()) {
    return Error{fmt::format("{}: the down migration of version {}: {}", up.display_path, up.file.version,
                             escape_for_message(lookup.error))};
  }
  if (!lookup.found) {
    return Error{fmt::format("{}: version {} has no down migration{}", up.display_path, up.file.version,
                             lookup.expected.empty()
                                 ? std::string(" (this layout has none)")
                                 : fmt::format(" (expected {})", escape_for_message(lookup.expected)))};
  }
  DownFile& down = *lookup.found;
  MigrationState migration;
  migration.file = MigrationFile{up.file.version, up.file.name, down.path, down.relative_path};
  migration.display_path =
      escape_for_message(normalize_display_path(state.directory + "/" + down.relative_path));
  migration.order = up.order;
  migration.sha256 = sha256_hex(down.bytes);
  SourceFile source(migration.display_path, down.planned_text);
  Expected<MigrationScript> script = plan_script(source, pg_major);
  if (!script) {
    return Error{script.error().message};
  }
  script->executed = down.executed;
  migration.script = std::move(*script);
  migration.bytes = std::make_shared<const std::string>(std::move(down.bytes));
  for (std::string& refusal : unnamed_concurrent_builds(migration)) {
    return Error{std::move(refusal)};
  }
  return migration;
}

void vet_down_migration(const SetState& state, const MigrationState& up, MigrationState& down,
                        const RunSettingsResolved& settings) {
  std::vector<LintInput> inputs;
  // The migrations up to this one, for the schema facts the down migration runs against.
  for (const MigrationState& migration : state.migrations) {
    if (migration.order <= up.order && migration.bytes && !migration.bytes->empty() &&
        migration.file.path != down.file.path) {
      inputs.push_back(
          LintInput{migration.display_path, migration.file.path, std::nullopt, false, migration.bytes});
    }
  }
  inputs.push_back(LintInput{down.display_path, down.file.path, std::nullopt, true, down.bytes});
  SettingsResolver resolver(settings.config);
  auto approvals = std::make_shared<ApprovalsCache>(settings.directory);
  RunnerTimeouts timeouts = runner_timeouts(settings);
  KnownExecution planned = [&](const std::string& path) -> std::optional<RunExecution> {
    if (path == down.display_path) {
      return run_execution(*down.script);
    }
    return std::nullopt;
  };
  lint_inputs(
      inputs, 0,
      [&](const std::string& path) {
        return vetting_setup(resolver.file_settings(path), state.server_major, timeouts, approvals, resolver,
                             planned);
      },
      [&](FileResult&& result) {
        if (result.context_only || result.path != down.display_path) {
          return;
        }
        for (Finding& finding : result.findings) {
          if (finding.needs_approval) {
            std::string why = finding.vetting_note;
            down.unapproved.push_back(Unapproved{std::move(finding), std::move(why)});
          }
        }
        for (const InputError& error : result.errors) {
          down.script_error = fmt::format("{}: {}", error.path, escape_for_message(error.message));
        }
      });
}

Applier::StepResult DownApplier::record(const MigrationState& migration, std::size_t applied,
                                        std::optional<int> running) {
  const std::size_t total = migration.script->statements.size();
  const bool finished = applied == total;
  auto text = [](std::optional<int> value) {
    return value ? std::optional<std::string>(std::to_string(*value)) : std::nullopt;
  };
  const std::string table = rollbacks_table(settings_.schema);
  std::vector<std::optional<std::string>> params{migration.file.version,
                                                 migration.file.name,
                                                 up_checksum_,
                                                 migration.file.relative_path,
                                                 migration.sha256,
                                                 std::to_string(applied),
                                                 std::to_string(total),
                                                 text(running),
                                                 finished ? "true" : "false",
                                                 run_id_};
  // The last step marks the rollback finished and deletes the up migration's history row: outside a
  // transaction (a down migration ending with a CONCURRENTLY statement) the two writes are made one,
  // or a kill between them would leave a finished rollback and a migration still shown applied.
  const bool own_transaction = finished && !work_.in_transaction();
  if (own_transaction) {
    if (PgOutcome begun = work_.query("BEGIN"); !begun.ok) {
      return StepResult{false, begun.error};
    }
  }
  PgOutcome outcome;
  if (!mark_.exists) {
    // A finished rollback of an earlier cycle is replaced; a rollback in progress (another runner's) is not.
    outcome = work_.query(
        fmt::format(
            "INSERT INTO {0} AS r (version, name, up_checksum, down_file, down_checksum, statements_applied, "
            "statements_total, running_statement, started_at, finished_at, rolled_back_by, run_id) VALUES "
            "($1, "
            "$2, $3, $4, $5, $6::int, $7::int, $8::int, now(), CASE WHEN $9::boolean THEN now() END, "
            "session_user, $10) ON CONFLICT (version) DO UPDATE SET name = excluded.name, up_checksum = "
            "excluded.up_checksum, down_file = excluded.down_file, down_checksum = excluded.down_checksum, "
            "statements_applied = excluded.statements_applied, statements_total = excluded.statements_total, "
            "running_statement = excluded.running_statement, started_at = excluded.started_at, finished_at = "
            "excluded.finished_at, rolled_back_by = excluded.rolled_back_by, run_id = excluded.run_id WHERE "
            "r.finished_at IS NOT NULL RETURNING version",
            table),
        params);
  } else {
    params.push_back(std::to_string(mark_.applied));
    params.push_back(text(mark_.running));
    outcome = work_.query(
        fmt::format(
            "UPDATE {} SET statements_applied = $6::int, running_statement = $8::int, finished_at = CASE "
            "WHEN "
            "$9::boolean THEN now() END, run_id = $10 WHERE version = $1 AND up_checksum = $3 AND "
            "down_checksum "
            "= $5 AND finished_at IS NULL AND statements_applied = $11::int AND running_statement IS NOT "
            "DISTINCT FROM $12::int AND $2::text IS NOT NULL AND $4::text IS NOT NULL AND $7::int IS NOT "
            "NULL "
            "RETURNING version",
            table),
        params);
  }
  if (outcome.ok && !outcome.rows.empty() && finished) {
    outcome = work_.query(
        fmt::format(
            "DELETE FROM {} WHERE version = $1 AND success AND checksum_sha256 = $2 RETURNING version",
            table_),
        {migration.file.version, up_checksum_});
    // Its backfills' progress goes with it: applied again, it backfills afresh (a finished progress
    // row left behind would make that run skip every row).
    if (outcome.ok && !outcome.rows.empty()) {
      Expected<int> dropped =
          delete_backfill_progress(work_, settings_.schema, migration.file.version, up_checksum_);
      if (!dropped) {
        outcome = PgOutcome{false, {}, PgError{"", dropped.error().message, "", !work_.alive()}};
      }
    }
  }
  if (own_transaction) {
    if (outcome.ok && !outcome.rows.empty()) {
      if (PgOutcome committed = work_.query("COMMIT"); !committed.ok) {
        return StepResult{false, committed.error};
      }
    } else {
      work_.query("ROLLBACK");
    }
  }
  if (!outcome.ok) {
    return StepResult{false, outcome.error};
  }
  if (outcome.rows.empty()) {
    StepResult conflict{false, PgError{}, true};
    conflict.error.message = fmt::format(
        "{}: the history of version {} is not what this runner read: another runner changed it; stopping, "
        "nothing more is rolled back",
        migration.display_path, migration.file.version);
    return conflict;
  }
  HistoryMark written{true, static_cast<int>(applied), running};
  if (work_.in_transaction()) {
    staged_ = written;
  } else {
    mark_ = written;
    mark_written_ = true;
  }
  return {};
}

namespace {

struct Target {
  const MigrationState* up = nullptr;
  MigrationState down;
};

}  // namespace

int rollback_migrations(const RunSettingsResolved& settings, const RollbackRequest& request,
                        std::ostream& out, std::ostream& err_stream) {
  if (!check_database_settings(settings, err_stream)) {
    return kExitError;
  }
  const bool json = settings.format == RunnerFormat::Json;
  std::ostream& err = err_stream;
  std::ostream& progress = json ? err : out;
  RollbackView report;
  report.directory = settings.directory;
  report.schema = settings.schema;
  report.history_table = kHistoryTable;
  report.to = request.to;
  auto finish = [&](int code, std::string_view outcome) {
    if (json) {
      report.outcome = outcome;
      write_rollback_json(out, report);
    }
    return code;
  };
  auto fail = [&](int code, std::string message) {
    err << fmt::format("miglint: error: {}\n", message);
    if (!report.error) {
      report.error = RollbackErrorView{std::move(message), "", "", "", std::nullopt};
    }
    return finish(code, code == kExitRefused && report.rolled_back.empty() ? "refused" : "failed");
  };
  if (request.to) {
    Expected<MigrationDirectory> directory = discover_migrations(settings.directory);
    if (directory && std::none_of(directory->migrations.begin(), directory->migrations.end(),
                                  [&](const MigrationFile& file) { return file.version == *request.to; })) {
      err << fmt::format("miglint: error: --to {}: no migration in {} has this version\n",
                         escape_for_message(*request.to), escape_for_message(settings.directory));
      return kExitError;
    }
  }
  Redactor redact(settings.database_url);
  const std::string run_id = new_run_id();
  const std::string application_name = "miglint/" + run_id;
  Expected<std::unique_ptr<PgSession>> watch =
      PgSession::connect(settings.database_url, redact, application_name);
  if (!watch) {
    return fail(kExitError, watch.error().message);
  }
  report.server_version = (*watch)->server_version();
  bool connection_lost = false;
  if (!acquire_runner_lock(**watch, settings, progress, err, connection_lost)) {
    return finish(connection_lost ? kExitError : kExitRefused, connection_lost ? "failed" : "refused");
  }
  Expected<std::unique_ptr<PgSession>> work =
      PgSession::connect(settings.database_url, redact, application_name);
  if (!work) {
    return fail(kExitError, work.error().message);
  }
  Applier leftovers(settings, **work, **watch, progress, err, run_id);
  if (int waited = leftovers.wait_for_leftovers(); waited != kExitDone) {
    return finish(waited, waited == kExitRefused ? "refused" : "failed");
  }
  Expected<SetState> loaded = load_state(settings, **watch);
  if (!loaded) {
    return fail((*watch)->alive() ? kExitRefused : kExitError, loaded.error().message);
  }
  SetState& state = *loaded;
  Expected<std::map<std::string, RollbackInProgress>> in_progress =
      read_rollbacks_in_progress(**watch, settings.schema);
  if (!in_progress) {
    return fail((*watch)->alive() ? kExitRefused : kExitError, in_progress.error().message);
  }
  std::vector<std::string>& refusals = report.refusals;
  if (state.refused_as_a_whole) {
    // Drift (a changed or missing applied file) refuses a rollback as it refuses a run.
    refusals = state.refusals;
  }
  std::vector<const MigrationState*> applied;
  for (const MigrationState& migration : state.migrations) {
    if (migration.status == MigrationState::Status::Applied) {
      applied.push_back(&migration);
    } else if (migration.status == MigrationState::Status::Partial) {
      refusals.push_back(fmt::format(
          "{}: version {} is partly applied: finish it with `miglint run` (or fix it) before rolling back",
          migration.display_path, migration.file.version));
    }
  }
  std::vector<Target> targets;
  if (request.to) {
    std::size_t to_order = 0;
    for (const MigrationState& migration : state.migrations) {
      if (migration.file.version == *request.to) {
        to_order = migration.order;
      }
    }
    for (auto it = applied.rbegin(); it != applied.rend() && (*it)->order > to_order; ++it) {
      targets.push_back(Target{*it, {}});
    }
  } else {
    const std::size_t steps = static_cast<std::size_t>(request.steps.value_or(1));
    if (steps > applied.size() && request.steps) {
      refusals.push_back(fmt::format("--steps {}: only {} migration{} applied", steps, applied.size(),
                                     applied.size() == 1 ? " is" : "s are"));
    }
    for (auto it = applied.rbegin(); it != applied.rend() && targets.size() < steps; ++it) {
      targets.push_back(Target{*it, {}});
    }
  }
  for (const auto& [version, rollback] : *in_progress) {
    if (targets.empty() || targets.front().up->file.version != version) {
      refusals.push_back(fmt::format(
          "version {} was partly rolled back ({} of {} statements of its down migration): roll it back first "
          "(it must be the last applied migration)",
          escape_for_message(version), rollback.statements_applied, rollback.statements_total));
    }
  }
  for (Target& target : targets) {
    Expected<MigrationState> down = down_migration_state(state, *target.up, state.server_major);
    if (!down) {
      refusals.push_back(down.error().message);
      continue;
    }
    target.down = std::move(*down);
    if (auto resumed = in_progress->find(target.up->file.version); resumed != in_progress->end()) {
      if (resumed->second.down_checksum != target.down.sha256) {
        refusals.push_back(fmt::format(
            "{}: changed after its rollback started ({} of {} statements applied): restore it",
            target.down.display_path, resumed->second.statements_applied, resumed->second.statements_total));
      }
      HistoryRow row;
      row.version = target.up->file.version;
      row.name = target.up->file.name;
      row.checksum = target.down.sha256;
      row.statements_applied = resumed->second.statements_applied;
      row.statements_total = resumed->second.statements_total;
      row.running_statement = resumed->second.running_statement;
      target.down.row = row;
      target.down.status = MigrationState::Status::Partial;
    }
    vet_down_migration(state, *target.up, target.down, settings);
    if (!target.down.script_error.empty()) {
      refusals.push_back(target.down.script_error);
    }
    if (!target.down.unapproved.empty()) {
      refusals.push_back(fmt::format(
          "{}: {} finding{} need{} approval", target.down.display_path, target.down.unapproved.size(),
          target.down.unapproved.size() == 1 ? "" : "s", target.down.unapproved.size() == 1 ? "s" : ""));
    }
  }
  if (!refusals.empty()) {
    write_refusals(err, "miglint: refusing to roll back: nothing was changed", refusals);
    for (const Target& target : targets) {
      print_unapproved(target.down, err, "    ");
    }
    return finish(kExitRefused, "refused");
  }
  report.steps = targets.size();
  if (targets.empty()) {
    write_rollback_done(progress, report, std::nullopt);
    return finish(kExitDone, "done");
  }
  if (!ensure_history_table(**work, settings.schema, err)) {
    return finish((*work)->alive() ? kExitRefused : kExitError, "failed");
  }
  if (std::string problem = ensure_rollbacks_table(**work, settings.schema); !problem.empty()) {
    return fail((*work)->alive() ? kExitRefused : kExitError,
                fmt::format("cannot create {}: {}", kRollbacksTable, problem));
  }
  (*work)->show_notices(&progress);
  for (Target& target : targets) {
    write_rolling_back(progress, target.up->file.version, target.up->file.name, target.down.display_path);
    auto started = Clock::now();
    DownApplier applier(settings, **work, **watch, progress, err, run_id, target.up->row->checksum);
    int status = applier.apply(target.down);
    if (status != kExitDone) {
      if (const std::optional<FailedAttempt>& failed = applier.last_failure()) {
        report.error = RollbackErrorView{failed->error, failed->sqlstate, failed->version,
                                         target.down.display_path, failed->statement};
      } else {
        report.error = RollbackErrorView{"the rollback stopped (see the error above)", "",
                                         target.up->file.version, target.down.display_path, std::nullopt};
      }
      return finish(status, "failed");
    }
    report.rolled_back.push_back(
        RolledBackView{target.up->file.version, target.up->file.name, target.down.display_path,
                       std::chrono::duration_cast<milliseconds>(Clock::now() - started).count(),
                       target.down.script->statements.size()});
  }
  (*watch)->query("SELECT pg_advisory_unlock(hashtextextended($1, 0))", {lock_key_text(settings.schema)});
  std::optional<std::string_view> now_last;
  for (const MigrationState* migration : applied) {
    if (migration->order < targets.back().up->order) {
      now_last = migration->file.version;
    }
  }
  if (!json) {
    write_rollback_done(progress, report, now_last);
  }
  return finish(kExitDone, "done");
}

}  // namespace miglint::runner
