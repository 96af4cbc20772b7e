#include "runner/runner.hpp"

#include <fmt/format.h>
#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <random>
#include <sstream>
#include <thread>

#include "analyzer/discover.hpp"
#include "analyzer/duration.hpp"
#include "analyzer/hash.hpp"
#include "analyzer/linter.hpp"
#include "analyzer/lock_model.hpp"
#include "analyzer/source_file.hpp"
#include "rules/registry.hpp"
#include "runner/approvals.hpp"
#include "runner/database.hpp"
#include "runner/layout.hpp"
#include "runner/script.hpp"

namespace miglint::runner {

namespace fs = std::filesystem;
using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

namespace {

constexpr const char* kHistoryTable = "miglint_schema_migrations";

// ---------------------------------------------------------------------------------------------
// The migrations on disk, the history table, and what is pending.

struct HistoryRow {
  std::string version;
  std::string name;
  std::string checksum;
  bool success = false;
  int statements_applied = 0;
  int statements_total = 0;
};

// A finding that keeps a migration from running until someone approves it.
struct Unapproved {
  Finding finding;
  std::string why;
};

struct MigrationState {
  MigrationFile file;
  std::string display_path;  // directory joined with the relative path
  std::string bytes;
  std::string sha256;
  enum class Status { Applied, Pending, Partial, Changed } status = Status::Pending;
  std::optional<HistoryRow> row;
  std::optional<MigrationScript> script;  // for pending and partial migrations
  std::string script_error;
  std::vector<Unapproved> unapproved;
};

struct SetState {
  std::string directory;
  std::vector<MigrationState> migrations;
  std::vector<HistoryRow> missing_on_disk;  // applied, but the file is gone
  std::vector<std::string> refusals;        // one line each
  int server_major = 15;

  bool refused() const { return !refusals.empty(); }
};

std::string history_table(PgSession& session, const std::string& schema) {
  return session.quote_identifier(schema) + "." + kHistoryTable;
}

std::string short_hash(const std::string& sha256) {
  return sha256.substr(0, 12);
}

Expected<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Error{fmt::format("{}: cannot read the file", path)};
  }
  std::ostringstream bytes;
  bytes << in.rdbuf();
  if (!in.good() && !in.eof()) {
    return Error{fmt::format("{}: cannot read the file", path)};
  }
  return bytes.str();
}

std::string display_path_of(const std::string& directory, const std::string& relative) {
  return normalize_display_path(directory + "/" + relative);
}

// Reads the history (when the table exists). `connection_lost` tells a lost server from a refusal.
Expected<std::vector<HistoryRow>> read_history(PgSession& session, const std::string& schema,
                                               bool& table_exists) {
  std::string table = history_table(session, schema);
  PgOutcome exists = session.query("SELECT to_regclass($1) IS NOT NULL", {table});
  if (!exists.ok) {
    return Error{fmt::format("cannot read the history table {}: {}", table, exists.error.message)};
  }
  table_exists = exists.rows.at(0).at(0) == std::optional<std::string>("t");
  std::vector<HistoryRow> rows;
  if (!table_exists) {
    return rows;
  }
  PgOutcome read =
      session.query(fmt::format("SELECT version, name, checksum_sha256, success, statements_applied, "
                                "statements_total FROM {} ORDER BY version",
                                table));
  if (!read.ok) {
    return Error{fmt::format("cannot read the history table {}: {}", table, read.error.message)};
  }
  for (const PgRow& row : read.rows) {
    rows.push_back(HistoryRow{row[0].value_or(""), row[1].value_or(""), row[2].value_or(""),
                              row[3] == std::optional<std::string>("t"), std::stoi(row[4].value_or("0")),
                              std::stoi(row[5].value_or("0"))});
  }
  return rows;
}

// ---------------------------------------------------------------------------------------------
// Vetting: the same lint as `miglint lint`, with the transaction mode `run` uses, the server's
// version and timeouts set by the runner; findings at or above fail_on (and every finding of a
// destructive rule) need an inline ignore with a reason or an entry in miglint.approvals.toml.

bool is_destructive(const Rule& rule) {
  return rule.has_tag("destructive");
}

class VettingSetup {
 public:
  VettingSetup(const RunSettingsResolved& settings, int server_major,
               std::map<std::string, bool> in_transaction)
      : settings_(settings), server_major_(server_major), in_transaction_(std::move(in_transaction)) {}

  FileSetup operator()(const std::string& path) {
    ConfigSettings config =
        settings_.config != nullptr ? settings_for(*settings_.config, path) : ConfigSettings{};
    FileSetup setup;
    setup.options.pg_version = server_major_;
    auto mode = in_transaction_.find(path);
    setup.options.assume_in_transaction = mode != in_transaction_.end() && mode->second;
    setup.fail_on = config.fail_on.value_or(Severity::Warning);
    std::set<std::string> select = config.select.value_or(std::set<std::string>{});
    std::set<std::string> ignore = config.ignore.value_or(std::set<std::string>{});
    // The runner sets lock_timeout and statement_timeout itself.
    ignore.insert({"require-lock-timeout", "require-statement-timeout"});
    std::map<std::string, Severity> severities;
    for (const auto& [id, level] : config.rule_severity) {
      if (level) {
        severities[id] = *level;
      } else {
        ignore.insert(id);
      }
    }
    // Destructive rules always run: their findings need an approval whatever the config says.
    for (const Rule& rule : all_rules()) {
      if (is_destructive(rule)) {
        ignore.erase(std::string(rule.id));
        if (!select.empty()) {
          select.insert(std::string(rule.id));
        }
      }
    }
    setup.rules = std::make_shared<const RuleSet>(all_rules(), select, ignore, severities);
    return setup;
  }

 private:
  const RunSettingsResolved& settings_;
  int server_major_;
  std::map<std::string, bool> in_transaction_;
};

