#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <string>
#include <vector>

#include "analyzer/report/format.hpp"
#include "analyzer/report/reporter.hpp"
#include "analyzer/text/message_text.hpp"

namespace miglint {

namespace {

constexpr std::string_view kReset = "\x1b[0m";
constexpr std::string_view kBold = "\x1b[1m";
constexpr std::string_view kRed = "\x1b[1;31m";
constexpr std::string_view kYellow = "\x1b[1;33m";
constexpr std::string_view kCyan = "\x1b[1;36m";
constexpr std::string_view kBlue = "\x1b[1;34m";

// A source line as the excerpt shows it, and the columns the marker under it spans. Tabs become
// four spaces; control characters and the like are escaped as in every message
// (escape_for_message), and take the columns of their escape, so that the marker still lines up.
struct Excerpt {
  std::string text;
  std::size_t indent = 0;  // columns before the first marked character
  std::size_t width = 1;   // columns marked
};

// `first` and `last` are 0-based code point indexes: the marker runs from `first` up to, not
// including, `last` (past the end of the line: to its end).
Excerpt make_excerpt(std::string_view line, uint32_t first, uint32_t last) {
  Excerpt excerpt;
  excerpt.text.reserve(line.size());
  std::size_t column = 0;
  std::size_t end_column = std::string::npos;
  uint32_t index = 0;
  std::size_t at = 0;
  while (at < line.size()) {
    if (index == first) {
      excerpt.indent = column;
    }
    if (index == last) {
      end_column = column;
    }
    if (line[at] == '\t') {
      excerpt.text += "    ";
      column += 4;
      ++at;
    } else {
      std::size_t shown_from = excerpt.text.size();
      std::size_t length = append_escaped_character(excerpt.text, line, at);
      std::size_t shown = excerpt.text.size() - shown_from;
      bool as_is = shown == length && line.compare(at, length, excerpt.text, shown_from, shown) == 0;
      column += as_is ? 1 : shown;
      at += length;
    }
    ++index;
  }
  if (index <= first) {
    excerpt.indent = column;
  }
  if (end_column == std::string::npos) {
    end_column = column;
  }
  excerpt.width = end_column > excerpt.indent ? end_column - excerpt.indent : 1;
  return excerpt;
}

class TextReporter final : public Reporter {
 public:
  TextReporter(std::ostream& out, TextStyle style) : out_(out), style_(style) {}

  void file(const FileResult& result) override {
    for (const Finding& finding : result.findings) {
      if (!finding.suppressed) {
        print(finding);
      }
    }
  }

  void finish(const RunSummary& summary) override {
    std::size_t total = summary.errors + summary.warnings + summary.notes;
    if (total == 0 && summary.input_errors.empty()) {
      out_ << fmt::format("{}No problems found{} in {} file{}.\n", paint(kBold), reset(), summary.files,
                          summary.files == 1 ? "" : "s");
    } else {
      out_ << fmt::format("{}Found {} problem{}{} ({} error{}, {} warning{}, {} note{}) in {} file{}",
                          paint(kBold), total, total == 1 ? "" : "s", reset(), summary.errors,
                          summary.errors == 1 ? "" : "s", summary.warnings, summary.warnings == 1 ? "" : "s",
                          summary.notes, summary.notes == 1 ? "" : "s", summary.files,
                          summary.files == 1 ? "" : "s");
      if (!summary.input_errors.empty()) {
        out_ << fmt::format("; {} file{} could not be read", summary.input_errors.size(),
                            summary.input_errors.size() == 1 ? "" : "s");
      }
      out_ << ".\n";
    }
    if (summary.suppressed > 0) {
      // What was held back, so that nobody wonders where a reviewed finding went.
      std::size_t by_comment = summary.suppressed - summary.approved;
      std::vector<std::string> parts;
      if (summary.approved > 0) {
        parts.push_back(fmt::format("{} approved in miglint.approvals.toml", summary.approved));
      }
      if (by_comment > 0) {
        parts.push_back(fmt::format("{} silenced by ignore comments", by_comment));
      }
      out_ << fmt::format("Not shown: {}.\n", fmt::join(parts, ", "));
    }
    out_.flush();
  }

 private:
  std::string_view paint(std::string_view code) const { return style_.colour ? code : std::string_view(); }
  std::string_view reset() const { return style_.colour ? kReset : std::string_view(); }

  void print(const Finding& finding) {
    std::string_view colour = finding.severity == Severity::Error     ? kRed
                              : finding.severity == Severity::Warning ? kYellow
                                                                      : kCyan;
    out_ << fmt::format("{}{}:{}:{}:{} {}{}:{} {} [{}]\n", paint(kBold), escape_for_message(finding.path),
                        finding.start.line, finding.start.column, reset(), paint(colour),
                        severity_name(finding.severity), reset(), escape_for_message(finding.message),
                        escape_for_message(finding.rule));
    {
      std::string number = std::to_string(finding.start.line);
      std::string gutter(number.size(), ' ');
      // An excerpt of a long line starts at source_line_column, after an ellipsis.
      uint32_t excerpt_column = finding.source_line_column;
      std::string_view cut = excerpt_column > 1 ? "\u2026" : "";
      uint32_t first = finding.start.column - excerpt_column;
      uint32_t last = first + 1;
      if (finding.end.line == finding.start.line && finding.end.column > finding.start.column) {
        last = finding.end.column - excerpt_column;
      } else if (finding.end.line > finding.start.line) {
        last = UINT32_MAX;  // to the end of the line
      }
      Excerpt excerpt = make_excerpt(finding.source_line, first, last);
      std::size_t indent = excerpt.indent + (excerpt_column > 1 ? 1 : 0);
      out_ << fmt::format("{}{} |{} {}{}\n", paint(kBlue), number, reset(), cut, excerpt.text);
      out_ << fmt::format("{}{} |{} {}{}{}{}\n", paint(kBlue), gutter, reset(), std::string(indent, ' '),
                          paint(colour), "^" + std::string(excerpt.width - 1, '~'), reset());
      out_ << fmt::format("{}{} = {}help:{} {}\n", paint(kBlue), gutter, paint(kBold), reset(),
                          escape_for_message(finding.help.str()));
    }
    out_ << "\n";
  }

  std::ostream& out_;
  TextStyle style_;
};

}  // namespace

std::string input_error_line(const InputError& error) {
  std::string where = escape_for_message(error.path);
  if (error.position) {
    where += fmt::format(":{}:{}", error.position->line, error.position->column);
  }
  return fmt::format("miglint: error: {}: {}\n", where, escape_for_message(error.message));
}

std::unique_ptr<Reporter> make_text_reporter(std::ostream& out, TextStyle style) {
  return std::make_unique<TextReporter>(out, style);
}

std::unique_ptr<Reporter> make_text_format(std::ostream& out, const ReportSettings& settings) {
  return make_text_reporter(out, TextStyle{settings.colour});
}

}  // namespace miglint
