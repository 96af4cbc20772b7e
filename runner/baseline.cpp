// `miglint baseline`: records migrations as applied without running them, from a version given on
// the command line or from another tool's history table.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <filesystem>
#include <map>
#include <ostream>

#include "analyzer/project/discover.hpp"
#include "analyzer/project/order.hpp"
#include "analyzer/report/adopt_report.hpp"
#include "analyzer/text/hash.hpp"
#include "analyzer/text/message_text.hpp"
#include "analyzer/text/source_file.hpp"
#include "runner/adopt.hpp"
#include "runner/alembic_history.hpp"
#include "runner/alembic_runner.hpp"
#include "runner/backfill_table.hpp"
#include "runner/history_import.hpp"
#include "runner/history_lock.hpp"
#include "runner/layout.hpp"
#include "runner/script.hpp"
#include "runner/state.hpp"

namespace miglint::runner {

namespace fs = std::filesystem;

namespace {

// A migration to record: what the history row says about it.
struct BaselineRow {
  const MigrationFile* file = nullptr;
  std::string display_path;
  std::string sha256;
  std::size_t statements = 0;
  std::optional<std::string> applied_at;
  std::optional<std::string> duration_ms;
};

// The file's checksum and statement count; an error names the file (and position).
Expected<BaselineRow> describe(const MigrationFile& file, const RunSettingsResolved& settings,
                               int server_major) {
  BaselineRow row;
  row.file = &file;
  row.display_path =
      escape_for_message(normalize_display_path(settings.directory + "/" + file.relative_path));
  Expected<std::string> bytes = read_file_bytes(file.path, max_file_size(settings));
  if (!bytes) {
    return Error{fmt::format("{}: {}", row.display_path, bytes.error().message)};
  }
  if (std::string problem = check_text_encoding(*bytes); !problem.empty()) {
    return Error{fmt::format("{}: {}", row.display_path, problem)};
  }
  row.sha256 = sha256_hex(*bytes);
  Expected<MigrationScript> script = plan_script(SourceFile(row.display_path, *bytes), server_major);
  if (!script) {
    return Error{script.error().message};
  }
  row.statements = script->statements.size();
  return row;
}

// The versions in miglint's history, or an error.
Expected<std::map<std::string, std::string>> recorded_versions(PgSession& session,
                                                               const std::string& schema) {
  std::string table = history_table(schema);
  PgOutcome exists = session.query("SELECT to_regclass($1) IS NOT NULL", {table});
  if (!exists.ok) {
    return Error{fmt::format("cannot read the history table {}: {}", table, exists.error.message)};
  }
  std::map<std::string, std::string> versions;
  if (exists.rows.at(0).at(0) != std::optional<std::string>("t")) {
    return versions;
  }
  PgOutcome read = session.query(fmt::format("SELECT version, name FROM {}", table));
  if (!read.ok) {
    return Error{fmt::format("cannot read the history table {}: {}", table, read.error.message)};
  }
  for (const PgRow& row : read.rows) {
    versions.emplace(row[0].value_or(""), row[1].value_or(""));
  }
  return versions;
}

int database_failure(PgSession& session, std::ostream& err, const std::string& message) {
  err << fmt::format("miglint: error: {}\n", message);
  return session.alive() ? kExitRefused : kExitError;
}

// Which migrations the other tool applied. Fills `applied` (indexes into `files`) and
// `without_file` (its versions no file has), and the notes.
void match_imported(const ImportedHistory& imported, OtherTool tool, const std::vector<MigrationFile>& files,
                    std::vector<bool>& applied, std::map<std::size_t, ImportedVersion>& times,
                    std::vector<std::string>& without_file) {
  std::vector<std::vector<std::string>> keys;
  for (const MigrationFile& file : files) {
    keys.push_back(version_key(tool, file.version));
  }
  applied.assign(files.size(), false);
  for (const ImportedVersion& entry : imported.applied) {
    std::vector<std::string> key = version_key(tool, entry.version);
    bool found = false;
    for (std::size_t i = 0; i < files.size(); ++i) {
      if (compare_version_keys(keys[i], key) == 0) {
        applied[i] = true;
        times[i] = entry;
        found = true;
      }
    }
    if (!found) {
      without_file.push_back(escape_for_message(entry.version));
    }
  }
  if (imported.applied_up_to) {
    std::vector<std::string> up_to = version_key(tool, *imported.applied_up_to);
    bool found = false;
    for (std::size_t i = 0; i < files.size(); ++i) {
      int order = compare_version_keys(keys[i], up_to);
      applied[i] = applied[i] || order <= 0;
      found = found || order == 0;
    }
    if (!found && imported.up_to_is_a_migration) {
      without_file.push_back(escape_for_message(*imported.applied_up_to));
    }
  }
}

}  // namespace

int baseline(const RunSettingsResolved& settings, const BaselineRequest& request, std::ostream& out,
             std::ostream& err) {
  if (std::optional<AlembicProject> alembic = alembic_project_for_run(settings)) {
    return baseline_alembic(*alembic, settings, request, out, err);  // runner/alembic_history.hpp
  }
  if (request.version.has_value() == request.from.has_value()) {
    err << "miglint: error: baseline needs either --version V or --from TOOL (golang-migrate, flyway, "
           "diesel, "
           "dbmate)\n";
    return kExitError;
  }
  std::optional<OtherTool> tool;
  if (request.from) {
    tool = other_tool_named(*request.from);
    if (!tool) {
      err << fmt::format("miglint: error: --from `{}` is not one of golang-migrate, flyway, diesel, dbmate\n",
                         escape_for_message(*request.from));
      return kExitError;
    }
  } else if (request.from_table) {
    err << "miglint: error: --from-table needs --from TOOL\n";
    return kExitError;
  }
  if (!check_database_settings(settings, err)) {
    return kExitError;
  }
  Expected<MigrationDirectory> directory = discover_migrations(settings.directory);
  if (!directory) {
    err << fmt::format("miglint: error: {}\n", directory.error().message);
    return kExitRefused;
  }
  const std::vector<MigrationFile>& files = directory->migrations;
  // --version V: V must be a migration on disk (the same version, or one that differs in leading
  // zeros only).
  std::optional<std::size_t> last;
  if (request.version) {
    for (std::size_t i = 0; i < files.size() && !last; ++i) {
      if (files[i].version == *request.version) {
        last = i;
      }
    }
    for (std::size_t i = 0; i < files.size() && !last; ++i) {
      if (MigrationOrderKey(files[i].version) == MigrationOrderKey(*request.version)) {
        last = i;
      }
    }
    if (!last) {
      err << fmt::format("miglint: error: --version {}: no migration in {} has this version\n",
                         escape_for_message(*request.version), escape_for_message(settings.directory));
      return kExitError;
    }
  }

  LockedHistory locked;
  if (int status = lock_history(settings, out, err, locked); status != kExitDone) {
    return status;
  }
  PgSession& session = *locked.work;
  Expected<std::map<std::string, std::string>> recorded = recorded_versions(session, settings.schema);
  if (!recorded) {
    return database_failure(session, err, recorded.error().message);
  }
  const std::string table = history_table(settings.schema);
  if (!recorded->empty() && !request.force) {
    err << fmt::format(
        "miglint: error: refusing to baseline: {} already has {} row{} (baseline records the starting point "
        "of an empty history; --force adds the versions not recorded yet and leaves recorded ones as they "
        "are)\n",
        table, recorded->size(), recorded->size() == 1 ? "" : "s");
    return kExitRefused;
  }

  BaselineView view;
  view.history_table = table;
  std::vector<bool> applied(files.size(), false);
  std::map<std::size_t, ImportedVersion> times;
  std::string applied_by = "miglint baseline";
  if (last) {
    for (std::size_t i = 0; i <= *last; ++i) {
      applied[i] = true;
    }
  } else {
    std::string from_table = request.from_table.value_or(std::string(default_history_table(*tool)));
    bool connection_lost = false;
    Expected<ImportedHistory> imported = read_other_history(session, *tool, from_table, connection_lost);
    if (!imported) {
      err << fmt::format("miglint: error: refusing to baseline: {}\n", imported.error().message);
      return connection_lost ? kExitError : kExitRefused;
    }
    std::vector<std::string> without_file;
    match_imported(*imported, *tool, files, applied, times, without_file);
    if (!without_file.empty() && !request.force) {
      err << fmt::format(
          "miglint: error: refusing to baseline: {} recorded version{} that no file in {} has: {} (restore "
          "the "
          "files, or --force to skip them)\n",
          other_tool_name(*tool), without_file.size() == 1 ? "" : "s", escape_for_message(settings.directory),
          fmt::join(without_file, ", "));
      return kExitRefused;
    }
    view.skipped_without_file = std::move(without_file);
    view.source = fmt::format("{}'s {}", other_tool_name(*tool), escape_for_message(imported->table));
    view.notes = std::move(imported->notes);
    if (*tool == OtherTool::Flyway) {
      view.notes.push_back(
          "Flyway's checksums are not compared: the history records each file's SHA-256 as it is now");
    }
    applied_by = fmt::format("miglint baseline --from {}", other_tool_name(*tool));
  }

  // Every row is described before anything is written: a file that cannot be read or split refuses
  // the whole baseline.
  std::vector<BaselineRow> rows;
  std::vector<std::string> problems;
  const int server_major = session.server_version() / 10000;
  for (std::size_t i = 0; i < files.size(); ++i) {
    if (!applied[i]) {
      continue;
    }
    if (recorded->contains(files[i].version)) {
      continue;
    }
    Expected<BaselineRow> row = describe(files[i], settings, server_major);
    if (!row) {
      problems.push_back(row.error().message);
      continue;
    }
    if (auto time = times.find(i); time != times.end()) {
      row->applied_at = time->second.applied_at;
      row->duration_ms = time->second.duration_ms;
    }
    rows.push_back(std::move(*row));
  }
  if (!problems.empty()) {
    write_refusals(err, "miglint: refusing to baseline: nothing was recorded", problems);
    return kExitRefused;
  }
  if (!ensure_history_table(session, settings.schema, err)) {
    return session.alive() ? kExitRefused : kExitError;
  }
  // One transaction: all rows or none. A row that is there already (another writer despite the lock)
  // is never overwritten; it aborts the baseline.
  PgOutcome begun = session.query("BEGIN");
  if (!begun.ok) {
    return database_failure(session, err, begun.error.message);
  }
  for (const BaselineRow& row : rows) {
    PgOutcome inserted = session.query(
        fmt::format("INSERT INTO {} (version, name, checksum_sha256, applied_at, duration_ms, applied_by, "
                    "statements_applied, statements_total, success, running_statement) "
                    "VALUES ($1, $2, $3, coalesce($4::timestamptz, now()), $5::bigint, $6, $7::int, $7::int, "
                    "true, NULL) ON CONFLICT (version) DO NOTHING RETURNING version",
                    table),
        {row.file->version, row.file->name, row.sha256, row.applied_at, row.duration_ms, applied_by,
         std::to_string(row.statements)});
    if (!inserted.ok || inserted.rows.empty()) {
      session.query("ROLLBACK");
      return database_failure(
          session, err,
          inserted.ok ? fmt::format("another runner recorded version {} meanwhile: nothing was recorded",
                                    escape_for_message(row.file->version))
                      : fmt::format("cannot record version {}: {} (nothing was recorded)",
                                    escape_for_message(row.file->version), inserted.error.message));
    }
  }
  // Backfill progress of a version recorded now would be orphaned: nothing resumes a migration
  // recorded as applied, and should it be rolled back and applied again, the run would take a
  // finished progress row for its own and skip the rows. It goes, in the same transaction.
  std::vector<std::string> dropped_progress;
  for (const BaselineRow& row : rows) {
    Expected<int> dropped = delete_backfill_progress(session, settings.schema, row.file->version, "");
    if (!dropped) {
      session.query("ROLLBACK");
      return database_failure(session, err,
                              fmt::format("{} (nothing was recorded)", dropped.error().message));
    }
    if (*dropped > 0) {
      dropped_progress.push_back(fmt::format("{} ({} statement{})", escape_for_message(row.file->version),
                                             *dropped, *dropped == 1 ? "" : "s"));
    }
  }
  PgOutcome committed = session.query("COMMIT");
  if (!committed.ok) {
    return database_failure(session, err, committed.error.message);
  }
  unlock_history(settings, locked);
  if (!dropped_progress.empty()) {
    view.notes.push_back(fmt::format(
        "deleted the backfill progress of {} from {}: recorded as applied, their backfills are not resumed",
        fmt::join(dropped_progress, ", "), kBackfillsTable));
  }

  for (const BaselineRow& row : rows) {
    view.recorded.push_back(BaselineMigrationView{row.file->version, row.file->name, row.display_path,
                                                  row.applied_at.value_or(""), false});
  }
  bool later_applied = false;
  std::vector<BaselineMigrationView> pending;
  for (std::size_t i = files.size(); i-- > 0;) {
    const MigrationFile& file = files[i];
    std::string display =
        escape_for_message(normalize_display_path(settings.directory + "/" + file.relative_path));
    bool is_recorded = recorded->contains(file.version);
    if (applied[i] && is_recorded) {
      view.already_recorded.insert(view.already_recorded.begin(),
                                   BaselineMigrationView{file.version, file.name, display, "", false});
    }
    if (applied[i] || is_recorded) {
      later_applied = true;
    } else {
      pending.insert(pending.begin(),
                     BaselineMigrationView{file.version, file.name, display, "", later_applied});
    }
  }
  view.pending = std::move(pending);
  write_baseline(out, view);
  return kExitDone;
}

}  // namespace miglint::runner