void vet(SetState& state, const RunSettingsResolved& settings, const std::vector<Approval>& approvals) {
  std::vector<LintInput> inputs;
  std::map<std::string, bool> in_transaction;
  std::map<std::string, MigrationState*> by_path;
  for (MigrationState& migration : state.migrations) {
    bool runs = migration.status == MigrationState::Status::Pending ||
                migration.status == MigrationState::Status::Partial;
    // Applied migrations are read for the schema facts they teach (a table created earlier...).
    inputs.push_back(LintInput{migration.display_path, migration.file.path, migration.bytes, runs});
    in_transaction[migration.display_path] =
        migration.script && migration.script->mode == ScriptMode::OneTransaction;
    by_path[migration.display_path] = &migration;
  }
  VettingSetup setup(settings, state.server_major, std::move(in_transaction));
  std::map<std::string, Severity> fail_on;
  lint_inputs(inputs, 0, std::ref(setup), [&](FileResult&& result) {
    if (result.context_only) {
      return;
    }
    MigrationState& migration = *by_path.at(result.path);
    Severity threshold = result.fail_on;
    for (Finding& finding : result.findings) {
      if (migration.script && (finding.span.begin < migration.script->executed.begin ||
                               finding.span.begin >= migration.script->executed.end)) {
        continue;  // a dbmate down section: not run
      }
      const Rule* rule = nullptr;
      for (const Rule& candidate : all_rules()) {
        if (candidate.id == finding.rule) {
          rule = &candidate;
        }
      }
      bool destructive = rule != nullptr && is_destructive(*rule);
      if (finding.severity < threshold && !destructive) {
        continue;
      }
      if (finding.suppressed && !finding.suppression_reason.empty()) {
        continue;  // approved in the file, with a reason
      }
      if (is_approved(approvals, migration.file.relative_path, migration.sha256, finding.rule)) {
        continue;
      }
      std::string why = destructive ? "destructive: always needs an approval"
                                    : fmt::format("{} at or above fail_on", severity_name(finding.severity));
      if (finding.suppressed) {
        why += "; its ignore comment gives no reason, which silences the linter but approves nothing";
      }
      migration.unapproved.push_back(Unapproved{std::move(finding), std::move(why)});
    }
    for (const InputError& error : result.errors) {
      state.refusals.push_back(fmt::format("{}: {}", error.path, error.message));
    }
  });
  for (const MigrationState& migration : state.migrations) {
    if (!migration.unapproved.empty()) {
      state.refusals.push_back(fmt::format(
          "{}: {} finding{} need{} approval", migration.display_path, migration.unapproved.size(),
          migration.unapproved.size() == 1 ? "" : "s", migration.unapproved.size() == 1 ? "s" : ""));
    }
  }
}

// Reads the directory and the history, classifies every migration, plans and vets the pending ones.
Expected<SetState> load_state(const RunSettingsResolved& settings, PgSession& session) {
  Expected<MigrationDirectory> directory = discover_migrations(settings.directory);
  if (!directory) {
    return directory.error();
  }
  SetState state;
  state.directory = settings.directory;
  state.server_major = session.server_version() / 10000;
  bool table_exists = false;
  Expected<std::vector<HistoryRow>> history = read_history(session, settings.schema, table_exists);
  if (!history) {
    return history.error();
  }
  std::map<std::string, HistoryRow> rows;
  for (HistoryRow& row : *history) {
    rows.emplace(row.version, std::move(row));
  }
  for (MigrationFile& file : directory->migrations) {
    MigrationState migration;
    migration.display_path = display_path_of(settings.directory, file.relative_path);
    Expected<std::string> bytes = read_file(file.path);
    if (!bytes) {
      state.refusals.push_back(bytes.error().message);
      continue;
    }
    std::string encoding_problem = check_text_encoding(*bytes);
    if (!encoding_problem.empty()) {
      state.refusals.push_back(fmt::format("{}: {}", migration.display_path, encoding_problem));
      continue;
    }
    migration.bytes = std::move(*bytes);
    migration.sha256 = sha256_hex(migration.bytes);
    migration.file = std::move(file);
    auto row = rows.find(migration.file.version);
    if (row != rows.end()) {
      migration.row = row->second;
      rows.erase(row);
      if (migration.row->checksum != migration.sha256) {
        migration.status = MigrationState::Status::Changed;
        state.refusals.push_back(fmt::format(
            "{}: changed after it was {}applied: checksum {} in the history, {} on disk (restore the file; "
            "write a new migration for new changes)",
            migration.display_path, migration.row->success ? "" : "partly ", migration.row->checksum,
            migration.sha256));
      } else {
        migration.status =
            migration.row->success ? MigrationState::Status::Applied : MigrationState::Status::Partial;
      }
    }
    if (migration.status == MigrationState::Status::Pending ||
        migration.status == MigrationState::Status::Partial) {
      SourceFile source(migration.display_path, migration.bytes);
      Expected<MigrationScript> script = plan_script(source, state.server_major);
      if (script) {
        migration.script = std::move(*script);
        if (migration.row && static_cast<std::size_t>(migration.row->statements_total) !=
                                 migration.script->statements.size()) {
          state.refusals.push_back(fmt::format(
              "{}: the history says {} statements, the file has {} (was miglint upgraded mid-migration?)",
              migration.display_path, migration.row->statements_total, migration.script->statements.size()));
        }
      } else {
        migration.script_error = script.error().message;
        state.refusals.push_back(migration.script_error);
      }
    }
    state.migrations.push_back(std::move(migration));
  }
  for (auto& [version, row] : rows) {
    state.refusals.push_back(fmt::format("version {} ({}) is in the history but no file has it in {}",
                                         version, row.name, settings.directory));
    state.missing_on_disk.push_back(std::move(row));
  }
  Expected<std::vector<Approval>> approvals =
      load_approvals((fs::path(settings.directory) / kApprovalsFileName).string());
  if (!approvals) {
    return approvals.error();
  }
  vet(state, settings, *approvals);
  return state;
}

void print_unapproved(const MigrationState& migration, std::ostream& out, const std::string& indent) {
  for (const Unapproved& item : migration.unapproved) {
    const Finding& finding = item.finding;
    out << fmt::format("{}{}:{}:{}: {} [{}] {}\n{}  ({})\n", indent, finding.path, finding.start.line,
                       finding.start.column, severity_name(finding.severity), finding.rule, finding.message,
                       indent, item.why);
  }
  if (!migration.unapproved.empty()) {
    out << fmt::format(
        "{}approve each with: miglint approve {} --rule RULE --reason \"...\"  (or an inline `-- "
        "miglint-ignore RULE -- "
        "reason`)\n",
        indent, migration.display_path);
  }
}

