// `miglint baseline` and `miglint repair`: what was recorded, what changed, what is left alone.
#include "analyzer/report/adopt_report.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "analyzer/text/message_text.hpp"

namespace miglint {

namespace {

const char* plural(std::size_t count) {
  return count == 1 ? "" : "s";
}

std::string migration_line(const BaselineMigrationView& migration) {
  std::string line = fmt::format("  {}", escape_for_message(migration.version));
  if (!migration.name.empty()) {
    line += fmt::format(" {}", escape_for_message(migration.name));
  }
  line += fmt::format("  {}", migration.display_path);
  if (!migration.applied_at.empty()) {
    line += fmt::format("  (applied {})", migration.applied_at);
  }
  if (migration.out_of_order) {
    line += "  (out of order: older than a migration recorded as applied)";
  }
  return line + "\n";
}

}  // namespace

void write_baseline(std::ostream& out, const BaselineView& baseline) {
  if (baseline.recorded.empty()) {
    out << fmt::format("recorded nothing in {}{}\n", baseline.history_table,
                       baseline.source.empty() ? "" : fmt::format(" (from {})", baseline.source));
  } else {
    out << fmt::format("recorded {} migration{} as applied in {} without running them{}:\n",
                       baseline.recorded.size(), plural(baseline.recorded.size()), baseline.history_table,
                       baseline.source.empty() ? "" : fmt::format(" (from {})", baseline.source));
    for (const BaselineMigrationView& migration : baseline.recorded) {
      out << migration_line(migration);
    }
  }
  if (!baseline.already_recorded.empty()) {
    out << fmt::format("already in the history, left as recorded ({}):\n", baseline.already_recorded.size());
    for (const BaselineMigrationView& migration : baseline.already_recorded) {
      out << migration_line(migration);
    }
  }
  if (!baseline.skipped_without_file.empty()) {
    out << fmt::format("skipped (--force), no file has them: {}\n",
                       fmt::join(baseline.skipped_without_file, ", "));
  }
  for (const std::string& note : baseline.notes) {
    out << fmt::format("note: {}\n", note);
  }
  if (baseline.pending.empty()) {
    out << "nothing is left pending\n";
  } else {
    out << fmt::format("pending: `miglint run` applies {} migration{}:\n", baseline.pending.size(),
                       plural(baseline.pending.size()));
    for (const BaselineMigrationView& migration : baseline.pending) {
      out << migration_line(migration);
    }
  }
}

void write_repair_changes(std::ostream& out, const RepairView& repair) {
  if (repair.files.empty()) {
    out << "every applied file has its recorded checksum (line endings aside): nothing to repair\n";
  }
  for (const RepairFileView& file : repair.files) {
    out << fmt::format("{}: {} (checksum {} in the history, {} on disk)\n", file.display_path, file.change,
                       file.recorded, file.on_disk);
    for (const std::string& line : file.detail) {
      out << fmt::format("    {}\n", line);
    }
  }
  if (!repair.orphaned_backfills.empty()) {
    out << "backfill progress no run will use (repair deletes it when confirmed, --yes):\n";
    for (const std::string& line : repair.orphaned_backfills) {
      out << fmt::format("  {}\n", line);
    }
  }
  if (!repair.not_repaired.empty()) {
    out << "not repaired:\n";
    for (const std::string& line : repair.not_repaired) {
      out << fmt::format("  {}\n", line);
    }
  }
}

namespace {

// "2 checksums and 1 backfill progress row", "1 checksum", "3 backfill progress rows".
std::string repair_work(std::size_t checksums, std::size_t backfills) {
  std::vector<std::string> parts;
  if (checksums > 0) {
    parts.push_back(fmt::format("{} checksum{}", checksums, plural(checksums)));
  }
  if (backfills > 0) {
    parts.push_back(fmt::format("{} backfill progress row{}", backfills, plural(backfills)));
  }
  return fmt::format("{}", fmt::join(parts, " and "));
}

}  // namespace

void write_repair_question(std::ostream& out, std::size_t checksums, std::size_t backfills) {
  std::string question = checksums > 0 && backfills > 0
                             ? fmt::format("re-record {} checksum{} and delete {} backfill progress row{}",
                                           checksums, plural(checksums), backfills, plural(backfills))
                         : checksums > 0 ? fmt::format("re-record {}", repair_work(checksums, 0))
                                         : fmt::format("delete {}", repair_work(0, backfills));
  out << question << "? [y/N] " << std::flush;
}

void write_repair_declined(std::ostream& out, std::size_t backfills) {
  out << (backfills == 0 ? "nothing was re-recorded\n" : "nothing was changed\n");
}

void write_repaired(std::ostream& out, std::size_t checksums, std::size_t backfills,
                    std::string_view history_table, std::string_view backfills_table) {
  if (checksums > 0) {
    out << fmt::format("re-recorded {} checksum{} in {}\n", checksums, plural(checksums), history_table);
  }
  if (backfills > 0) {
    out << fmt::format("deleted {} backfill progress row{} from {}\n", backfills, plural(backfills),
                       backfills_table);
  }
}

}  // namespace miglint
