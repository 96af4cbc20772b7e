#include "runner/alembic_runner.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <csignal>
#include <deque>
#include <filesystem>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <thread>

#include "analyzer/alembic/alembic_front_end.hpp"
#include "analyzer/engine/linter.hpp"
#include "analyzer/project/approvals.hpp"
#include "analyzer/report/alembic_run_report.hpp"
#include "analyzer/report/apply_progress.hpp"
#include "analyzer/report/runner_report.hpp"
#include "analyzer/text/hash.hpp"
#include "analyzer/text/message_text.hpp"
#include "analyzer/text/source_file.hpp"
#include "rules/registry.hpp"
#include "runner/alembic_execution.hpp"
#include "runner/alembic_partial.hpp"
#include "runner/alembic_upgrade.hpp"
#include "runner/applier.hpp"
#include "runner/database.hpp"
#include "runner/history_lock.hpp"
#include "runner/state.hpp"
#include "runner/verdict.hpp"
#include "settings/settings.hpp"

namespace miglint::runner {

namespace fs = std::filesystem;
using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

namespace {

constexpr const char* kVersionTable = "alembic_version";

// One revision file as the runner sees it.
struct RevisionState {
  AlembicRevisionFile file;
  std::string display_path;
  std::string name;  // the file name without the revision id and `.py`
  std::string bytes;
  bool applied = false;
  bool in_scope = true;           // within --target
  bool autocommit_block = false;  // the file calls autocommit_block(): not retried blindly
  std::vector<Unapproved> unapproved;
  // Stopped after its autocommit_block() began, in an earlier run (runner/alembic_partial.hpp).
  std::optional<AlembicPartial> partial;
  bool pending() const { return !applied; }
  bool runs() const { return !applied && in_scope; }
};

struct ProjectState {
  std::vector<RevisionState> revisions;  // graph order
  std::vector<std::string> recorded;     // alembic_version's rows
  std::vector<std::string> refusals;
  bool refused_as_a_whole = false;
  std::optional<std::size_t> first_refused;  // index into revisions
  int server_major = 15;
  int server_version = 0;
};

void install_signal_handlers() {
  struct sigaction action {};
  action.sa_handler = [](int) { g_interrupted = true; };
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

// The Alembic settings ([alembic] in miglint.toml) in force for `path`.
alembic::AlembicSettings alembic_settings_for(SettingsResolver& resolver, const std::string& path) {
  FileSetup setup = resolver.lint_setup(path);
  auto found = setup.options.front_ends.find("alembic");
  if (found != setup.options.front_ends.end()) {
    if (const auto* own = dynamic_cast<const alembic::AlembicSettings*>(found->second.get())) {
      return *own;
    }
  }
  return {};
}

// The revisions `revision` stands on (itself included), through down_revision.
void add_ancestors(const std::string& revision, const std::map<std::string, const RevisionHeader*>& by_id,
                   std::set<std::string>& into) {
  std::vector<std::string> stack{revision};
  while (!stack.empty()) {
    std::string next = stack.back();
    stack.pop_back();
    if (!into.insert(next).second) {
      continue;
    }
    if (auto found = by_id.find(next); found != by_id.end()) {
      for (const std::string& parent : found->second->down_revisions) {
        stack.push_back(parent);
      }
    }
  }
}

// Vets the revisions `run` applies with the Alembic front end, as `lint` reads them: the revisions
// before the last one to run are linted too (the schema facts they teach), their findings dropped.
void vet_revisions(ProjectState& state, const RunSettingsResolved& settings) {
  std::size_t last_to_run = 0;
  for (std::size_t i = 0; i < state.revisions.size(); ++i) {
    if (state.revisions[i].runs()) {
      last_to_run = i + 1;
    }
  }
  std::vector<LintInput> inputs;
  std::map<std::string, RevisionState*> by_path;
  for (std::size_t i = 0; i < last_to_run; ++i) {
    RevisionState& revision = state.revisions[i];
    inputs.push_back(LintInput{revision.display_path, revision.display_path, revision.bytes, true});
    by_path[revision.display_path] = &revision;
  }
  if (inputs.empty()) {
    return;
  }
  SettingsResolver resolver(settings.config);
  auto approvals = std::make_shared<ApprovalsCache>(settings.directory);
  RunnerTimeouts timeouts = runner_timeouts(settings);
  // Alembic runs the revision: no transaction of the runner's around it, its upgrade() is vetted.
  KnownExecution planned = [&](const std::string& path) -> std::optional<RunExecution> {
    return alembic_run_execution(path, by_path.at(path)->bytes);
  };
  lint_inputs(
      inputs, 0,
      [&](const std::string& path) {
        FileSetup setup = vetting_setup(resolver.file_settings(path), state.server_major, timeouts, approvals,
                                        resolver, planned);
        setup.options.front_ends = resolver.lint_setup(path).options.front_ends;  // [alembic]
        return setup;
      },
      [&](FileResult&& result) {
        auto found = by_path.find(result.path);
        if (found == by_path.end() || !found->second->runs()) {
          return;  // applied: read for its schema facts only
        }
        RevisionState& revision = *found->second;
        for (Finding& finding : result.findings) {
          if (finding.needs_approval) {
            std::string why = finding.vetting_note;
            revision.unapproved.push_back(Unapproved{std::move(finding), std::move(why)});
          }
        }
        for (const InputError& error : result.errors) {
          state.refusals.push_back(fmt::format("{}{}: {}", error.path,
                                               error.position ? fmt::format(":{}", error.position->line) : "",
                                               escape_for_message(error.message)));
          if (!state.first_refused) {
            state.first_refused = static_cast<std::size_t>(&revision - state.revisions.data());
          }
        }
      });
  for (std::size_t i = 0; i < state.revisions.size(); ++i) {
    const RevisionState& revision = state.revisions[i];
    if (revision.unapproved.empty()) {
      continue;
    }
    state.refusals.push_back(
        fmt::format("{}: {} finding{} need{} approval", revision.display_path, revision.unapproved.size(),
                    revision.unapproved.size() == 1 ? "" : "s", revision.unapproved.size() == 1 ? "s" : ""));
    if (!state.first_refused || i < *state.first_refused) {
      state.first_refused = i;
    }
  }
}

// Reads the revisions and alembic_version, and vets what `run` would apply. No writes.
Expected<ProjectState> load_project_state(const AlembicProject& project, const RunSettingsResolved& settings,
                                          PgSession& session) {
  ProjectState state;
  state.server_version = session.server_version();
  state.server_major = state.server_version / 10000;
  Expected<std::vector<AlembicRevisionFile>> files = alembic_revisions(project);
  if (!files) {
    return files.error();
  }
  std::map<std::string, const RevisionHeader*> by_id;
  for (AlembicRevisionFile& file : *files) {
    RevisionState& revision = state.revisions.emplace_back();
    revision.display_path = file.header.path;
    revision.file = std::move(file);
    revision.name = alembic_revision_name(revision.file);
    Expected<std::string> bytes = read_file_bytes(revision.display_path, max_file_size(settings));
    if (!bytes) {
      return Error{fmt::format("{}: {}", revision.display_path, bytes.error().message)};
    }
    revision.bytes = std::move(*bytes);
    revision.autocommit_block = revision.bytes.find("autocommit_block") != std::string::npos;
  }
  for (const RevisionState& revision : state.revisions) {
    by_id[revision.file.header.revision] = &revision.file.header;
  }
  Expected<std::vector<std::string>> recorded = recorded_alembic_revisions(session);
  if (!recorded) {
    return recorded.error();
  }
  state.recorded = std::move(*recorded);
  std::set<std::string> applied;
  for (const std::string& revision : state.recorded) {
    if (!by_id.contains(revision)) {
      state.refusals.push_back(fmt::format(
          "{} names revision {}, which no revision file in {} has (a revision file removed, or a database "
          "of another branch)",
          kVersionTable, escape_for_message(revision), escape_for_message(project.versions_directory)));
      state.refused_as_a_whole = true;
    }
    add_ancestors(revision, by_id, applied);
  }
  Expected<std::map<std::string, AlembicPartial>> partials = alembic_partials(session, settings.schema);
  if (!partials) {
    return partials.error();
  }
  std::set<std::string> in_scope;
  if (settings.target) {
    add_ancestors(*settings.target, by_id, in_scope);
  }
  for (RevisionState& revision : state.revisions) {
    revision.applied = applied.contains(revision.file.header.revision);
    revision.in_scope = !settings.target || in_scope.contains(revision.file.header.revision);
    if (auto found = partials->find(revision.file.header.revision);
        found != partials->end() && !revision.applied) {
      revision.partial = found->second;
    }
  }
  if (!state.refused_as_a_whole) {
    vet_revisions(state, settings);
  }
  return state;
}

std::vector<UnapprovedView> unapproved_of(const RevisionState& revision) {
  std::vector<UnapprovedView> views;
  for (const Unapproved& item : revision.unapproved) {
    views.push_back(UnapprovedView{&item.finding, item.why});
  }
  return views;
}

// The `--target` hint: the first refused revision, and the last pending one before it.
std::optional<FirstRefusedView> first_refused_view(const ProjectState& state) {
  if (!state.first_refused || state.refused_as_a_whole) {
    return std::nullopt;
  }
  const RevisionState& first = state.revisions[*state.first_refused];
  FirstRefusedView view{first.file.header.revision, first.display_path, std::nullopt, 0};
  for (std::size_t i = 0; i < *state.first_refused; ++i) {
    if (state.revisions[i].runs()) {
      view.target_before = state.revisions[i].file.header.revision;
      ++view.pending_before;
    }
  }
  return view;
}

StatusView status_view(const ProjectState& state, const AlembicProject& project,
                       const RunSettingsResolved& settings) {
  StatusView view;
  view.directory = settings.directory;
  view.server_major = state.server_major;
  view.server_version = state.server_version;
  view.schema = settings.schema;
  view.history_table = kVersionTable;
  if (settings.target) {
    view.target = *settings.target;
  }
  view.refusals = state.refusals;
  view.first_refused = first_refused_view(state);
  (void)project;
  for (const RevisionState& revision : state.revisions) {
    StatusMigrationView& shown = view.migrations.emplace_back();
    shown.status = revision.applied ? "applied" : revision.partial ? "partial" : "pending";
    shown.state = shown.status;
    if (revision.partial) {
      // Part of it is committed; alembic_version still names the revision before it.
      shown.failure = FailureView{revision.partial->failed_at, revision.partial->error,
                                  revision.partial->sqlstate, std::nullopt};
    }
    shown.version = revision.file.header.revision;
    shown.name = revision.name;
    shown.display_path = revision.display_path;
    shown.checksum = revision.file.checksum;
    shown.unapproved = unapproved_of(revision);
    shown.would_run = revision.runs();
    view.pending += shown.would_run ? 1 : 0;
  }
  return view;
}

bool check_alembic_usage(const AlembicProject& project, const RunSettingsResolved& settings,
                         std::ostream& err) {
  if (!check_database_settings(settings, err)) {
    return false;
  }
  if (settings.target) {
    Expected<std::vector<AlembicRevisionFile>> files = alembic_revisions(project);
    if (files && std::none_of(files->begin(), files->end(), [&](const AlembicRevisionFile& file) {
          return file.header.revision == *settings.target;
        })) {
      err << fmt::format("miglint: error: --target {}: no revision in {} has this id\n",
                         escape_for_message(*settings.target),
                         escape_for_message(project.versions_directory));
      return false;
    }
  }
  return true;
}

// Connects and reads the state for `status` and `plan`; the exit status when it cannot.
int read_project(const AlembicProject& project, const RunSettingsResolved& settings,
                 const std::string& command, std::ostream& err, std::unique_ptr<Redactor>& redact,
                 std::unique_ptr<PgSession>& session, ProjectState& state) {
  if (!check_alembic_usage(project, settings, err)) {
    return kExitError;
  }
  redact = std::make_unique<Redactor>(settings.database_url);
  Expected<std::unique_ptr<PgSession>> connected =
      PgSession::connect(settings.database_url, *redact, "miglint-" + command);
  if (!connected) {
    err << fmt::format("miglint: error: {}\n", connected.error().message);
    return kExitError;
  }
  session = std::move(*connected);
  Expected<ProjectState> loaded = load_project_state(project, settings, *session);
  if (!loaded) {
    err << fmt::format("miglint: error: {}\n", loaded.error().message);
    return session->alive() ? kExitRefused : kExitError;
  }
  state = std::move(*loaded);
  return kExitDone;
}

// What `status` and `plan` exit with once they have shown the state.
int shown_state_exit(const ProjectState& state, const RunSettingsResolved& settings, std::ostream& out) {
  if (!state.refusals.empty()) {
    if (settings.format == RunnerFormat::Text) {
      write_refusals(out, "miglint run would refuse:", state.refusals);
      if (std::optional<FirstRefusedView> first = first_refused_view(state)) {
        write_first_refused(out, *first);
      }
    }
    return kExitRefused;
  }
  if (settings.exit_code && std::any_of(state.revisions.begin(), state.revisions.end(),
                                        [](const RevisionState& revision) { return revision.pending(); })) {
    return kExitPending;
  }
  return kExitDone;
}

}  // namespace

std::optional<AlembicProject> alembic_project_for_run(const RunSettingsResolved& settings) {
  std::error_code error;
  if (!fs::is_directory(settings.directory, error)) {
    return std::nullopt;
  }
  return alembic_project_at(settings.directory);
}

// alembic_version's rows (none when the table does not exist yet: nothing applied).
Expected<std::vector<std::string>> recorded_alembic_revisions(PgSession& session) {
  PgOutcome exists = session.query("SELECT to_regclass($1) IS NOT NULL", {std::string(kVersionTable)});
  if (!exists.ok) {
    return Error{fmt::format("cannot read {}: {}", kVersionTable, exists.error.message)};
  }
  std::vector<std::string> recorded;
  if (exists.rows[0][0] != std::optional<std::string>("t")) {
    return recorded;
  }
  PgOutcome rows = session.query(fmt::format("SELECT version_num FROM {} ORDER BY 1", kVersionTable));
  if (!rows.ok) {
    return Error{fmt::format("cannot read {}: {}", kVersionTable, rows.error.message)};
  }
  for (const PgRow& row : rows.rows) {
    if (row[0]) {
      recorded.push_back(*row[0]);
    }
  }
  return recorded;
}

std::string alembic_revision_name(const AlembicRevisionFile& file) {
  std::string stem = fs::path(file.header.path).stem().string();
  if (stem.starts_with(file.header.revision + "_")) {
    return stem.substr(file.header.revision.size() + 1);
  }
  return stem;
}

std::string alembic_python_for(const RunSettingsResolved& settings, const std::string& path) {
  SettingsResolver resolver(settings.config);
  return alembic_settings_for(resolver, path).python;
}

int show_alembic_status(const AlembicProject& project, const RunSettingsResolved& settings, std::ostream& out,
                        std::ostream& err) {
  std::unique_ptr<Redactor> redact;
  std::unique_ptr<PgSession> session;
  ProjectState state;
  if (int status = read_project(project, settings, "status", err, redact, session, state);
      status != kExitDone) {
    return status;
  }
  StatusView view = status_view(state, project, settings);
  if (settings.format == RunnerFormat::Json) {
    write_status_json(out, view);
  } else {
    write_status(out, view);
  }
  return shown_state_exit(state, settings, out);
}

namespace {

// The SQL of a statement on one line (whitespace runs made one space), escaped for the terminal.
std::string one_line(std::string_view sql) {
  std::string line;
  bool space = false;
  for (char c : sql) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      space = !line.empty();
      continue;
    }
    if (space) {
      line += ' ';
      space = false;
    }
    line += c;
  }
  return escape_for_message(line);
}

// What `plan` shows of the revisions `run` applies: each revision's upgrade() statements, as `lint`
// and vetting read them (the Alembic front end's offline SQL, transactions as Alembic runs them), with
// the lock model's locks; the revisions before the last one to run are read for their schema facts.
struct AlembicPlannedLocks {
  std::map<std::string, FileLocks> locks;     // by display path
  std::map<std::string, std::string> errors;  // by display path: why its statements are unknown
  std::deque<std::string> labels;             // the statements' one-line SQL the views point into
};

void explain_revision_locks(const ProjectState& state, const RunSettingsResolved& settings,
                            AlembicPlannedLocks& planned) {
  std::size_t last_to_run = 0;
  for (std::size_t i = 0; i < state.revisions.size(); ++i) {
    if (state.revisions[i].runs()) {
      last_to_run = i + 1;
    }
  }
  std::vector<LintInput> inputs;
  for (std::size_t i = 0; i < last_to_run; ++i) {
    const RevisionState& revision = state.revisions[i];
    inputs.push_back(
        LintInput{revision.display_path, revision.display_path, revision.bytes, revision.runs()});
  }
  SettingsResolver resolver(settings.config);
  RuleSet rules(all_rules(), {}, {});
  explain_locks_in_order(
      inputs, rules,
      [&](const std::string& path) {
        // As vetting reads the revision (vet_revisions): Alembic runs it, no transaction of the
        // runner's around it.
        LintOptions options = resolver.lint_setup(path).options;
        options.pg_version = state.server_major;
        options.execution = ExecutionMode::Runner;
        options.assume_in_transaction = false;
        return options;
      },
      [&](const std::string& path, Expected<FileLocks>&& explained) {
        if (explained) {
          planned.locks.emplace(path, std::move(*explained));
        } else {
          planned.errors.emplace(path, explained.error().message);
        }
      });
}

// The revision's upgrade() statements, numbered from 1, in runs inside and outside a transaction.
std::vector<PlanSegmentView> revision_segments(const FileLocks& locks, std::deque<std::string>& labels,
                                               std::size_t& statements) {
  std::vector<PlanSegmentView> segments;
  statements = 0;
  for (const StatementLocks& statement : locks.statements) {
    if (statement.down) {
      continue;  // downgrade(): the way back, not run
    }
    ++statements;
    if (segments.empty() || segments.back().transactional != statement.in_transaction) {
      PlanSegmentView& opened = segments.emplace_back();
      opened.kind = statement.in_transaction ? "transaction" : "outside a transaction";
      opened.transactional = statement.in_transaction;
      opened.first = statements;
    }
    PlanSegmentView& segment = segments.back();
    segment.last = statements;
    labels.push_back(one_line(statement.sql));
    segment.statements.push_back(PlanStatementView{statement.start, labels.back(), &statement});
  }
  return segments;
}

}  // namespace

