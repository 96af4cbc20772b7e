#pragma once

#include <memory>
#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "analyzer/engine/linter.hpp"
#include "analyzer/model/rule.hpp"
#include "analyzer/report/reporter.hpp"

namespace miglint {

// What a format is made with: every format gets all of it and reads what it needs.
struct ReportSettings {
  std::vector<const Rule*> enabled_rules;  // the run's rules (SARIF describes each one)
  bool include_suppressed = false;         // read only by formats with supports_suppressed
  bool colour = false;                     // read only by formats with wants_colour
};

using ReporterFactory = std::unique_ptr<Reporter> (*)(std::ostream& out, const ReportSettings& settings);

// One output format of `miglint lint --format NAME`: what the command line must know about it, and
// how to make its reporter. The table (formats.cpp) is the only list of formats.
struct ReportFormat {
  std::string_view name;
  // Findings need statement keys (LintOptions::statement_keys), which hashing statements costs: for
  // fingerprints that survive edits elsewhere in the file.
  bool needs_statement_keys = false;
  // Can write suppressed findings as such (`--include-suppressed`); the others leave them out.
  bool supports_suppressed = false;
  // Colours its output on a terminal (unless NO_COLOR is set).
  bool wants_colour = false;
  ReporterFactory make = nullptr;
};

// Every format, in the order `--help` lists them ("text" first: the default).
std::span<const ReportFormat> report_formats();
// The format named `name`, or nullptr.
const ReportFormat* find_report_format(std::string_view name);
// The formats' names, in table order, for the command line's choice list.
std::vector<std::string> report_format_names();

// `miglint locks --format NAME`: the lock model's view of each file, as it is read in order.
class LocksReporter {
 public:
  virtual ~LocksReporter() = default;
  virtual void file(const FileLocks& locks) = 0;
  virtual void finish() = 0;
};
using LocksReporterFactory = std::unique_ptr<LocksReporter> (*)(std::ostream& out);
struct LocksFormat {
  std::string_view name;
  LocksReporterFactory make = nullptr;
};
std::span<const LocksFormat> locks_formats();
const LocksFormat* find_locks_format(std::string_view name);
std::vector<std::string> locks_format_names();
// The line on standard error for a statement `locks` could not read (a FileLocks::problems entry):
// `miglint: PATH:LINE:COLUMN: RULE: MESSAGE (statement skipped)\n`.
std::string locks_problem_line(const Finding& problem);

}  // namespace miglint
