#include "runner/state.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <ostream>
#include <sstream>

#include "analyzer/project/discover.hpp"
#include "analyzer/text/hash.hpp"
#include "analyzer/text/line_endings.hpp"
#include "analyzer/text/message_text.hpp"
#include "analyzer/text/source_file.hpp"
#include "runner/sql_identifier.hpp"

namespace miglint::runner {

namespace fs = std::filesystem;

std::string history_table(const std::string& schema) {
  return quote_identifier(schema) + "." + kHistoryTable;
}

std::string rollbacks_table(const std::string& schema) {
  return quote_identifier(schema) + "." + kRollbacksTable;
}

Expected<std::map<std::string, RollbackInProgress>> read_rollbacks_in_progress(PgSession& session,
                                                                               const std::string& schema) {
  std::map<std::string, RollbackInProgress> found;
  const std::string table = rollbacks_table(schema);
  PgOutcome exists = session.query("SELECT to_regclass($1) IS NOT NULL", {table});
  if (!exists.ok) {
    return Error{fmt::format("cannot read {}: {}", table, exists.error.message)};
  }
  if (exists.rows.at(0).at(0) != std::optional<std::string>("t")) {
    return found;
  }
  PgOutcome read = session.query(
      fmt::format("SELECT version, down_file, down_checksum, statements_applied, statements_total, "
                  "running_statement FROM {} WHERE finished_at IS NULL",
                  table));
  if (!read.ok) {
    return Error{fmt::format("cannot read {}: {}", table, read.error.message)};
  }
  for (const PgRow& row : read.rows) {
    found[row[0].value_or("")] = RollbackInProgress{
        row[1].value_or(""), row[2].value_or(""), std::stoi(row[3].value_or("0")),
        std::stoi(row[4].value_or("0")), row[5] ? std::optional<int>(std::stoi(*row[5])) : std::nullopt};
  }
  return found;
}

std::string short_hash(const std::string& sha256) {
  return sha256.substr(0, 12);
}

namespace {

// Escaped: every message names the file by it (a newline in a file name is shown as `\n`).
std::string display_path_of(const std::string& directory, const std::string& relative) {
  return escape_for_message(normalize_display_path(directory + "/" + relative));
}

// Reads the history (when the table exists). `connection_lost` tells a lost server from a refusal.
Expected<std::vector<HistoryRow>> read_history(PgSession& session, const std::string& schema,
                                               bool& table_exists) {
  std::string table = history_table(schema);
  PgOutcome exists = session.query("SELECT to_regclass($1) IS NOT NULL", {table});
  if (!exists.ok) {
    return Error{fmt::format("cannot read the history table {}: {}", table, exists.error.message)};
  }
  table_exists = exists.rows.at(0).at(0) == std::optional<std::string>("t");
  std::vector<HistoryRow> rows;
  if (!table_exists) {
    return rows;
  }
  // running_statement through to_jsonb: a table an earlier release created (which `status` and `plan`
  // never alter) has no such column.
  PgOutcome read = session.query(
      fmt::format("SELECT version, name, checksum_sha256, success, statements_applied, "
                  "statements_total, to_jsonb(h) ->> 'running_statement', "
                  "coalesce(to_char(applied_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), ''), "
                  "duration_ms FROM {} h ORDER BY version",
                  table));
  if (!read.ok) {
    return Error{fmt::format("cannot read the history table {}: {}", table, read.error.message)};
  }
  for (const PgRow& row : read.rows) {
    HistoryRow read_row{row[0].value_or(""),
                        row[1].value_or(""),
                        row[2].value_or(""),
                        row[3] == std::optional<std::string>("t"),
                        std::stoi(row[4].value_or("0")),
                        std::stoi(row[5].value_or("0")),
                        row[6] ? std::optional<int>(std::stoi(*row[6])) : std::nullopt,
                        row[7].value_or(""),
                        row[8] ? std::optional<long long>(std::stoll(*row[8])) : std::nullopt};
    rows.push_back(std::move(read_row));
  }
  return rows;
}

}  // namespace

Expected<SetState> load_state(const RunSettingsResolved& settings, PgSession& session) {
  Expected<MigrationDirectory> directory = discover_migrations(settings.directory);
  if (!directory) {
    return directory.error();
  }
  SetState state;
  state.directory = settings.directory;
  state.server_version = session.server_version();
  state.server_major = state.server_version / 10000;
  if (settings.target) {
    state.target = settings.target;
    for (std::size_t i = 0; i < directory->migrations.size(); ++i) {
      if (directory->migrations[i].version == *settings.target) {
        state.target_order = i;
      }
    }
    if (!state.target_order) {
      return Error{fmt::format("--target {}: no migration in {} has this version",
                               escape_for_message(*settings.target), escape_for_message(settings.directory))};
    }
  }
  bool table_exists = false;
  Expected<std::vector<HistoryRow>> history = read_history(session, settings.schema, table_exists);
  if (!history) {
    return history.error();
  }
  Expected<std::map<std::string, FailedAttempt>> failures = read_open_failures(session, settings.schema);
  if (!failures) {
    return failures.error();
  }
  Expected<std::map<std::string, BackfillProgress>> backfills = read_open_backfills(session, settings.schema);
  if (!backfills) {
    return backfills.error();
  }
  Expected<std::map<std::string, RollbackInProgress>> rollbacks =
      read_rollbacks_in_progress(session, settings.schema);
  if (!rollbacks) {
    return rollbacks.error();
  }
  std::map<std::string, HistoryRow> rows;
  for (HistoryRow& row : *history) {
    rows.emplace(row.version, std::move(row));
  }
  for (std::size_t order = 0; order < directory->migrations.size(); ++order) {
    MigrationFile& file = directory->migrations[order];
    MigrationState migration;
    migration.order = order;
    migration.in_scope = state.within_target(order);
    migration.display_path = display_path_of(settings.directory, file.relative_path);
    // A file's own problem refuses the run only when the run would apply it (within --target).
    const std::string version = file.version;  // `file` is moved into the migration below
    auto refuse_file = [&](std::string line) {
      if (migration.in_scope) {
        state.refuse_file(order, version, migration.display_path, std::move(line));
      }
    };
    Expected<std::string> bytes = read_file_bytes(file.path, max_file_size(settings));
    if (!bytes) {
      if (rows.count(file.version) > 0) {  // applied: the history cannot be checked
        state.refuse(fmt::format("{}: {}", migration.display_path, bytes.error().message));
      } else {
        refuse_file(fmt::format("{}: {}", migration.display_path, bytes.error().message));
      }
      continue;
    }
    std::string encoding_problem = check_text_encoding(*bytes);
    if (!encoding_problem.empty()) {
      if (rows.count(file.version) > 0) {  // applied: the history cannot be checked
        state.refuse(fmt::format("{}: {}", migration.display_path, encoding_problem));
      } else {
        refuse_file(fmt::format("{}: {}", migration.display_path, encoding_problem));
      }
      continue;
    }
    migration.bytes = std::make_shared<const std::string>(std::move(*bytes));
    migration.sha256 = sha256_hex(*migration.bytes);
    migration.file = std::move(file);
    if (auto failed = failures->find(migration.file.version); failed != failures->end()) {
      migration.failure = failed->second;
    }
    if (auto backfill = backfills->find(migration.file.version);
        backfill != backfills->end() && backfill->second.checksum == migration.sha256) {
      migration.backfill = backfill->second;
    }
    auto row = rows.find(migration.file.version);
    if (auto rollback = rollbacks->find(migration.file.version);
        rollback != rollbacks->end() && row != rows.end() && row->second.success) {
      migration.rollback = rollback->second;
    }
    if (row != rows.end()) {
      migration.row = row->second;
      rows.erase(row);
      // A line-ending-only difference is no change (analyzer/text/line_endings.hpp); a partly applied
      // file resumes only from the bytes it started with (the applier's writes are bound to them).
      bool unchanged = migration.row->success
                           ? same_modulo_line_endings(migration.row->checksum, *migration.bytes)
                           : migration.row->checksum == migration.sha256;
      if (!unchanged) {
        migration.status = MigrationState::Status::Changed;
        state.refuse(fmt::format(
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
      SourceFile source(migration.display_path, migration.bytes);  // shares the bytes
      Expected<MigrationScript> script = plan_script(source, state.server_major);
      if (script) {
        migration.script = std::move(*script);
        if (migration.row && static_cast<std::size_t>(migration.row->statements_total) !=
                                 migration.script->statements.size()) {
          refuse_file(fmt::format(
              "{}: the history says {} statements, the file has {} (was miglint upgraded mid-migration?)",
              migration.display_path, migration.row->statements_total, migration.script->statements.size()));
        }
        for (std::string& refusal : unnamed_concurrent_builds(migration)) {
          refuse_file(std::move(refusal));
        }
      } else {
        migration.script_error = script.error().message;
        refuse_file(migration.script_error);
      }
    }
    state.migrations.push_back(std::move(migration));
  }
  bool later_applied = false;
  for (auto it = state.migrations.rbegin(); it != state.migrations.rend(); ++it) {
    if (it->status == MigrationState::Status::Pending) {
      it->out_of_order = later_applied;
    } else {
      later_applied = true;
    }
  }
  for (auto& [version, row] : rows) {
    state.refuse(fmt::format("version {} ({}) is in the history but no file has it in {}",
                             escape_for_message(version), escape_for_message(row.name),
                             escape_for_message(settings.directory)));
    state.missing_on_disk.push_back(std::move(row));
  }
  vet(state, settings);
  find_first_refused(state);
  return state;
}

void SetState::refuse(std::string line) {
  refused_as_a_whole = true;
  refusals.push_back(std::move(line));
}

void SetState::refuse_file(std::size_t order, const std::string& version, const std::string& display_path,
                           std::string line) {
  if (!first_refused || order < first_refused->order) {
    first_refused = FirstRefused{order, version, display_path, std::nullopt, 0};
  }
  refusals.push_back(std::move(line));
}

void refuse_partly_rolled_back(SetState& state) {
  for (const MigrationState& migration : state.migrations) {
    if (!migration.rollback || migration.status != MigrationState::Status::Applied) {
      continue;
    }
    const RollbackInProgress& rollback = *migration.rollback;
    state.refuse(fmt::format(
        "{}: version {} is partly rolled back ({} of {} statements of its down migration {} ran{}): finish "
        "the rollback with `miglint rollback` (it resumes there), then `miglint run` applies it again",
        migration.display_path, migration.file.version, rollback.statements_applied,
        rollback.statements_total, escape_for_message(rollback.down_file),
        rollback.running_statement ? fmt::format(", interrupted in statement {}", *rollback.running_statement)
                                   : std::string()));
  }
}

void find_first_refused(SetState& state) {
  if (!state.first_refused) {
    return;
  }
  FirstRefused& first = *state.first_refused;
  first.target_before.reset();
  first.pending_before = 0;
  for (const MigrationState& migration : state.migrations) {
    if (migration.order < first.order && waits_to_run(migration)) {
      first.target_before = migration.file.version;
      ++first.pending_before;
    }
  }
}

std::string_view state_name(const MigrationState& migration) {
  switch (migration.status) {
    case MigrationState::Status::Changed:
      return "modified";
    case MigrationState::Status::Applied:
      return migration.rollback ? "partly_rolled_back" : "applied";
    case MigrationState::Status::Partial:
    case MigrationState::Status::Pending:
      break;
  }
  if (migration.running) {
    return "running";
  }
  if (migration.failure) {
    return "failed";
  }
  if (migration.status == MigrationState::Status::Partial) {
    return "partial";
  }
  return migration.out_of_order ? "out_of_order" : "pending";
}

bool waits_to_run(const MigrationState& migration) {
  return migration.status == MigrationState::Status::Pending ||
         migration.status == MigrationState::Status::Partial;
}

std::string mark_running(SetState& state, PgSession& session, const std::string& schema) {
  Expected<std::vector<RunningMigration>> running = find_running(session, schema);
  if (!running) {
    return running.error().message;
  }
  for (const RunningMigration& found : *running) {
    MigrationState* match = nullptr;
    for (MigrationState& migration : state.migrations) {
      if (!waits_to_run(migration)) {
        continue;
      }
      // A version too long for application_name is matched by the part of it that is there.
      if (migration.file.version == found.version ||
          (found.cut_short && migration.file.version.starts_with(found.version) && match == nullptr)) {
        match = &migration;
      }
    }
    if (match != nullptr) {
      match->running = found;
    }
  }
  return {};
}

std::vector<std::string> unnamed_concurrent_builds(const MigrationState& migration) {
  std::vector<std::string> refusals;
  std::size_t done = migration.row ? static_cast<std::size_t>(migration.row->statements_applied) : 0;
  const auto& statements = migration.script->statements;
  for (std::size_t i = done; i < statements.size(); ++i) {
    const ScriptStatement& statement = statements[i];
    if (statement.reconcile->kind == Reconcile::Kind::UnnamedIndexBuild) {
      refusals.push_back(fmt::format(
          "{}:{}:{}: CREATE INDEX CONCURRENTLY needs an index name here (CREATE INDEX CONCURRENTLY "
          "name ON ...): a build that is interrupted leaves an invalid index the next run must find by "
          "its name",
          migration.display_path, statement.start.line, statement.start.column));
    }
  }
  return refusals;
}

void print_unapproved(const MigrationState& migration, std::ostream& out, const std::string& indent) {
  write_unapproved(out, indent, migration.display_path, unapproved_views(migration));
}

std::vector<UnapprovedView> unapproved_views(const MigrationState& migration) {
  std::vector<UnapprovedView> views;
  for (const Unapproved& item : migration.unapproved) {
    views.push_back(UnapprovedView{&item.finding, item.why});
  }
  return views;
}

bool ensure_history_table(PgSession& session, const std::string& schema, std::ostream& err) {
  std::string quoted_schema = quote_identifier(schema);
  std::string table = history_table(schema);
  auto run = [&](const std::string& sql, const std::vector<std::optional<std::string>>& params = {}) {
    PgOutcome done = session.query(sql, params);
    if (!done.ok) {
      err << fmt::format("miglint: error: cannot create the history table: {}\n", done.error.message);
    }
    return done;
  };
  if (!run(fmt::format("CREATE SCHEMA IF NOT EXISTS {}", quoted_schema)).ok ||
      !run(fmt::format(
               "CREATE TABLE IF NOT EXISTS {} (version text PRIMARY KEY, name text NOT NULL, "
               "checksum_sha256 text NOT NULL, applied_at timestamptz, duration_ms bigint, applied_by "
               "text, statements_applied int NOT NULL, statements_total int NOT NULL, success boolean "
               "NOT NULL, running_statement int)",
               table))
           .ok) {
    return false;
  }
  if (std::string problem = ensure_failures_table(session, schema); !problem.empty()) {
    err << fmt::format("miglint: error: cannot create the history table: {}\n", problem);
    return false;
  }
  // A table an earlier release created gains the intent column (a nullable column: no rewrite). Asked
  // first: ALTER TABLE takes its ACCESS EXCLUSIVE lock even when the column exists.
  PgOutcome has_column = run(
      "SELECT count(*) FROM pg_attribute WHERE attrelid = to_regclass($1) AND attname = 'running_statement' "
      "AND NOT attisdropped",
      {table});
  if (!has_column.ok) {
    return false;
  }
  if (has_column.rows.at(0).at(0) == std::optional<std::string>("0")) {
    return run(fmt::format("ALTER TABLE {} ADD COLUMN IF NOT EXISTS running_statement int", table)).ok;
  }
  return true;
}

}  // namespace miglint::runner
