#pragma once

#include <ostream>
#include <string>
#include <string_view>
#include <vector>

// What `miglint baseline` and `miglint repair` print, written from plain views that the runner fills
// in (the report layer knows nothing of the database).
namespace miglint {

// One migration of a baseline: recorded, left as it was, or left pending.
struct BaselineMigrationView {
  std::string_view version;
  std::string_view name;
  std::string display_path;   // escaped
  std::string applied_at;     // as the other tool recorded it; empty: now
  bool out_of_order = false;  // pending, but older than a migration recorded as applied
};
struct BaselineView {
  std::string_view history_table;  // "public".miglint_schema_migrations
  std::string source;              // "" for --version; else "golang-migrate's public.schema_migrations"
  std::vector<BaselineMigrationView> recorded;
  std::vector<BaselineMigrationView> already_recorded;  // --force: in the history already, left as they are
  std::vector<std::string> skipped_without_file;        // --force: the other tool's versions no file has
  std::vector<BaselineMigrationView> pending;           // what `miglint run` applies next
  std::vector<std::string> notes;                       // one line each
};
void write_baseline(std::ostream& out, const BaselineView& baseline);

// One applied migration whose file's checksum is not the recorded one (line endings aside).
struct RepairFileView {
  std::string_view display_path;
  std::string_view version;
  std::string recorded;  // short checksums
  std::string on_disk;
  std::string_view change;          // "comments or whitespace only", "statements changed", ...
  std::vector<std::string> detail;  // what changed, one line each (a short diff), escaped
};
struct RepairView {
  std::vector<RepairFileView> files;
  // Backfill progress rows no run will use (runner/backfill_table.hpp, OrphanedBackfill), which
  // repair deletes when confirmed: one line each.
  std::vector<std::string> orphaned_backfills;
  // Partial migrations (also stopped in a backfill), partly rolled back ones, files missing on
  // disk: one line each, with what to do instead.
  std::vector<std::string> not_repaired;
};
// The changes, then what repair leaves alone.
void write_repair_changes(std::ostream& out, const RepairView& repair);
// "re-record N checksums and delete M backfill progress rows? [y/N] " (no newline: the answer follows
// on the same line).
void write_repair_question(std::ostream& out, std::size_t checksums, std::size_t backfills);
void write_repair_declined(std::ostream& out, std::size_t backfills);
void write_repaired(std::ostream& out, std::size_t checksums, std::size_t backfills,
                    std::string_view history_table, std::string_view backfills_table);

}  // namespace miglint
