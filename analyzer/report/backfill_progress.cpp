#include "analyzer/report/backfill_progress.hpp"

#include <fmt/format.h>

#include <cmath>

#include "analyzer/text/message_text.hpp"

namespace miglint {

namespace {

std::string duration_text(double seconds) {
  auto whole = static_cast<long long>(std::llround(seconds));
  if (whole < 60) {
    return fmt::format("{} s", whole);
  }
  if (whole < 3600) {
    return fmt::format("{} min {} s", whole / 60, whole % 60);
  }
  return fmt::format("{} h {} min", whole / 3600, (whole % 3600) / 60);
}

std::string rows_text(int64_t done, std::optional<int64_t> total, bool estimated) {
  if (!total) {
    return fmt::format("{} rows", grouped_number(done));
  }
  std::string text =
      fmt::format("{}/{}{} rows", grouped_number(done), estimated ? "~" : "", grouped_number(*total));
  if (*total > 0) {
    text += fmt::format(" ({}%)", std::min<int64_t>(100, done * 100 / *total));
  }
  return text;
}

}  // namespace

std::string grouped_number(int64_t value) {
  std::string digits = std::to_string(value < 0 ? -value : value);
  std::string text;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) {
      text += ',';
    }
    text += digits[i];
  }
  return value < 0 ? "-" + text : text;
}

void write_backfill_start(std::ostream& out, const BackfillStartView& view) {
  std::string scope = view.upper_key ? fmt::format("keys up to {}", view.upper_key.value())
                                     : std::string("the table is empty");
  std::string total = view.rows_total
                          ? fmt::format(", {}{} rows to do", view.rows_total_estimated ? "about " : "",
                                        grouped_number(*view.rows_total))
                          : "";
  std::string resumed = view.resumed_after_key
                            ? fmt::format("; resuming after key {} ({} rows done by an earlier run)",
                                          *view.resumed_after_key, grouped_number(view.rows_done))
                            : "";
  out << fmt::format(
      "  backfill {}: {} by {} in batches of {}{}, {}{}{}\n", view.where, escape_for_message(view.table),
      escape_for_message(view.key), grouped_number(static_cast<int64_t>(view.batch)),
      view.sleep_ms > 0 ? fmt::format(" ({} ms apart)", view.sleep_ms) : "", scope, total, resumed);
  out.flush();
}

void write_backfill_progress(std::ostream& out, const BackfillProgressView& view, bool terminal) {
  std::string line = fmt::format("backfilling {}, {} rows/s",
                                 rows_text(view.rows_done, view.rows_total, view.rows_total_estimated),
                                 grouped_number(static_cast<int64_t>(std::llround(view.rows_per_second))));
  if (view.seconds_left) {
    line += fmt::format(", {} left", duration_text(*view.seconds_left));
  }
  if (terminal) {
    out << "\r  " << line << "\x1b[K";
  } else {
    out << fmt::format("  {} (batch {}, up to key {})\n", line, grouped_number(view.batches), view.last_key);
  }
  out.flush();
}

void end_backfill_progress_line(std::ostream& out, bool terminal_line_open) {
  if (terminal_line_open) {
    out << "\n";
    out.flush();
  }
}

void write_backfill_done(std::ostream& out, int64_t rows_done, int64_t batches, long long elapsed_ms,
                         bool terminal_line_open) {
  end_backfill_progress_line(out, terminal_line_open);
  out << fmt::format("  backfill done: {} rows in {} batches ({} ms in this run)\n",
                     grouped_number(rows_done), grouped_number(batches), elapsed_ms);
  out.flush();
}

std::string backfill_status_text(int64_t rows_done, std::optional<int64_t> rows_total, bool estimated,
                                 int statement) {
  return fmt::format("backfilling {} (statement {}; `miglint run` resumes it)",
                     rows_text(rows_done, rows_total, estimated), statement);
}

}  // namespace miglint
