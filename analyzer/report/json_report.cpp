#include <string>
#include <unordered_map>

#include "analyzer/report/format.hpp"
#include "analyzer/report/json_text.hpp"
#include "analyzer/report/reporter.hpp"
#include "analyzer/report/table_size_json.hpp"

namespace miglint {

namespace {

void append_position(std::string& out, const Position& p) {
  out += "{\"line\": ";
  out += std::to_string(p.line);
  out += ", \"column\": ";
  out += std::to_string(p.column);
  out += '}';
}

// Written out whenever this much is buffered: a file's findings are not held as text all at once
// (100,000 findings are about 40 MB of JSON).
constexpr std::size_t kFlushBytes = std::size_t{64} << 10;

class JsonReporter final : public Reporter {
 public:
  explicit JsonReporter(std::ostream& out) : out_(out) { out_ << R"({"version": 1, "findings": [)"; }

  void file(const FileResult& result) override {
    std::string& line = buffer_;
    line.clear();
    for (const Finding& finding : result.findings) {
      if (finding.suppressed) {
        continue;
      }
      line += first_ ? "\n  " : ",\n  ";
      first_ = false;
      line += "{\"rule\": ";
      append_json_string(line, finding.rule);
      line += ", \"severity\": ";
      append_json_string(line, severity_name(finding.severity));
      line += ", \"path\": ";
      line += escaped(last_path_, finding.path);
      line += ", \"start\": ";
      append_position(line, finding.start);
      line += ", \"end\": ";
      append_position(line, finding.end);
      line += ", \"message\": ";
      append_json_string(line, finding.message);
      line += ", \"help\": ";
      line += escaped(helps_[finding.rule], finding.help);
      if (finding.table_size) {  // lint --stats-from only
        line += ", \"table\": ";
        line += table_size_json(finding);
      }
      line += '}';
      if (line.size() >= kFlushBytes) {
        out_ << line;
        line.clear();
      }
    }
    out_ << line;
  }

  void finish(const RunSummary& summary) override {
    std::string out = first_ ? "" : "\n";
    out += R"(], "errors": [)";
    bool first = true;
    for (const InputError& error : summary.input_errors) {
      out += first ? "\n  " : ",\n  ";
      first = false;
      out += "{\"path\": ";
      append_json_string(out, error.path);
      out += ", \"line\": ";
      out += error.position ? std::to_string(error.position->line) : "null";
      out += ", \"column\": ";
      out += error.position ? std::to_string(error.position->column) : "null";
      out += ", \"message\": ";
      append_json_string(out, error.message);
      out += '}';
    }
    out += first ? "" : "\n";
    out += "]}\n";
    out_ << out;
    out_.flush();
  }

 private:
  // A text escaped last time under `key`: a file's findings share its path and a rule's findings
  // mostly share its help, which together are 40% of the output. Comparing is cheaper than escaping.
  struct Escaped {
    std::string raw;
    std::string json;
  };
  static const std::string& escaped(Escaped& entry, const std::string& text) {
    if (entry.json.empty() || entry.raw != text) {
      entry.raw = text;
      entry.json.clear();
      append_json_string(entry.json, text);
    }
    return entry.json;
  }

  Escaped last_path_;                               // the file's path (one entry: files stream past)
  std::unordered_map<std::string, Escaped> helps_;  // by rule id: bounded by the rule catalog
  std::ostream& out_;
  std::string buffer_;
  bool first_ = true;
};

}  // namespace

std::unique_ptr<Reporter> make_json_reporter(std::ostream& out) {
  return std::make_unique<JsonReporter>(out);
}

std::unique_ptr<Reporter> make_json_format(std::ostream& out, const ReportSettings&) {
  return make_json_reporter(out);
}

}  // namespace miglint