// ---------------------------------------------------------------------------------------------
// Applying.

class Applier {
 public:
  Applier(const RunSettingsResolved& settings, PgSession& work, PgSession& watch, std::ostream& out,
          std::ostream& err)
      : settings_(settings),
        work_(work),
        watch_(watch),
        out_(out),
        err_(err),
        table_(history_table(work, settings.schema)) {}

  // Applies one migration (resuming a partial one). Returns kExitDone, kExitRefused or kExitError.
  int apply(MigrationState& migration);

  // Waits for backends that a killed runner left working, then cancels them past --lock-wait.
  // False when interrupted (SIGINT/SIGTERM) while waiting.
  bool wait_for_leftovers();

 private:
  struct StepResult {
    bool ok = true;
    PgError error;
  };

  StepResult run_statement(const MigrationState& migration, std::size_t index);
  StepResult run_segment(MigrationState& migration, const Segment& segment);
  // Records progress: inside the open transaction when there is one (it commits with it), else on its own.
  StepResult record(const MigrationState& migration, std::size_t applied);
  StepResult exec(const std::string& sql);
  StepResult set_timeouts(bool local, bool concurrent);
  // The indexes of the table a CREATE INDEX CONCURRENTLY builds on, before it runs (an array of
  // OIDs): the index a failed build leaves is the one not among them, named or not.
  StepResult indexes_before(const ScriptStatement& statement, std::string& oids);
  // Drops the invalid indexes a build left on its table; `found`: there were some.
  StepResult drop_new_invalid_indexes(const ScriptStatement& statement, const std::string& before,
                                      bool& found);
  // Drops the invalid indexes an earlier attempt could not drop.
  StepResult drop_left_invalid();
  // Before resuming at an interrupted statement: true when the catalog shows it is done.
  Expected<bool> reconcile(const ScriptStatement& statement);
  void describe_blockers();
  std::string where(const MigrationState& migration, std::size_t index) const;

  const RunSettingsResolved& settings_;
  PgSession& work_;
  PgSession& watch_;
  std::ostream& out_;
  std::ostream& err_;
  std::string table_;
  Clock::time_point started_;
  std::vector<std::string> blockers_;      // the sessions that blocked the last statement, as last seen
  std::vector<std::string> left_invalid_;  // invalid indexes failed builds left that could not be dropped
  std::mt19937 random_{std::random_device{}()};
};

Applier::StepResult Applier::exec(const std::string& sql) {
  PgOutcome outcome = work_.query(sql);
  return StepResult{outcome.ok, outcome.error};
}

Applier::StepResult Applier::set_timeouts(bool local, bool concurrent) {
  milliseconds statement = concurrent ? settings_.concurrent_statement_timeout : settings_.statement_timeout;
  // Fixed text from integers: no user input reaches these statements.
  std::string scope = local ? "SET LOCAL" : "SET";
  StepResult result =
      exec(fmt::format("{} lock_timeout = '{}'", scope, postgres_duration(settings_.lock_timeout)));
  if (result.ok) {
    result = exec(fmt::format("{} statement_timeout = '{}'", scope, postgres_duration(statement)));
  }
  return result;
}

Applier::StepResult Applier::record(const MigrationState& migration, std::size_t applied) {
  auto total = migration.script->statements.size();
  auto duration = std::chrono::duration_cast<milliseconds>(Clock::now() - started_).count();
  PgOutcome outcome = work_.query(
      fmt::format("INSERT INTO {} (version, name, checksum_sha256, applied_at, duration_ms, applied_by, "
                  "statements_applied, statements_total, success) "
                  "VALUES ($1, $2, $3, now(), $4, session_user, $5, $6, $7) "
                  "ON CONFLICT (version) DO UPDATE SET name = EXCLUDED.name, checksum_sha256 = "
                  "EXCLUDED.checksum_sha256, "
                  "applied_at = EXCLUDED.applied_at, duration_ms = EXCLUDED.duration_ms, "
                  "applied_by = EXCLUDED.applied_by, statements_applied = EXCLUDED.statements_applied, "
                  "statements_total = EXCLUDED.statements_total, success = EXCLUDED.success",
                  table_),
      {migration.file.version, migration.file.name, migration.sha256, std::to_string(duration),
       std::to_string(applied), std::to_string(total), applied == total ? "true" : "false"});
  return StepResult{outcome.ok, outcome.error};
}

void Applier::describe_blockers() {
  PgOutcome seen = watch_.query(
      "SELECT pid, coalesce(state, ''), coalesce(wait_event_type, ''), left(regexp_replace(query, '\\s+', ' "
      "', 'g'), "
      "200) FROM pg_stat_activity WHERE pid = ANY (pg_blocking_pids($1::int)) ORDER BY pid",
      {std::to_string(work_.backend_pid())});
  if (!seen.ok || seen.rows.empty()) {
    return;
  }
  blockers_.clear();
  for (const PgRow& row : seen.rows) {
    blockers_.push_back(
        fmt::format("pid {} ({}): {}", row[0].value_or("?"), row[1].value_or(""), row[3].value_or("")));
  }
}

std::string Applier::where(const MigrationState& migration, std::size_t index) const {
  const ScriptStatement& statement = migration.script->statements[index];
  return fmt::format("{}:{}:{}", migration.display_path, statement.start.line, statement.start.column);
}

Applier::StepResult Applier::run_statement(const MigrationState& migration, std::size_t index) {
  const ScriptStatement& statement = migration.script->statements[index];
  std::string sql(std::string_view(migration.bytes)
                      .substr(statement.span.begin, statement.span.end - statement.span.begin));
  blockers_.clear();
  // Look at what blocks the statement several times within lock_timeout: a first look only after
  // the timeout has fired would find the statement no longer waiting, and name no blocker.
  milliseconds tick_every(200);
  if (settings_.lock_timeout.count() > 0) {
    tick_every = std::clamp(settings_.lock_timeout / 4, milliseconds(10), milliseconds(200));
  }
  PgOutcome outcome = work_.run(
      sql, [&] { describe_blockers(); }, tick_every);
  return StepResult{outcome.ok, outcome.error};
}

bool builds_index_concurrently(const ScriptStatement& statement) {
  // reconcile.table is set for every CREATE INDEX CONCURRENTLY, named or not.
  return statement.concurrent && !statement.reconcile.table.empty() &&
         (statement.reconcile.kind == Reconcile::Kind::CreateIndex ||
          statement.reconcile.kind == Reconcile::Kind::None);
}