int show_alembic_plan(const AlembicProject& project, const RunSettingsResolved& settings, std::ostream& out,
                      std::ostream& err) {
  std::unique_ptr<Redactor> redact;
  std::unique_ptr<PgSession> session;
  ProjectState state;
  if (int status = read_project(project, settings, "plan", err, redact, session, state);
      status != kExitDone) {
    return status;
  }
  PlanTimeouts timeouts{settings.lock_timeout, settings.concurrent_lock_timeout, settings.statement_timeout,
                        settings.concurrent_statement_timeout, settings.retries};
  AlembicPlannedLocks planned;
  explain_revision_locks(state, settings, planned);
  auto fill = [&](const RevisionState& revision, std::vector<PlanSegmentView>& segments,
                  std::size_t& statements, std::string_view& unknown) {
    if (auto found = planned.locks.find(revision.display_path); found != planned.locks.end()) {
      segments = revision_segments(found->second, planned.labels, statements);
    } else if (auto failed = planned.errors.find(revision.display_path); failed != planned.errors.end()) {
      unknown = failed->second;
    }
  };
  if (settings.format == RunnerFormat::Json) {
    // The SQL runner's document: the statements are those Alembic emits for upgrade() (its offline
    // SQL), each at its `op.` call; `mode` says how the revision runs.
    PlanView plan;
    plan.timeouts = timeouts;
    plan.directory = settings.directory;
    if (settings.target) {
      plan.target = *settings.target;
    }
    for (const RevisionState& revision : state.revisions) {
      if (!revision.runs()) {
        continue;
      }
      PlanMigrationView& shown = plan.migrations.emplace_back();
      shown.version = revision.file.header.revision;
      shown.name = revision.name;
      shown.display_path = revision.display_path;
      shown.mode = revision.autocommit_block ? "alembic-autocommit-block" : "alembic-transaction";
      shown.unapproved = unapproved_of(revision);
      std::string_view unknown;
      fill(revision, shown.segments, shown.statements, unknown);
    }
    write_plan_json(out, status_view(state, project, settings), plan);
    return shown_state_exit(state, settings, out);
  }
  std::string current = fmt::format("{}", fmt::join(state.recorded, ", "));
  AlembicPlanView plan;
  plan.timeouts = timeouts;
  plan.project = settings.directory;
  plan.current = current;
  if (settings.target) {
    plan.target = *settings.target;
  }
  for (const RevisionState& revision : state.revisions) {
    if (revision.runs()) {
      AlembicPlanRevisionView& shown = plan.revisions.emplace_back();
      shown.revision = revision.file.header.revision;
      shown.name = revision.name;
      shown.display_path = revision.display_path;
      shown.autocommit_block = revision.autocommit_block;
      shown.unapproved = unapproved_of(revision);
      fill(revision, shown.segments, shown.statements, shown.statements_unknown);
    }
  }
  write_alembic_plan(out, plan);
  return shown_state_exit(state, settings, out);
}

