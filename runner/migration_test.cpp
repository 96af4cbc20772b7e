#include "runner/migration_test.hpp"

#include <fmt/format.h>

#include <ostream>
#include <sstream>

#include "analyzer/report/down_report.hpp"
#include "analyzer/text/message_text.hpp"
#include "runner/alembic_migration_test.hpp"
#include "runner/alembic_runner.hpp"
#include "runner/applier.hpp"
#include "runner/history_lock.hpp"
#include "runner/rollback.hpp"
#include "runner/schema_snapshot.hpp"
#include "runner/state.hpp"

namespace miglint::runner {

namespace {

using Kind = TestProblemView::Kind;

std::vector<SchemaDifferenceView> difference_views(const std::vector<SchemaDifference>& differences) {
  std::vector<SchemaDifferenceView> views;
  for (const SchemaDifference& difference : differences) {
    views.push_back(SchemaDifferenceView{difference.object, difference.before, difference.after});
  }
  return views;
}

// The relations of the schemas that are not PostgreSQL's own: a database to test on holds none.
Expected<std::vector<std::string>> user_relations(PgSession& session) {
  PgOutcome found = session.query(
      "SELECT format('%I.%I', n.nspname, c.relname) FROM pg_class c JOIN pg_namespace n ON n.oid = "
      "c.relnamespace "
      "WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND n.nspname NOT IN ('pg_catalog', "
      "'information_schema') "
      "AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp\\_%' ORDER BY 1");
  if (!found.ok) {
    return Error{fmt::format("cannot list the database's tables: {}", found.error.message)};
  }
  std::vector<std::string> names;
  for (const PgRow& row : found.rows) {
    names.push_back(escape_for_message(row[0].value_or("")));
  }
  return names;
}

// The last `miglint: error: ` line written, without its prefix.
std::string last_error(const std::string& text) {
  constexpr std::string_view kPrefix = "miglint: error: ";
  std::size_t at = text.rfind(kPrefix);
  if (at == std::string::npos) {
    return "the migration stopped";
  }
  std::size_t end = text.find('\n', at);
  return text.substr(at + kPrefix.size(),
                     end == std::string::npos ? std::string::npos : end - at - kPrefix.size());
}

}  // namespace

void write_test_view(std::ostream& out, const TestView& view, const std::string& format) {
  if (format == "json") {
    write_test_json(out, view);
  } else if (format == "sarif") {
    write_test_sarif(out, view);
  } else {
    write_test_result(out, view);
  }
}

Expected<std::string> nonempty_database_refusal(PgSession& session, bool allow_nonempty) {
  Expected<std::vector<std::string>> relations = user_relations(session);
  if (!relations) {
    return relations.error();
  }
  if (relations->empty() || allow_nonempty) {
    return std::string();
  }
  std::vector<std::string> shown(relations->begin(),
                                 relations->begin() + std::min<std::size_t>(3, relations->size()));
  return fmt::format(
      "the database holds {} table{} ({}{}): miglint test creates and drops objects, so it needs an empty "
      "throwaway database (--ephemeral starts one); --allow-nonempty tests on this one anyway",
      relations->size(), relations->size() == 1 ? "" : "s", fmt::join(shown, ", "),
      relations->size() > 3 ? ", ..." : "");
}

int test_migrations(const RunSettingsResolved& settings, const MigrationTestRequest& request,
                    std::ostream& out, std::ostream& err) {
  if (!check_database_settings(settings, err)) {
    return kExitError;
  }
  if (std::optional<AlembicProject> alembic = alembic_project_for_run(settings)) {
    return test_alembic_migrations(*alembic, settings, request, out, err);
  }
  const bool text = request.format == "text";
  TestView view;
  view.directory = settings.directory;
  auto finish = [&](int code, std::string_view outcome) {
    view.outcome = outcome;
    write_test_view(out, view, request.format);
    return code;
  };
  auto phase_done = [&](std::string line) {
    if (text) {
      write_test_phase(out, line);
    }
    view.phases_done.push_back(std::move(line));
  };
  Redactor redact(settings.database_url);
  const std::string run_id = new_run_id();
  const std::string application_name = "miglint/" + run_id;
  Expected<std::unique_ptr<PgSession>> watch =
      PgSession::connect(settings.database_url, redact, application_name);
  if (!watch) {
    err << fmt::format("miglint: error: {}\n", watch.error().message);
    return kExitError;
  }
  view.server_version = (*watch)->server_version();
  Expected<std::string> nonempty = nonempty_database_refusal(**watch, request.allow_nonempty);
  if (!nonempty) {
    err << fmt::format("miglint: error: {}\n", nonempty.error().message);
    return (*watch)->alive() ? kExitRefused : kExitError;
  }
  if (!nonempty->empty()) {
    view.refusals.push_back(std::move(*nonempty));
    return finish(kExitRefused, "refused");
  }
  bool connection_lost = false;
  std::ostringstream quiet;  // the applier's progress lines: `test` says what it does per phase
  if (!acquire_runner_lock(**watch, settings, quiet, err, connection_lost)) {
    return connection_lost ? kExitError : kExitRefused;
  }
  Expected<std::unique_ptr<PgSession>> work =
      PgSession::connect(settings.database_url, redact, application_name);
  if (!work) {
    err << fmt::format("miglint: error: {}\n", work.error().message);
    return kExitError;
  }
  std::ostringstream applier_errors;
  if (int waited = Applier(settings, **work, **watch, quiet, err, run_id).wait_for_leftovers();
      waited != kExitDone) {
    return waited;
  }
  Expected<SetState> loaded = load_state(settings, **watch);
  if (!loaded) {
    err << fmt::format("miglint: error: {}\n", loaded.error().message);
    return (*watch)->alive() ? kExitRefused : kExitError;
  }
  SetState& state = *loaded;
  if (state.refused_as_a_whole) {
    view.refusals = state.refusals;
    return finish(kExitRefused, "refused");
  }
  for (const MigrationState& migration : state.migrations) {
    if (migration.status != MigrationState::Status::Pending || migration.failure) {
      view.refusals.push_back(
          fmt::format("{}: version {} is already in the history ({}): miglint test needs a database where no "
                      "migration ran",
                      migration.display_path, migration.file.version, state_name(migration)));
    }
  }
  if (!view.refusals.empty()) {
    return finish(kExitRefused, "refused");
  }
  const std::vector<MigrationState>& ups = state.migrations;
  view.migrations = ups.size();
  auto problem_at = [&](Kind kind, const MigrationState& migration, std::string file, std::string phase,
                        std::string error, std::vector<SchemaDifference> differences = {}) {
    view.problem = TestProblemView{kind,
                                   migration.file.version,
                                   migration.file.name,
                                   std::move(file),
                                   std::move(phase),
                                   escape_for_message(error),
                                   difference_views(differences)};
    return finish(kExitRefused, "failed");
  };
  // Every migration's down migration, before anything runs.
  std::vector<MigrationState> downs;
  for (const MigrationState& up : ups) {
    if (!up.script) {
      return problem_at(Kind::UpFailed, up, up.display_path, "planning", up.script_error);
    }
    DownLookup lookup = find_down_migration(state.directory, up.file, *up.bytes);
    if (!lookup.found && lookup.error.empty()) {
      return problem_at(Kind::MissingDown, up, up.display_path, "planning",
                        lookup.expected.empty() ? std::string("this layout has no down migrations")
                                                : fmt::format("expected {}", lookup.expected));
    }
    Expected<MigrationState> down = down_migration_state(state, up, state.server_major);
    if (!down) {
      return problem_at(Kind::DownFailed, up, up.display_path, "planning", down.error().message);
    }
    downs.push_back(std::move(*down));
  }
  if (!ensure_history_table(**work, settings.schema, err)) {
    return (*work)->alive() ? kExitRefused : kExitError;
  }
  if (std::string problem = ensure_rollbacks_table(**work, settings.schema); !problem.empty()) {
    err << fmt::format("miglint: error: cannot create {}: {}\n", kRollbacksTable, problem);
    return (*work)->alive() ? kExitRefused : kExitError;
  }
  bool lost = false;  // the database or the lock is gone: exit 2, no verdict
  auto error_of = [&](const Applier& applier) {
    if (const std::optional<FailedAttempt>& failed = applier.last_failure()) {
      return failed->statement
                 ? fmt::format("statement {}: {}{}", *failed->statement, failed->error,
                               failed->sqlstate.empty() ? "" : " (SQLSTATE " + failed->sqlstate + ")")
                 : failed->error;
    }
    return last_error(applier_errors.str());
  };
  auto up = [&](std::size_t i, std::string& error) {
    MigrationState migration = ups[i];
    migration.row.reset();
    migration.status = MigrationState::Status::Pending;
    Applier applier(settings, **work, **watch, quiet, applier_errors, run_id);
    int status = applier.apply(migration);
    if (status != kExitDone) {
      error = error_of(applier);
      lost = status == kExitError;
    }
    return status == kExitDone;
  };
  auto down = [&](std::size_t i, std::string& error) {
    MigrationState migration = downs[i];
    DownApplier applier(settings, **work, **watch, quiet, applier_errors, run_id, ups[i].sha256);
    int status = applier.apply(migration);
    if (status != kExitDone) {
      error = error_of(applier);
      lost = status == kExitError;
    }
    return status == kExitDone;
  };
  auto snapshot = [&](SchemaSnapshot& into) {
    Expected<SchemaSnapshot> read = read_schema_snapshot(**watch, settings.schema);
    if (!read) {
      err << fmt::format("miglint: error: {}\n", read.error().message);
      lost = true;
      return false;
    }
    into = std::move(*read);
    return true;
  };
  auto stopped = [&]() -> std::optional<int> {
    if (lost) {
      err << fmt::format("miglint: error: {}\n", last_error(applier_errors.str()));
      return kExitError;
    }
    if (g_interrupted) {
      err << "miglint: error: interrupted\n";
      return finish(kExitRefused, "interrupted");
    }
    return std::nullopt;
  };
  std::string error;
  std::vector<SchemaSnapshot> before(ups.size());
  // 1. Everything up (the schema before each migration kept, to explain a failure later).
  for (std::size_t i = 0; i < ups.size(); ++i) {
    if (!snapshot(before[i]) || g_interrupted) {
      return *stopped();
    }
    if (!up(i, error)) {
      if (auto code = stopped()) {
        return *code;
      }
      return problem_at(Kind::UpFailed, ups[i], ups[i].display_path, "apply all", error);
    }
  }
  phase_done(fmt::format("apply all: {} migration{} applied", ups.size(), ups.size() == 1 ? "" : "s"));
  // 2. Everything down, newest first.
  auto roll_back_all = [&](std::string_view phase) -> std::optional<int> {
    for (std::size_t i = ups.size(); i-- > 0;) {
      if (g_interrupted) {
        return stopped();
      }
      if (!down(i, error)) {
        if (auto code = stopped()) {
          return code;
        }
        return problem_at(Kind::DownFailed, ups[i], downs[i].display_path, std::string(phase), error);
      }
    }
    return std::nullopt;
  };
  if (auto code = roll_back_all("roll back all")) {
    return *code;
  }
  phase_done(
      fmt::format("roll back all: {} migration{} rolled back", ups.size(), ups.size() == 1 ? "" : "s"));
  // 3. Everything up again: an up that fails now was not undone by the downs (the difference shown
  // is the schema it met against the one it met the first time).
  for (std::size_t i = 0; i < ups.size(); ++i) {
    SchemaSnapshot now;
    if (!snapshot(now) || g_interrupted) {
      return *stopped();
    }
    if (!up(i, error)) {
      if (auto code = stopped()) {
        return *code;
      }
      return problem_at(Kind::UpFailedAgain, ups[i], ups[i].display_path, "apply all again", error,
                        compare_schemas(before[i], now));
    }
  }
  phase_done("apply all again: applied");
  if (auto code = roll_back_all("roll back all again")) {
    return *code;
  }
  // 4. Each migration up, down, up, from the first.
  for (std::size_t i = 0; i < ups.size(); ++i) {
    SchemaSnapshot start;
    SchemaSnapshot after;
    if (!snapshot(start) || g_interrupted) {
      return *stopped();
    }
    if (!up(i, error)) {
      if (auto code = stopped()) {
        return *code;
      }
      return problem_at(Kind::UpFailed, ups[i], ups[i].display_path, "up/down/up", error);
    }
    if (!down(i, error)) {
      if (auto code = stopped()) {
        return *code;
      }
      return problem_at(Kind::DownFailed, ups[i], downs[i].display_path, "up/down/up", error);
    }
    if (!snapshot(after)) {
      return *stopped();
    }
    std::vector<SchemaDifference> differences = compare_schemas(start, after);
    if (!differences.empty()) {
      return problem_at(Kind::NotRestored, ups[i], downs[i].display_path, "up/down/up",
                        "the schema after the down migration differs from the schema before the up migration",
                        differences);
    }
    if (!up(i, error)) {
      if (auto code = stopped()) {
        return *code;
      }
      return problem_at(Kind::UpFailedAgain, ups[i], ups[i].display_path, "up/down/up", error);
    }
    phase_done(fmt::format("{}{}{}: up, down (schema restored), up", ups[i].file.version,
                           ups[i].file.name.empty() ? "" : " ", ups[i].file.name));
  }
  (*watch)->query("SELECT pg_advisory_unlock(hashtextextended($1, 0))", {lock_key_text(settings.schema)});
  return finish(kExitDone, "passed");
}

}  // namespace miglint::runner
