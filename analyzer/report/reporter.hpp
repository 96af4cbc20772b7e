#pragma once

#include <memory>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "analyzer/engine/linter.hpp"
#include "analyzer/model/finding.hpp"

namespace miglint {

// Totals of a run, for summaries and the exit status.
struct RunSummary {
  std::size_t files = 0;
  std::size_t errors = 0;
  std::size_t warnings = 0;
  std::size_t notes = 0;
  std::size_t suppressed = 0;  // by ignore comments and approvals
  std::size_t approved = 0;    // of which by approvals (miglint.approvals.toml)
  std::vector<InputError> input_errors;
};

// Receives file results in order as they complete, and the summary at the end.
class Reporter {
 public:
  virtual ~Reporter() = default;
  virtual void file(const FileResult& result) = 0;
  virtual void finish(const RunSummary& summary) = 0;
};

struct TextStyle {
  bool colour = false;
};

std::unique_ptr<Reporter> make_text_reporter(std::ostream& out, TextStyle style);
// The line that reports an input error on standard error, whatever the format:
// `miglint: error: PATH[:LINE:COLUMN]: MESSAGE\n`, the path and message escaped (escape_for_message).
std::string input_error_line(const InputError& error);
// Streams `{"version": 1, "findings": [...], "errors": [...]}`; suppressed findings are left out.
std::unique_ptr<Reporter> make_json_reporter(std::ostream& out);
// GitHub Actions workflow commands, one line per finding:
// `::error file=PATH,line=L,endLine=L,col=C,endColumn=C,title=RULE-ID::message` (`::warning`,
// `::notice`); suppressed findings are left out. col/endColumn only when the finding is on one line.
std::unique_ptr<Reporter> make_github_reporter(std::ostream& out);
// Workflow-command escaping: property values escape `%`, CR, LF, `:` and `,`; the message only
// `%`, CR and LF. Other control characters (ESC, BEL...) are shown as escape_for_message shows them
// (`\x1b`), so that no terminal escape sequence reaches a log or a terminal.
std::string escape_github_property(std::string_view value);
std::string escape_github_message(std::string_view message);

}  // namespace miglint
