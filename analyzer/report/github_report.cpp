// GitHub Actions workflow commands: each finding becomes an annotation on the pull request.
#include <fmt/format.h>

#include "analyzer/report/reporter.hpp"

namespace miglint {

namespace {

std::string escape(std::string_view text, bool property) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '%':
        out += "%25";
        break;
      case '\r':
        out += "%0D";
        break;
      case '\n':
        out += "%0A";
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

}  // namespace miglint