Applier::StepResult Applier::indexes_before(const ScriptStatement& statement, std::string& oids) {
  PgOutcome found = work_.query(
      "SELECT coalesce(array_agg(indexrelid), '{}')::text FROM pg_index WHERE indrelid = to_regclass($1)",
      {statement.reconcile.table});
  if (!found.ok) {
    return StepResult{false, found.error};
  }
  oids = found.rows.at(0).at(0).value_or("{}");
  return {};
}

Applier::StepResult Applier::drop_new_invalid_indexes(const ScriptStatement& statement,
                                                      const std::string& before, bool& found) {
  found = false;
  PgOutcome invalid = work_.query(
      "SELECT format('%I.%I', n.nspname, c.relname) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
      "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE i.indrelid = to_regclass($1) AND NOT i.indisvalid "
      "AND i.indexrelid <> ALL ($2::oid[]) ORDER BY 1",
      {statement.reconcile.table, before});
  if (!invalid.ok) {
    return StepResult{false, invalid.error};
  }
  found = !invalid.rows.empty();
  for (const PgRow& row : invalid.rows) {
    left_invalid_.push_back(row[0].value_or(""));
  }
  return drop_left_invalid();
}

Applier::StepResult Applier::drop_left_invalid() {
  while (!left_invalid_.empty()) {
    // DROP INDEX CONCURRENTLY waits for the transactions using the table, under lock_timeout: it can
    // fail for the same reason the build did.
    StepResult dropped = exec(fmt::format("DROP INDEX CONCURRENTLY IF EXISTS {}", left_invalid_.front()));
    if (!dropped.ok) {
      return dropped;
    }
    left_invalid_.erase(left_invalid_.begin());
  }
  return {};
}

Expected<bool> Applier::reconcile(const ScriptStatement& statement) {
  const Reconcile& what = statement.reconcile;
  auto fail = [](const PgOutcome& outcome) { return Error{outcome.error.message}; };
  switch (what.kind) {
    case Reconcile::Kind::None:
      return false;
    case Reconcile::Kind::CreateIndex: {
      PgOutcome found = work_.query(
          "SELECT i.indisvalid FROM pg_index i WHERE i.indexrelid = to_regclass($1)", {what.index});
      if (!found.ok) {
        return fail(found);
      }
      if (found.rows.empty()) {
        return false;
      }
      if (found.rows[0][0] == std::optional<std::string>("t")) {
        out_ << fmt::format("    {} exists and is valid: the interrupted build had finished\n", what.index);
        return true;
      }
      out_ << fmt::format("    {} was left invalid by the interrupted build: dropping it to build it again\n",
                          what.index);
      // Dropped by the segment, where a lock timeout is retried like the build's own.
      left_invalid_.push_back(what.index);
      return false;
    }
    case Reconcile::Kind::DropIndex: {
      PgOutcome found = work_.query("SELECT to_regclass($1) IS NULL", {what.index});
      if (!found.ok) {
        return fail(found);
      }
      return found.rows[0][0] == std::optional<std::string>("t");
    }
    case Reconcile::Kind::ReindexIndex: {
      // An interrupted REINDEX CONCURRENTLY leaves invalid copies named <index>_ccnew / _ccold.
      PgOutcome leftovers = work_.query(
          "SELECT format('%I.%I', n.nspname, c.relname) FROM pg_class c JOIN pg_index i ON i.indexrelid = "
          "c.oid "
          "JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_class o ON o.oid = to_regclass($1) "
          "WHERE NOT i.indisvalid AND c.relnamespace = o.relnamespace AND left(c.relname, length(o.relname)) "
          "= "
          "o.relname AND substr(c.relname, length(o.relname) + 1) ~ '^_cc(new|old)[0-9]*$'",
          {what.index});
      if (!leftovers.ok) {
        return fail(leftovers);
      }
      for (const PgRow& row : leftovers.rows) {
        out_ << fmt::format("    dropping {} left invalid by the interrupted REINDEX\n", row[0].value_or(""));
        PgOutcome dropped =
            work_.query(fmt::format("DROP INDEX CONCURRENTLY IF EXISTS {}", row[0].value_or("")));
        if (!dropped.ok) {
          return fail(dropped);
        }
      }
      return false;
    }
    case Reconcile::Kind::DetachPartition: {
      PgOutcome found = work_.query(
          "SELECT inhdetachpending FROM pg_inherits WHERE inhrelid = to_regclass($1) AND inhparent = "
          "to_regclass($2)",
          {what.partition, what.table});
      if (!found.ok) {
        return fail(found);
      }
      if (found.rows.empty()) {
        out_ << fmt::format("    {} is already detached\n", what.partition);
        return true;
      }
      if (found.rows[0][0] == std::optional<std::string>("t")) {
        out_ << fmt::format("    {} was left DETACH PENDING: finishing with FINALIZE\n", what.partition);
        PgOutcome finalized = work_.query(
            fmt::format("ALTER TABLE {} DETACH PARTITION {} FINALIZE", what.table, what.partition));
        if (!finalized.ok) {
          return fail(finalized);
        }
        return true;
      }
      return false;
    }
  }
  return false;
}

