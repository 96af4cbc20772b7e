#include "runner/alembic_migration_test.hpp"

#include <fmt/format.h>

#include <ostream>
#include <sstream>

#include "analyzer/text/message_text.hpp"
#include "runner/alembic_runner.hpp"
#include "runner/alembic_upgrade.hpp"
#include "runner/applier.hpp"
#include "runner/history_lock.hpp"
#include "runner/schema_snapshot.hpp"

namespace miglint::runner {

namespace {

using Kind = TestProblemView::Kind;

// Where `alembic downgrade` goes to undo `revision` alone: its parent, the base for a first
// revision, one step down for a merge revision (several parents).
std::string downgrade_target(const AlembicRevisionFile& revision) {
  const std::vector<std::string>& parents = revision.header.down_revisions;
  if (parents.empty()) {
    return "base";
  }
  return parents.size() == 1 ? parents.front() : std::string("-1");
}

// Alembic's own table is written by every step: the comparison is about the project's schema.
void drop_version_table(SchemaSnapshot& snapshot) {
  std::erase_if(snapshot,
                [](const auto& entry) { return entry.first.find("alembic_version") != std::string::npos; });
}

}  // namespace

int test_alembic_migrations(const AlembicProject& project, const RunSettingsResolved& settings,
                            const MigrationTestRequest& request, std::ostream& out, std::ostream& err) {
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
  Expected<std::vector<AlembicRevisionFile>> revisions = alembic_revisions(project);
  if (!revisions) {
    err << fmt::format("miglint: error: {}\n", revisions.error().message);
    return kExitError;
  }
  Redactor redact(settings.database_url);
  const std::string run_id = new_run_id();
  Expected<std::unique_ptr<PgSession>> watch =
      PgSession::connect(settings.database_url, redact, "miglint/" + run_id);
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
  std::ostringstream quiet;  // the lock's progress lines: `test` says what it does per phase
  if (!acquire_runner_lock(**watch, settings, quiet, err, connection_lost)) {
    return connection_lost ? kExitError : kExitRefused;
  }
  const std::vector<AlembicRevisionFile>& ups = *revisions;
  view.migrations = ups.size();
  const std::string python =
      ups.empty() ? std::string() : alembic_python_for(settings, ups.front().header.path);
  bool lost = false;  // no interpreter could run Alembic, or the database is gone: exit 2, no verdict
  // One `alembic upgrade <revision>` or `alembic downgrade <target>`; false with `error` on failure.
  auto step = [&](const std::string& target, bool downgrade, std::string& error) {
    AlembicUpgradeRequest step_request{
        project,
        target,
        settings.database_url,
        python,
        "miglint-alembic/" + run_id,
        settings.lock_timeout,
        settings.statement_timeout,
        settings.concurrent_lock_timeout,
        settings.concurrent_statement_timeout,
        downgrade ? AlembicUpgradeRequest::Direction::Downgrade : AlembicUpgradeRequest::Direction::Upgrade};
    Expected<AlembicUpgradeResult> result = alembic_upgrade(step_request);
    if (!result) {
      error = redact(result.error().message);
      lost = true;
      return false;
    }
    if (result->ok) {
      return true;
    }
    error = redact(result->error);
    if (!result->sqlstate.empty()) {
      error += fmt::format(" (SQLSTATE {})", result->sqlstate);
    }
    if (!result->where.empty()) {
      error += fmt::format(" at {}", result->where);
    }
    lost = result->kind == "setup" || !(*watch)->alive();
    return false;
  };
  auto up = [&](std::size_t i, std::string& error) { return step(ups[i].header.revision, false, error); };
  auto down = [&](std::size_t i, std::string& error) { return step(downgrade_target(ups[i]), true, error); };
  auto snapshot = [&](SchemaSnapshot& into) {
    Expected<SchemaSnapshot> read = read_schema_snapshot(**watch, settings.schema);
    if (!read) {
      err << fmt::format("miglint: error: {}\n", read.error().message);
      lost = true;
      return false;
    }
    into = std::move(*read);
    drop_version_table(into);
    return true;
  };
  auto problem_at = [&](Kind kind, std::size_t i, std::string phase, const std::string& error,
                        const std::vector<SchemaDifference>& differences = {}) {
    std::vector<SchemaDifferenceView> shown;
    for (const SchemaDifference& difference : differences) {
      shown.push_back(SchemaDifferenceView{difference.object, difference.before, difference.after});
    }
    view.problem = TestProblemView{kind,
                                   ups[i].header.revision,
                                   alembic_revision_name(ups[i]),
                                   ups[i].header.path,
                                   std::move(phase),
                                   escape_for_message(error),
                                   std::move(shown)};
    return finish(kExitRefused, "failed");
  };
  // The exit status when the test cannot go on (the database or the interpreter gone, interrupted).
  auto stopped = [&](const std::string& error) -> std::optional<int> {
    if (lost) {
      err << fmt::format("miglint: error: {}\n", error.empty() ? "the test stopped" : error);
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
  // 1. Every revision up, one at a time in graph order (the schema before each kept).
  for (std::size_t i = 0; i < ups.size(); ++i) {
    if (!snapshot(before[i]) || g_interrupted) {
      return *stopped(error);
    }
    if (!up(i, error)) {
      if (auto code = stopped(error)) {
        return *code;
      }
      return problem_at(Kind::UpFailed, i, "apply all", error);
    }
  }
  phase_done(fmt::format("apply all: {} revision{} upgraded", ups.size(), ups.size() == 1 ? "" : "s"));
  // 2. Every revision down, newest first (what `alembic downgrade base` does, one step at a time).
  auto roll_back_all = [&](std::string_view phase) -> std::optional<int> {
    for (std::size_t i = ups.size(); i-- > 0;) {
      if (g_interrupted || !down(i, error)) {
        if (auto code = stopped(error)) {
          return code;
        }
        return problem_at(Kind::DownFailed, i, std::string(phase), error);
      }
    }
    return std::nullopt;
  };
  if (auto code = roll_back_all("roll back all")) {
    return *code;
  }
  phase_done(fmt::format("roll back all: {} revision{} downgraded", ups.size(), ups.size() == 1 ? "" : "s"));
  // 3. Every revision up again: one that fails now met a schema its downgrades did not restore.
  for (std::size_t i = 0; i < ups.size(); ++i) {
    SchemaSnapshot now;
    if (!snapshot(now) || g_interrupted) {
      return *stopped(error);
    }
    if (!up(i, error)) {
      if (auto code = stopped(error)) {
        return *code;
      }
      return problem_at(Kind::UpFailedAgain, i, "apply all again", error, compare_schemas(before[i], now));
    }
  }
  phase_done("apply all again: upgraded");
  if (auto code = roll_back_all("roll back all again")) {
    return *code;
  }
  // 4. Each revision up, down, up, from the first.
  for (std::size_t i = 0; i < ups.size(); ++i) {
    SchemaSnapshot start;
    SchemaSnapshot after;
    if (!snapshot(start) || g_interrupted) {
      return *stopped(error);
    }
    if (!up(i, error)) {
      if (auto code = stopped(error)) {
        return *code;
      }
      return problem_at(Kind::UpFailed, i, "up/down/up", error);
    }
    if (!down(i, error)) {
      if (auto code = stopped(error)) {
        return *code;
      }
      return problem_at(Kind::DownFailed, i, "up/down/up", error);
    }
    if (!snapshot(after)) {
      return *stopped(error);
    }
    std::vector<SchemaDifference> differences = compare_schemas(start, after);
    if (!differences.empty()) {
      return problem_at(Kind::NotRestored, i, "up/down/up",
                        "the schema after downgrade() differs from the schema before upgrade()", differences);
    }
    if (!up(i, error)) {
      if (auto code = stopped(error)) {
        return *code;
      }
      return problem_at(Kind::UpFailedAgain, i, "up/down/up", error);
    }
    phase_done(fmt::format("{} {}: up, down (schema restored), up", ups[i].header.revision,
                           alembic_revision_name(ups[i])));
  }
  (*watch)->query("SELECT pg_advisory_unlock(hashtextextended($1, 0))", {lock_key_text(settings.schema)});
  return finish(kExitDone, "passed");
}

}  // namespace miglint::runner
