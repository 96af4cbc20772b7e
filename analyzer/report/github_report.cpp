// GitHub Actions workflow commands: each finding becomes an annotation on the pull request.
#include <fmt/format.h>

#include "analyzer/report/format.hpp"
#include "analyzer/report/reporter.hpp"
#include "analyzer/text/message_text.hpp"

namespace miglint {

namespace {

// GitHub's own escaping of a workflow command (the runner's ActionCommand unescapes %0D, %0A, and in
// properties %3A and %2C, then %25), over the text as every message shows it: CR and LF keep their
// meaning (a file name with a newline still names its file; a message may span lines), every other
// control character is escaped by escape_for_message, so that neither a forged command line nor a
// terminal escape sequence can come out of a hostile name.
std::string escape(std::string_view text, bool property) {
  std::string out;
  out.reserve(text.size());
  std::string shown;
  std::size_t at = 0;
  while (at <= text.size()) {
    std::size_t end = text.find_first_of("\r\n", at);
    std::string_view piece =
        text.substr(at, end == std::string_view::npos ? std::string_view::npos : end - at);
    shown.clear();
    append_escaped_for_message(shown, piece);
    for (char c : shown) {
      switch (c) {
        case '%':
          out += "%25";
          break;
        case ':':
          out += property ? "%3A" : ":";
          break;
        case ',':
          out += property ? "%2C" : ",";
          break;
        default:
          out += c;
      }
    }
    if (end == std::string_view::npos) {
      break;
    }
    out += text[end] == '\r' ? "%0D" : "%0A";
    at = end + 1;
  }
  return out;
}

std::string_view command_name(Severity severity) {
  return severity == Severity::Error ? "error" : severity == Severity::Warning ? "warning" : "notice";
}

class GithubReporter final : public Reporter {
 public:
  explicit GithubReporter(std::ostream& out) : out_(out) {}

  void file(const FileResult& result) override {
    for (const Finding& finding : result.findings) {
      if (finding.suppressed) {
        continue;
      }
      // GitHub rejects col/endColumn on an annotation that spans several lines.
      std::string columns =
          finding.start.line == finding.end.line
              ? fmt::format(",col={},endColumn={}", finding.start.column, finding.end.column)
              : std::string();
      out_ << fmt::format("::{} file={},line={},endLine={}{},title={}::{}\n", command_name(finding.severity),
                          escape_github_property(finding.path), finding.start.line, finding.end.line, columns,
                          escape_github_property(finding.rule), escape_github_message(finding.message));
    }
  }

  void finish(const RunSummary& summary) override {
    for (const InputError& error : summary.input_errors) {
      out_ << fmt::format("::error file={},title=miglint::{}\n", escape_github_property(error.path),
                          escape_github_message(error.message));
    }
    out_.flush();
  }

 private:
  std::ostream& out_;
};

}  // namespace

std::string escape_github_property(std::string_view value) {
  return escape(value, true);
}

std::string escape_github_message(std::string_view message) {
  return escape(message, false);
}

std::unique_ptr<Reporter> make_github_reporter(std::ostream& out) {
  return std::make_unique<GithubReporter>(out);
}

std::unique_ptr<Reporter> make_github_format(std::ostream& out, const ReportSettings&) {
  return make_github_reporter(out);
}

}  // namespace miglint