Applier::StepResult Applier::run_segment(MigrationState& migration, const Segment& segment) {
  const auto& statements = migration.script->statements;
  switch (segment.kind) {
    case Segment::Kind::Wrapped: {
      StepResult result = exec("BEGIN");
      if (result.ok) {
        result = set_timeouts(true, false);
      }
      for (std::size_t i = segment.first; result.ok && i < segment.last; ++i) {
        result = run_statement(migration, i);
        if (!result.ok) {
          result.error.message = fmt::format("{}: {}", where(migration, i), result.error.message);
        }
      }
      if (result.ok) {
        result = record(migration, segment.last);
      }
      if (result.ok) {
        result = exec("COMMIT");
      }
      if (!result.ok && work_.alive() && work_.in_transaction()) {
        exec("ROLLBACK");
      }
      return result;
    }
    case Segment::Kind::Explicit: {
      StepResult result = set_timeouts(false, false);
      for (std::size_t i = segment.first; result.ok && i < segment.last; ++i) {
        bool closes = i + 1 == segment.last && statements[i].control == ScriptStatement::Control::Commit;
        if (closes) {
          // Progress commits with the file's own transaction.
          result = record(migration, segment.last);
          if (!result.ok) {
            break;
          }
        }
        result = run_statement(migration, i);
        if (!result.ok) {
          result.error.message = fmt::format("{}: {}", where(migration, i), result.error.message);
        }
      }
      if (!result.ok && work_.alive() && work_.in_transaction()) {
        exec("ROLLBACK");
      }
      if (result.ok) {
        result = record(migration, segment.last);  // a block that ended in ROLLBACK records too
      }
      return result;
    }
    case Segment::Kind::Autocommit: {
      const ScriptStatement& statement = statements[segment.first];
      StepResult result = set_timeouts(false, statement.concurrent);
      if (result.ok) {
        // An earlier attempt's build left an invalid index that could not be dropped then: rebuilt,
        // a named one would be "already exists".
        result = drop_left_invalid();
      }
      std::string before;
      if (result.ok && builds_index_concurrently(statement)) {
        result = indexes_before(statement, before);
      }
      if (result.ok) {
        result = run_statement(migration, segment.first);
        if (!result.ok) {
          result.error.message = fmt::format("{}: {}", where(migration, segment.first), result.error.message);
        }
      }
      if (work_.alive() && !before.empty()) {
        // A failed (or cancelled) concurrent build leaves an invalid index behind: never keep it.
        bool found = false;
        StepResult dropped = drop_new_invalid_indexes(statement, before, found);
        if (result.ok && (found || !dropped.ok)) {
          result = dropped;
          result.ok = false;
          result.error.message = fmt::format(
              "{}: the build left an invalid index (pg_index.indisvalid is false){}",
              where(migration, segment.first),
              dropped.ok ? "; miglint dropped it" : "; dropping it failed: " + dropped.error.message);
        }
      }
      if (result.ok) {
        result = record(migration, segment.last);
      }
      return result;
    }
  }
  return {};
}

bool Applier::wait_for_leftovers() {
  // Backends of this database named 'miglint' that are still working, other than ours and than
  // runners polling for the advisory lock: a killed runner's statements, still running.
  const std::string sql =
      "SELECT pid, state, left(regexp_replace(query, '\\s+', ' ', 'g'), 120) FROM pg_stat_activity "
      "WHERE application_name = 'miglint' AND datname = current_database() AND pid <> ALL ($1::int[]) "
      "AND state IS NOT NULL AND state <> 'idle' AND query NOT LIKE '%pg_try_advisory_lock%'";
  std::string ours = fmt::format("{{{},{}}}", work_.backend_pid(), watch_.backend_pid());
  auto deadline = Clock::now() + settings_.lock_wait;
  bool announced = false;
  while (true) {
    PgOutcome found = watch_.query(sql, {ours});
    if (!found.ok || found.rows.empty()) {
      return true;
    }
    if (!announced) {
      announced = true;
      for (const PgRow& row : found.rows) {
        out_ << fmt::format("waiting for a backend an interrupted runner left working: pid {} ({}): {}\n",
                            row[0].value_or("?"), row[1].value_or(""), row[2].value_or(""));
      }
    }
    if (g_interrupted) {
      return false;  // stop: neither cancel the leftovers nor go on to apply
    }
    if (Clock::now() >= deadline) {
      for (const PgRow& row : found.rows) {
        out_ << fmt::format("cancelling pid {} (still working after --lock-wait)\n", row[0].value_or("?"));
        watch_.query("SELECT pg_cancel_backend($1::int)", {row[0]});
      }
      std::this_thread::sleep_for(milliseconds(500));
      PgOutcome again = watch_.query(sql, {ours});
      for (const PgRow& row : again.ok ? again.rows : std::vector<PgRow>{}) {
        watch_.query("SELECT pg_terminate_backend($1::int)", {row[0]});
      }
      return true;
    }
    std::this_thread::sleep_for(milliseconds(200));
  }
}

bool sleep_interruptibly(milliseconds duration) {
  auto until = Clock::now() + duration;
  while (Clock::now() < until) {
    if (g_interrupted) {
      return false;
    }
    std::this_thread::sleep_for(
        std::min(milliseconds(50), std::chrono::duration_cast<milliseconds>(until - Clock::now())));
  }
  return true;
}

