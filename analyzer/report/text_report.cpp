#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <string>
#include <vector>

#include "analyzer/report/reporter.hpp"

namespace miglint {

namespace {

constexpr std::string_view kReset = "\x1b[0m";
constexpr std::string_view kBold = "\x1b[1m";
constexpr std::string_view kRed = "\x1b[1;31m";
constexpr std::string_view kYellow = "\x1b[1;33m";
constexpr std::string_view kCyan = "\x1b[1;36m";
constexpr std::string_view kBlue = "\x1b[1;34m";

// Expands tabs so that the marker lines up with the source line.
std::string expand_tabs(std::string_view line) {
  std::string out;
  for (char c : line) {
    if (c == '\t') {
      out += "    ";
    } else {
      out += c;
    }
  }
  return out;
}

// Display width of the first `chars` code points of `line` (tabs count as four).
std::size_t display_width(std::string_view line, uint32_t chars) {
  std::size_t width = 0;
  uint32_t seen = 0;
  for (std::size_t i = 0; i < line.size() && seen < chars; ++i) {
    auto byte = static_cast<unsigned char>(line[i]);
    if ((byte & 0xC0U) == 0x80U) {
      continue;
    }
    width += line[i] == '\t' ? 4 : 1;
    ++seen;
  }
  return width;
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
    out_ << fmt::format("{}{}:{}:{}:{} {}{}:{} {} [{}]\n", paint(kBold), finding.path, finding.start.line,
                        finding.start.column, reset(), paint(colour), severity_name(finding.severity),
                        reset(), finding.message, finding.rule);
    {
      std::string_view line = finding.source_line;
      std::string number = std::to_string(finding.start.line);
      std::string gutter(number.size(), ' ');
      // An excerpt of a long line starts at source_line_column, after an ellipsis.
      uint32_t first = finding.source_line_column;
      std::string_view cut = first > 1 ? "\u2026" : "";
      std::size_t indent = display_width(line, finding.start.column - first);
      std::size_t width = 1;
      if (finding.end.line == finding.start.line && finding.end.column > finding.start.column) {
        width = std::max<std::size_t>(1, display_width(line, finding.end.column - first) - indent);
      } else if (finding.end.line > finding.start.line) {
        width = std::max<std::size_t>(1, display_width(line, UINT32_MAX) - indent);
      }
      indent += first > 1 ? 1 : 0;
      out_ << fmt::format("{}{} |{} {}{}\n", paint(kBlue), number, reset(), cut, expand_tabs(line));
      out_ << fmt::format("{}{} |{} {}{}{}{}\n", paint(kBlue), gutter, reset(), std::string(indent, ' '),
                          paint(colour), "^" + std::string(width - 1, '~'), reset());
      out_ << fmt::format("{}{} = {}help:{} {}\n", paint(kBlue), gutter, paint(kBold), reset(), finding.help);
    }
    out_ << "\n";
  }

  std::ostream& out_;
  TextStyle style_;
};

}  // namespace

std::unique_ptr<Reporter> make_text_reporter(std::ostream& out, TextStyle style) {
  return std::make_unique<TextReporter>(out, style);
}

}  // namespace miglint
