#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "analyzer/text/boxed.hpp"
#include "analyzer/text/shared_text.hpp"
#include "analyzer/text/source_file.hpp"
#include "analyzer/text/text_edit.hpp"

namespace miglint {

struct Rule;

enum class Severity { Note = 0, Warning = 1, Error = 2 };

std::string_view severity_name(Severity severity);
std::optional<Severity> parse_severity(std::string_view text);

// The table a finding is about, as its statement names it, for the sizes `lint --stats-from` and
// `plan` add (docs/table-sizes.md). Empty `name`: the finding is not about one table.
struct TableRef {
  std::string schema;  // empty: unqualified (the database's search_path finds it)
  std::string name;
  // The hazard grows with the table (a lock held through a scan, a rewrite, an index build, a batch
  // of row writes): below `[lint] small_table_rows` rows the finding is lowered to a note. False
  // where a small table is no safer (a dropped column is lost, a renamed table breaks clients,
  // whatever the size): the size is shown, the severity kept.
  bool scales_with_size = true;
  // Created earlier in the same file: new, whatever the database has (set by the lint driver).
  bool created_in_migration = false;
  bool empty() const { return name.empty(); }
};

// What the database's catalog says of a finding's table (lint --stats-from, plan).
struct TableSize {
  bool exists = false;           // false: not in the database yet, a new table
  std::string relation;          // "public.orders", as the database resolved it
  std::optional<int64_t> rows;   // estimated; nullopt: unknown (never analyzed)
  std::optional<int64_t> bytes;  // table, indexes and TOAST; nullopt: not readable
  bool lowered = false;          // lowered to a note by [lint] small_table_rows
};

// One problem found in one file.
struct Finding {
  std::string rule;  // the rule's id
  // The rule itself, for what reporters print about it (summary, tags, doc page); set by the lint
  // driver on every finding it returns (null only on findings made by hand, e.g. in tests).
  const Rule* reported_by = nullptr;
  Severity severity = Severity::Warning;
  std::string path;
  ByteSpan span;
  Position start;
  Position end;  // exclusive
  std::string message;
  // Mostly the same text for every finding of a rule: the lint driver lets them share it.
  SharedText help;
  std::string source_line;          // the text of the start line (an excerpt of a long one), for excerpts
  uint32_t source_line_column = 1;  // the column `source_line` starts at (> 1: a long line was cut)
  // The statement it concerns (index in its file), for ignores and fingerprints; -1 for none.
  int64_t statement_index = -1;
  // For fingerprints that survive edits elsewhere in the file: a SHA-256 (hex) of the statement's
  // text with comments dropped and whitespace collapsed (of the ignore comment itself for findings
  // about one), and how many identical statements come before it in the file.
  std::string statement_key;
  uint32_t statement_occurrence = 0;
  bool suppressed = false;        // silenced by an ignore comment, or approved
  SharedText suppression_reason;  // the comment's `-- reason`, or the approval's reason (mostly empty)
  // Suppressed by an approval in miglint.approvals.toml (SARIF: kind "external") rather than by an
  // ignore comment in the file (kind "inSource").
  bool approved = false;
  // Judged as `miglint run` vets the file: run refuses the file until this finding is approved,
  // for the reason (and with the advice) `vetting_note` gives.
  bool needs_approval = false;
  SharedText vetting_note;  // mostly empty: 16 bytes, where a std::string takes 32
  // In a down migration under [lint] down_migrations = "note": reported, never fails the build
  // (whatever --fail-on says).
  bool never_fails = false;
  // The mechanical fix, when the rule has one for this finding (fixes/): set only when asked for
  // (`lint --fix`, `--diff`), never on a suppressed finding. Boxed, as the table's size: most
  // findings have neither, and a file may have 100,000 findings.
  Boxed<Fix> fix;
  TableRef table;               // the table it is about (none for most findings)
  Boxed<TableSize> table_size;  // set with --stats-from, and by `plan`
};

// Sets source_line (and source_line_column) from `source` for a finding whose span and start are
// set: the start line, or around the start an excerpt of a line longer than a few kilobytes (one
// 30 MB line of minified SQL must not be copied into every finding on it).
void set_source_line(Finding& finding, const SourceFile& source);

// An input that could not be linted at all (unreadable, binary, invalid UTF-8).
struct InputError {
  std::string path;
  std::optional<Position> position;
  std::string message;
};

}  // namespace miglint