int Applier::apply(MigrationState& migration) {
  MigrationScript& script = *migration.script;
  started_ = Clock::now();
  // The file must still be what was vetted.
  Expected<std::string> now_on_disk = read_file(migration.file.path);
  if (!now_on_disk || sha256_hex(*now_on_disk) != migration.sha256) {
    err_ << fmt::format("miglint: error: {}: the file changed after it was vetted; nothing more is applied\n",
                        migration.display_path);
    return kExitRefused;
  }
  std::size_t done = migration.row ? static_cast<std::size_t>(migration.row->statements_applied) : 0;
  out_ << fmt::format("applying {} {} ({}): {} statement{}, {}{}\n", migration.file.version,
                      migration.file.name, migration.display_path, script.statements.size(),
                      script.statements.size() == 1 ? "" : "s", script_mode_name(script.mode),
                      done > 0 ? fmt::format(", resuming after statement {}", done) : "");
  // Every file starts from the session's defaults (a SET search_path of an earlier file does not
  // leak into it), and the settings this file made before the point it resumes at are made again:
  // its statements run as they would have for the runner that was interrupted.
  StepResult session = exec("RESET ALL");
  if (session.ok && work_.server_version() >= 140000) {
    session = exec("SET client_connection_check_interval = '1s'");  // as PgSession::connect sets it
  }
  for (std::size_t i = 0; session.ok && i < done; ++i) {
    if (script.statements[i].session_setting) {
      session = run_statement(migration, i);
    }
  }
  if (!session.ok) {
    err_ << fmt::format("miglint: error: {}: cannot set up the session: {}\n", migration.display_path,
                        session.error.message);
    return session.error.connection_lost || !work_.alive() ? kExitError : kExitRefused;
  }
  if (script.statements.empty()) {
    StepResult recorded = record(migration, 0);
    if (!recorded.ok) {
      err_ << fmt::format("miglint: error: {}: {}\n", migration.display_path, recorded.error.message);
      return recorded.error.connection_lost ? kExitError : kExitRefused;
    }
    return kExitDone;
  }
  for (const Segment& segment : script.segments) {
    if (segment.last <= done) {
      continue;
    }
    if (g_interrupted) {
      // A statement that completed although a SIGINT/SIGTERM came is kept; nothing more starts.
      err_ << fmt::format("miglint: error: interrupted before {}; {} of {} statements of {} are applied\n",
                          where(migration, segment.first), done, script.statements.size(),
                          migration.display_path);
      return kExitRefused;
    }
    if (segment.first < done) {
      // Progress is only ever recorded at segment ends.
      err_ << fmt::format(
          "miglint: error: {}: the history says {} statements were applied, which is inside a "
          "transaction segment\n",
          migration.display_path, done);
      return kExitRefused;
    }
    if (segment.kind == Segment::Kind::Autocommit && migration.row && segment.first == done) {
      // The statement a killed runner may have been running: ask the catalog. What reconciling
      // runs waits for locks like the migration does: under its lock_timeout.
      StepResult timeouts = set_timeouts(false, false);
      Expected<bool> finished =
          timeouts.ok ? reconcile(script.statements[segment.first]) : Error{timeouts.error.message};
      if (!finished) {
        err_ << fmt::format("miglint: error: {}: cannot reconcile the interrupted statement: {}\n",
                            where(migration, segment.first), finished.error().message);
        return work_.alive() ? kExitRefused : kExitError;
      }
      if (*finished) {
        StepResult recorded = record(migration, segment.last);
        if (!recorded.ok) {
          err_ << fmt::format("miglint: error: {}: {}\n", migration.display_path, recorded.error.message);
          return recorded.error.connection_lost ? kExitError : kExitRefused;
        }
        done = segment.last;
        continue;
      }
    }
    for (int attempt = 0;; ++attempt) {
      StepResult result = run_segment(migration, segment);
      if (result.ok) {
        break;
      }
      if (result.error.connection_lost || !work_.alive()) {
        err_ << fmt::format(
            "miglint: error: lost the connection to the database: {}\n"
            "  the history is consistent: run again to resume\n",
            result.error.message);
        return kExitError;
      }
      bool lock_timeout = result.error.sqlstate == "55P03";
      if (g_interrupted) {
        err_ << fmt::format("miglint: error: interrupted: {}\n", result.error.message);
        return kExitRefused;
      }
      if (lock_timeout && attempt < settings_.retries) {
        // Backoff from 1s, doubling to 30s, with jitter so that runners do not retry in step.
        milliseconds base =
            std::min(milliseconds(30000), milliseconds(int64_t{1000} << std::min(attempt, 5)));
        milliseconds wait(std::uniform_int_distribution<int64_t>(base.count() / 2, base.count())(random_));
        out_ << fmt::format(
            "  lock timeout ({}); retry {} of {} in {:.1f}s{}\n", result.error.message, attempt + 1,
            settings_.retries, static_cast<double>(wait.count()) / 1000.0,
            blockers_.empty() ? "" : fmt::format(" (blocked by {})", fmt::join(blockers_, "; ")));
        if (!sleep_interruptibly(wait)) {
          err_ << "miglint: error: interrupted\n";
          return kExitRefused;
        }
        continue;
      }
      err_ << fmt::format(
          "miglint: error: {}{}\n", result.error.message,
          result.error.sqlstate.empty() ? "" : fmt::format(" (SQLSTATE {})", result.error.sqlstate));
      if (!result.error.detail.empty()) {
        err_ << fmt::format("  detail: {}\n", result.error.detail);
      }
      if (lock_timeout) {
        err_ << fmt::format("  gave up after {} retries; {}\n", settings_.retries,
                            blockers_.empty()
                                ? std::string("the blocking session had gone when miglint looked")
                                : fmt::format("blocked by {}", fmt::join(blockers_, "; ")));
      }
      bool partial = segment.first > 0 && script.mode != ScriptMode::OneTransaction;
      if (partial) {
        err_ << fmt::format(
            "  {} of {} statements of {} are applied (recorded in the history); fix the cause and "
            "run again to resume\n",
            segment.first, script.statements.size(), migration.display_path);
      } else if (left_invalid_.empty()) {
        err_ << fmt::format("  nothing of {} was kept\n", migration.display_path);
      }
      for (const std::string& index : left_invalid_) {
        err_ << fmt::format(
            "  index {} was left invalid and could not be dropped: run DROP INDEX CONCURRENTLY {} before "
            "running "
            "again\n",
            index, index);
      }
      return kExitRefused;
    }
    done = segment.last;
  }
  auto elapsed = std::chrono::duration_cast<milliseconds>(Clock::now() - started_).count();
  out_ << fmt::format("  done in {} ms\n", elapsed);
  return kExitDone;
}

// ---------------------------------------------------------------------------------------------
// The advisory lock: one runner at a time per history table, polled on its own session.

std::string lock_key_text(const std::string& schema) {
  return "miglint:" + schema + "." + kHistoryTable;
}

bool acquire_runner_lock(PgSession& session, const RunSettingsResolved& settings, std::ostream& out,
                         std::ostream& err, bool& connection_lost) {
  // Polled with pg_try_advisory_lock, never pg_advisory_lock: a session blocked in the server
  // would be a transaction that a CREATE INDEX CONCURRENTLY of the other runner waits for.
  auto deadline = Clock::now() + settings.lock_wait;
  milliseconds wait(100);
  std::mt19937 random{std::random_device{}()};
  bool announced = false;
  while (true) {
    PgOutcome got = session.query("SELECT pg_try_advisory_lock(hashtextextended($1, 0))",
                                  {lock_key_text(settings.schema)});
    if (!got.ok) {
      connection_lost = got.error.connection_lost;
      err << fmt::format("miglint: error: cannot take the runner lock: {}\n", got.error.message);
      return false;
    }
    if (got.rows[0][0] == std::optional<std::string>("t")) {
      return true;
    }
    if (!announced) {
      announced = true;
      out << "waiting for another miglint run on this database to finish...\n";
    }
    if (Clock::now() >= deadline || g_interrupted) {
      err << fmt::format(
          "miglint: error: another miglint run held the runner lock for longer than --lock-wait ({} ms)\n",
          settings.lock_wait.count());
      return false;
    }
    milliseconds jittered(std::uniform_int_distribution<int64_t>(wait.count() / 2, wait.count())(random));
    if (!sleep_interruptibly(jittered)) {
      err << "miglint: error: interrupted\n";
      return false;
    }
    wait = std::min(milliseconds(2000), wait * 2);
  }
}

