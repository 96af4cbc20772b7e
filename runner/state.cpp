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
                  "statements_total, to_jsonb(h) ->> 'running_statement' FROM {} h ORDER BY version",
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
                        row[6] ? std::optional<int>(std::stoi(*row[6])) : std::nullopt};
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
    Expected<std::string> bytes = read_file_bytes(file.path, max_file_size(settings));
    if (!bytes) {
      state.refusals.push_back(fmt::format("{}: {}", migration.display_path, bytes.error().message));
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
      // A line-ending-only difference is no change (analyzer/text/line_endings.hpp); a partly applied
      // file resumes only from the bytes it started with (the applier's writes are bound to them).
      bool unchanged = migration.row->success
                           ? same_modulo_line_endings(migration.row->checksum, migration.bytes)
                           : migration.row->checksum == migration.sha256;
      if (!unchanged) {
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
        for (std::string& refusal : unnamed_concurrent_builds(migration)) {
          state.refusals.push_back(std::move(refusal));
        }
      } else {
        migration.script_error = script.error().message;
        state.refusals.push_back(migration.script_error);
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
    state.refusals.push_back(fmt::format("version {} ({}) is in the history but no file has it in {}",
                                         escape_for_message(version), escape_for_message(row.name),
                                         escape_for_message(settings.directory)));
    state.missing_on_disk.push_back(std::move(row));
  }
  vet(state, settings);
  return state;
}

std::vector<std::string> unnamed_concurrent_builds(const MigrationState& migration) {
  std::vector<std::string> refusals;
  std::size_t done = migration.row ? static_cast<std::size_t>(migration.row->statements_applied) : 0;
  const auto& statements = migration.script->statements;
  for (std::size_t i = done; i < statements.size(); ++i) {
    const ScriptStatement& statement = statements[i];
    if (statement.reconcile.kind == Reconcile::Kind::UnnamedIndexBuild) {
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