int run_alembic(const AlembicProject& project, const RunSettingsResolved& settings, std::ostream& out,
                std::ostream& err) {
  if (!check_alembic_usage(project, settings, err)) {
    return kExitError;
  }
  const bool json = settings.format == RunnerFormat::Json;
  std::ostream& progress = json ? err : out;  // with --format json, stdout carries the document alone
  RunView report;
  report.directory = settings.directory;
  report.schema = settings.schema;
  report.history_table = kVersionTable;
  if (settings.target) {
    report.target = *settings.target;
  }
  auto finish = [&](int code, std::string_view outcome) {
    if (json) {
      report.outcome = outcome;
      write_run_json(out, report);
    }
    return code;
  };
  auto fail = [&](int code, std::string message) {
    err << fmt::format("miglint: error: {}\n", message);
    if (!report.error) {
      report.error = RunErrorView{std::move(message), "", "", "", std::nullopt};
    }
    return finish(code, "failed");
  };
  install_signal_handlers();
  Redactor redact(settings.database_url);
  const std::string run_id = new_run_id();
  Expected<std::unique_ptr<PgSession>> watch =
      PgSession::connect(settings.database_url, redact, "miglint/" + run_id);
  if (!watch) {
    return fail(kExitError, watch.error().message);
  }
  report.server_version = (*watch)->server_version();
  // The runner lock, as SQL runs take it: one `miglint run` at a time on this database.
  bool connection_lost = false;
  if (!acquire_runner_lock(**watch, settings, progress, err, connection_lost)) {
    return connection_lost ? finish(kExitError, "failed") : finish(kExitRefused, "refused");
  }
  Expected<ProjectState> loaded = load_project_state(project, settings, **watch);
  if (!loaded) {
    return fail((*watch)->alive() ? kExitRefused : kExitError, loaded.error().message);
  }
  ProjectState& state = *loaded;
  report.refusals = state.refusals;
  std::optional<FirstRefusedView> first_refused = first_refused_view(state);
  report.first_refused = first_refused;
  if (!state.refusals.empty()) {
    write_refusals(err, "miglint: refusing to run: nothing was applied", state.refusals);
    for (const RevisionState& revision : state.revisions) {
      std::vector<UnapprovedView> views = unapproved_of(revision);
      write_unapproved(err, "    ", revision.display_path, views);
      if (!views.empty()) {
        report.unapproved.push_back(
            RunUnapprovedView{revision.file.header.revision, revision.display_path, std::move(views)});
      }
    }
    if (first_refused) {
      write_first_refused(err, *first_refused);
    }
    return finish(kExitRefused, "refused");
  }
  std::vector<RevisionState*> pending;
  for (RevisionState& revision : state.revisions) {
    if (revision.runs()) {
      pending.push_back(&revision);
    }
  }
  report.pending = pending.size();
  if (pending.empty()) {
    if (settings.target) {
      write_target_applied(progress, *settings.target);
    } else {
      write_nothing_to_do(progress, state.revisions.size(), settings.directory);
    }
    return finish(kExitDone, "done");
  }
  SettingsResolver resolver(settings.config);
  std::mt19937 random{std::random_device{}()};
  for (RevisionState* revision : pending) {
    const std::string& id = revision->file.header.revision;
    auto started = Clock::now();
    write_alembic_applying(progress, AlembicApplyingView{id, revision->name, revision->display_path,
                                                         revision->autocommit_block});
    // The file must still be what was vetted (approvals are bound to these bytes).
    Expected<std::string> now_on_disk = read_file_bytes(revision->display_path, max_file_size(settings));
    if (!now_on_disk || sha256_hex(*now_on_disk) != revision->file.checksum) {
      report.error =
          RunErrorView{"the file changed after it was vetted", "", id, revision->display_path, std::nullopt};
      return fail(kExitRefused,
                  fmt::format("{}: the file changed after it was vetted; nothing more is applied",
                              escape_for_message(revision->display_path)));
    }
    AlembicUpgradeRequest request{project,
                                  id,
                                  settings.database_url,
                                  alembic_settings_for(resolver, revision->display_path).python,
                                  "miglint-alembic/" + run_id,
                                  settings.lock_timeout,
                                  settings.statement_timeout,
                                  settings.concurrent_lock_timeout,
                                  settings.concurrent_statement_timeout};
    for (int attempt = 0;; ++attempt) {
      Expected<AlembicUpgradeResult> result = alembic_upgrade(request);
      if (!result) {
        report.error =
            RunErrorView{redact(result.error().message), "", id, revision->display_path, std::nullopt};
        return fail(kExitError, fmt::format("{}: {}", escape_for_message(revision->display_path),
                                            redact(result.error().message)));
      }
      if (result->ok) {
        break;
      }
      std::string message = redact(result->error);
      bool lock_timeout = result->sqlstate == "55P03";
      // Retried only when nothing of the revision is committed: its one transaction rolled back.
      bool partial = result->autocommit_entered;
      if (lock_timeout && !partial && attempt < settings.retries && !g_interrupted) {
        milliseconds base =
            std::min(milliseconds(30000), milliseconds(int64_t{1000} << std::min(attempt, 5)));
        milliseconds wait(std::uniform_int_distribution<int64_t>(base.count() / 2, base.count())(random));
        write_lock_retry(
            progress,
            LockRetryView{
                message, attempt + 1, settings.retries, static_cast<double>(wait.count()) / 1000.0, {}});
        if (sleep_interruptibly(wait)) {
          continue;
        }
      }
      if (result->kind == "setup") {
        return fail(kExitError, fmt::format("{}: {}", escape_for_message(revision->display_path), message));
      }
      std::string log = redact(result->log);
      std::string statement = redact(result->statement);
      if (partial) {
        // alembic_version cannot say it: status shows the revision as partial until it is applied.
        record_alembic_partial(**watch, settings.schema, id,
                               AlembicPartial{"", message, result->sqlstate, statement, result->where});
      }
      write_alembic_failure(
          err, AlembicFailureView{id, revision->display_path, message, result->sqlstate, result->where,
                                  statement, partial, lock_timeout, attempt, log});
      report.error = RunErrorView{message, result->sqlstate, id, revision->display_path, std::nullopt};
      return finish(kExitRefused, "failed");
    }
    // Alembic's table is the record: the revision must be there now.
    Expected<std::vector<std::string>> recorded = recorded_alembic_revisions(**watch);
    std::set<std::string> applied;
    if (recorded) {
      std::map<std::string, const RevisionHeader*> by_id;
      for (const RevisionState& known : state.revisions) {
        by_id[known.file.header.revision] = &known.file.header;
      }
      for (const std::string& head : *recorded) {
        add_ancestors(head, by_id, applied);
      }
    }
    if (!applied.contains(id)) {
      report.error =
          RunErrorView{"not recorded in alembic_version", "", id, revision->display_path, std::nullopt};
      return fail(
          kExitRefused,
          fmt::format("{}: Alembic finished, but {} does not record revision {} (does env.py run the "
                      "migrations in a transaction on the URL miglint gives it? see docs/alembic.md)",
                      escape_for_message(revision->display_path), kVersionTable, escape_for_message(id)));
    }
    if (revision->partial) {
      clear_alembic_partial(**watch, settings.schema, id);
    }
    long long elapsed = std::chrono::duration_cast<milliseconds>(Clock::now() - started).count();
    write_migration_done(progress, elapsed);
    report.applied.push_back(AppliedView{id, revision->name, revision->display_path, elapsed, 0});
  }
  (*watch)->query("SELECT pg_advisory_unlock(hashtextextended($1, 0))", {lock_key_text(settings.schema)});
  write_applied(progress, pending.size());
  return finish(kExitDone, "done");
}

}  // namespace miglint::runner