bool ensure_history_table(PgSession& session, const std::string& schema, std::ostream& err) {
  std::string quoted_schema = session.quote_identifier(schema);
  for (const std::string& sql :
       {fmt::format("CREATE SCHEMA IF NOT EXISTS {}", quoted_schema),
        fmt::format(
            "CREATE TABLE IF NOT EXISTS {}.{} (version text PRIMARY KEY, name text NOT NULL, checksum_sha256 "
            "text NOT NULL, applied_at timestamptz, duration_ms bigint, applied_by text, statements_applied "
            "int NOT NULL, statements_total int NOT NULL, success boolean NOT NULL)",
            quoted_schema, kHistoryTable)}) {
    PgOutcome done = session.query(sql);
    if (!done.ok) {
      err << fmt::format("miglint: error: cannot create the history table: {}\n", done.error.message);
      return false;
    }
  }
  return true;
}

std::string status_word(MigrationState::Status status) {
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

struct Sessions {
  std::unique_ptr<PgSession> watch;  // the advisory lock, watching what blocks, bookkeeping reads
  std::unique_ptr<PgSession> work;   // the migration statements
};

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
  return true;
}

}  // namespace

int run_migrations(const RunSettingsResolved& settings, std::ostream& out, std::ostream& err) {
  if (!check_settings(settings, err)) {
    return kExitError;
  }
  install_signal_handlers();
  Redactor redact(settings.database_url);
  Expected<std::unique_ptr<PgSession>> watch = PgSession::connect(settings.database_url, redact);
  if (!watch) {
    err << fmt::format("miglint: error: {}\n", watch.error().message);
    return kExitError;
  }
  bool connection_lost = false;
  if (!acquire_runner_lock(**watch, settings, out, err, connection_lost)) {
    return connection_lost ? kExitError : kExitRefused;
  }
  Expected<std::unique_ptr<PgSession>> work = PgSession::connect(settings.database_url, redact);
  if (!work) {
    err << fmt::format("miglint: error: {}\n", work.error().message);
    return kExitError;
  }
  // Vetting comes before any write: a refused run leaves the database as it found it.
  Expected<SetState> state = load_state(settings, **watch);
  if (!state) {
    err << fmt::format("miglint: error: {}\n", state.error().message);
    return (*watch)->alive() ? kExitRefused : kExitError;
  }
  if (state->refused()) {
    err << fmt::format("miglint: refusing to run: nothing was applied\n");
    for (const std::string& refusal : state->refusals) {
      err << fmt::format("  {}\n", refusal);
    }
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
    out << fmt::format("nothing to do: {} migration{} applied in {}\n", state->migrations.size(),
                       state->migrations.size() == 1 ? "" : "s", settings.directory);
    return kExitDone;
  }
  if (!ensure_history_table(**work, settings.schema, err)) {
    return (*work)->alive() ? kExitRefused : kExitError;
  }
  (*work)->show_notices(&out);
  Applier applier(settings, **work, **watch, out, err);
  if (!applier.wait_for_leftovers()) {
    err << "miglint: error: interrupted: nothing was applied\n";
    return kExitRefused;
  }
  for (MigrationState* migration : pending) {
    int status = applier.apply(*migration);
    if (status != kExitDone) {
      return status;
    }
  }
  (*watch)->query("SELECT pg_advisory_unlock(hashtextextended($1, 0))", {lock_key_text(settings.schema)});
  out << fmt::format("applied {} migration{}\n", pending.size(), pending.size() == 1 ? "" : "s");
  return kExitDone;
}

int show_status(const RunSettingsResolved& settings, std::ostream& out, std::ostream& err) {
  if (!check_settings(settings, err)) {
    return kExitError;
  }
  Redactor redact(settings.database_url);
  Expected<std::unique_ptr<PgSession>> session = PgSession::connect(settings.database_url, redact);
  if (!session) {
    err << fmt::format("miglint: error: {}\n", session.error().message);
    return kExitError;
  }
  Expected<SetState> state = load_state(settings, **session);
  if (!state) {
    err << fmt::format("miglint: error: {}\n", state.error().message);
    return (*session)->alive() ? kExitRefused : kExitError;
  }
  out << fmt::format("{} (PostgreSQL {}, history {}.{})\n", settings.directory, state->server_major,
                     settings.schema, kHistoryTable);
  for (const MigrationState& migration : state->migrations) {
    std::string extra;
    if (migration.status == MigrationState::Status::Partial) {
      extra = fmt::format("  {} of {} statements applied", migration.row->statements_applied,
                          migration.row->statements_total);
    } else if (migration.status == MigrationState::Status::Changed) {
      extra = fmt::format("  checksum {} applied, {} on disk", short_hash(migration.row->checksum),
                          short_hash(migration.sha256));
    } else if (!migration.script_error.empty()) {
      extra = "  cannot run: " + migration.script_error;
    } else if (!migration.unapproved.empty()) {
      extra = fmt::format("  needs approval ({})", migration.unapproved.size());
    }
    out << fmt::format("  {:<8} {:<20} {}{}\n", status_word(migration.status), migration.file.version,
                       migration.file.name, extra);
    print_unapproved(migration, out, "      ");
  }
  for (const HistoryRow& row : state->missing_on_disk) {
    out << fmt::format("  {:<8} {:<20} {}  applied, but no file has this version\n", "MISSING", row.version,
                       row.name);
  }
  if (state->refused()) {
    out << "miglint run would refuse:\n";
    for (const std::string& refusal : state->refusals) {
      out << fmt::format("  {}\n", refusal);
    }
    return kExitRefused;
  }
  return kExitDone;
}

