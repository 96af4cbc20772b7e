#pragma once

// What `miglint run` says while it runs a backfill (`-- miglint-backfill`, docs/runner.md "Managed
// backfills"): one line when it starts, then its progress (rows done, rate, time left) as one line
// rewritten in place on a terminal, or a plain line every few seconds otherwise (a pipe, a CI log),
// and one line when it is done. The runner fills the views; the wording lives here.
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>

namespace miglint {

// 1234567 -> "1,234,567".
std::string grouped_number(int64_t value);

struct BackfillStartView {
  std::string_view where;  // PATH:LINE:COL of the statement
  std::string_view table;
  std::string_view key;
  std::size_t batch = 0;
  long long sleep_ms = 0;
  std::optional<int64_t> upper_key;  // none: the table was empty
  std::optional<int64_t> rows_total;
  bool rows_total_estimated = false;
  std::optional<int64_t> resumed_after_key;  // an earlier run's last batch ended at this key
  int64_t rows_done = 0;                     // by earlier runs
};
void write_backfill_start(std::ostream& out, const BackfillStartView& view);

struct BackfillProgressView {
  int64_t rows_done = 0;
  std::optional<int64_t> rows_total;
  bool rows_total_estimated = false;
  double rows_per_second = 0;          // this run's rate
  std::optional<double> seconds_left;  // when the total is known and the rate is not zero
  int64_t batches = 0;
  int64_t last_key = 0;
};
// On a terminal: `\r` and the line, no newline (the next call rewrites it); otherwise a line.
void write_backfill_progress(std::ostream& out, const BackfillProgressView& view, bool terminal);

// The backfill is complete and recorded; ends the terminal's progress line first.
void write_backfill_done(std::ostream& out, int64_t rows_done, int64_t batches, long long elapsed_ms,
                         bool terminal_line_open);

// The terminal's progress line is left as it is and a new line begins (before a message of another kind).
void end_backfill_progress_line(std::ostream& out, bool terminal_line_open);

// What `status` adds for a migration whose backfill is in progress: "backfilling 42,000/100,000 rows".
std::string backfill_status_text(int64_t rows_done, std::optional<int64_t> rows_total, bool estimated,
                                 int statement);

}  // namespace miglint