int show_plan(const RunSettingsResolved& settings, std::ostream& out, std::ostream& err) {
  if (!check_settings(settings, err)) {
    return kExitError;
  }
  Redactor redact(settings.database_url);
  Expected<std::unique_ptr<PgSession>> session = PgSession::connect(settings.database_url, redact);
  if (!session) {
    err << fmt::format("miglint: error: {}\n", session.error().message);
    return kExitError;
  }
  Expected<SetState> state = load_state(settings, **session);
  if (!state) {
    err << fmt::format("miglint: error: {}\n", state.error().message);
    return (*session)->alive() ? kExitRefused : kExitError;
  }
  RuleSet rules(all_rules(), {}, {});
  std::size_t planned = 0;
  for (const MigrationState& migration : state->migrations) {
    if (!migration.script) {
      continue;
    }
    ++planned;
    const MigrationScript& script = *migration.script;
    std::size_t done = migration.row ? static_cast<std::size_t>(migration.row->statements_applied) : 0;
    out << fmt::format("{} {} ({}): {}, {} statement{}{}\n", migration.file.version, migration.file.name,
                       migration.display_path, script_mode_name(script.mode), script.statements.size(),
                       script.statements.size() == 1 ? "" : "s",
                       done > 0 ? fmt::format(", resuming after statement {}", done) : "");
    SourceFile source(migration.display_path, migration.bytes);
    LintOptions options;
    options.pg_version = state->server_major;
    options.assume_in_transaction = script.mode == ScriptMode::OneTransaction;
    FileLocks locks = explain_locks(source, options, rules);
    for (const Segment& segment : script.segments) {
      if (segment.last <= done) {
        continue;
      }
      out << fmt::format("  {} (statements {}-{}){}\n", segment_kind_name(segment.kind), segment.first + 1,
                         segment.last,
                         segment.kind == Segment::Kind::Wrapped
                             ? fmt::format(", lock_timeout {}", postgres_duration(settings.lock_timeout))
                             : "");
      for (std::size_t i = segment.first; i < segment.last; ++i) {
        const ScriptStatement& statement = script.statements[i];
        std::string taken;
        for (const StatementLocks& statement_locks : locks.statements) {
          if (statement_locks.start == statement.start) {
            std::vector<std::string> parts;
            for (const RelationEffect& effect : statement_locks.relations) {
              parts.push_back(fmt::format("{} {}{}", lock_mode_name(effect.lock), effect.relation,
                                          effect.rewrite ? " (rewrite)"
                                          : effect.scan  ? " (scan)"
                                                         : ""));
            }
            taken = fmt::format("{}", fmt::join(parts, ", "));
          }
        }
        out << fmt::format("    {}:{} {}{}\n", statement.start.line, statement.start.column, statement.label,
                           taken.empty() ? "" : "  -- " + taken);
      }
    }
    print_unapproved(migration, out, "  ");
  }
  if (planned == 0) {
    out << fmt::format("nothing to do: every migration in {} is applied\n", settings.directory);
  }
  if (state->refused()) {
    out << "miglint run would refuse:\n";
    for (const std::string& refusal : state->refusals) {
      out << fmt::format("  {}\n", refusal);
    }
    return kExitRefused;
  }
  return kExitDone;
}

namespace {

std::string default_approver() {
  FILE* pipe = popen("git config user.name 2>/dev/null", "r");
  std::string name;
  if (pipe != nullptr) {
    char buffer[256];
    while (fgets(buffer, sizeof buffer, pipe) != nullptr) {
      name += buffer;
    }
    pclose(pipe);
  }
  while (!name.empty() && (name.back() == '\n' || name.back() == ' ')) {
    name.pop_back();
  }
  if (!name.empty()) {
    return name;
  }
  if (const passwd* user = getpwuid(getuid()); user != nullptr && user->pw_name != nullptr) {
    return user->pw_name;
  }
  const char* login = std::getenv("USER");
  return login != nullptr ? login : "unknown";
}

std::string today() {
  std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  return fmt::format("{:04}-{:02}-{:02}", utc.tm_year + 1900, utc.tm_mon + 1, utc.tm_mday);
}

}  // namespace

int approve(const ApproveRequest& request, std::ostream& out, std::ostream& err) {
  bool known = false;
  for (const Rule& rule : all_rules()) {
    known = known || rule.id == request.rule;
  }
  if (!known) {
    err << fmt::format("miglint: error: unknown rule `{}` (see `miglint rules`)\n", request.rule);
    return kExitError;
  }
  if (request.reason.find_first_not_of(" \t\n") == std::string::npos) {
    err << "miglint: error: --reason must say why the finding is acceptable\n";
    return kExitError;
  }
  Expected<std::string> bytes = read_file(request.file);
  if (!bytes) {
    err << fmt::format("miglint: error: {}\n", bytes.error().message);
    return kExitError;
  }
  // The file's migrations directory: the configured one when the file is inside it.
  std::error_code error;
  fs::path file = fs::absolute(request.file, error).lexically_normal();
  fs::path directory = fs::absolute(migrations_directory_of(request.file), error).lexically_normal();
  if (request.directory) {
    fs::path configured = fs::absolute(*request.directory, error).lexically_normal();
    std::string inside = file.lexically_relative(configured).generic_string();
    if (!inside.empty() && !inside.starts_with("..")) {
      directory = configured;
    }
  }
  std::string relative = file.lexically_relative(directory).generic_string();
  NameReading reading = read_migration_name(relative);
  if (reading.kind != NameReading::Kind::Migration) {
    err << fmt::format("miglint: error: {}: not a migration the runner applies ({})\n", request.file,
                       reading.why.empty() ? "skipped" : reading.why);
    return kExitError;
  }
  std::string approvals_path = (directory / kApprovalsFileName).string();
  Expected<std::vector<Approval>> approvals = load_approvals(approvals_path);
  if (!approvals) {
    err << fmt::format("miglint: error: {}\n", approvals.error().message);
    return kExitError;
  }
  Approval approval{relative,
                    sha256_hex(*bytes),
                    request.rule,
                    request.reason,
                    request.by.empty() ? default_approver() : request.by,
                    today()};
  out << fmt::format("approved {} in {} (sha256 {}) by {}: written to {}\n", approval.rule, relative,
                     short_hash(approval.sha256), approval.by, approvals_path);
  add_approval(*approvals, std::move(approval));
  Expected<bool> saved = save_approvals(approvals_path, *approvals);
  if (!saved) {
    err << fmt::format("miglint: error: {}\n", saved.error().message);
    return kExitError;
  }
  return kExitDone;
}

}  // namespace miglint::runner
