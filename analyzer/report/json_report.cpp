#include <nlohmann/json.hpp>

#include "analyzer/report/reporter.hpp"

namespace miglint {

namespace {

nlohmann::ordered_json position_json(const Position& p) {
  return nlohmann::ordered_json{{"line", p.line}, {"column", p.column}};
}

class JsonReporter final : public Reporter {
 public:
  explicit JsonReporter(std::ostream& out) : out_(out) { out_ << R"({"version": 1, "findings": [)"; }

  void file(const FileResult& result) override {
    for (const Finding& finding : result.findings) {
      if (finding.suppressed) {
        continue;
      }
      nlohmann::ordered_json item{
          {"rule", finding.rule},
          {"severity", severity_name(finding.severity)},
          {"path", finding.path},
          {"start", position_json(finding.start)},
          {"end", position_json(finding.end)},
          {"message", finding.message},
          {"help", finding.help},
      };
      out_ << (first_ ? "\n  " : ",\n  ")
           << item.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
      first_ = false;
    }
  }

  void finish(const RunSummary& summary) override {
    out_ << (first_ ? "" : "\n") << R"(], "errors": [)";
    bool first = true;
    for (const InputError& error : summary.input_errors) {
      nlohmann::ordered_json item{
          {"path", error.path}, {"line", nullptr}, {"column", nullptr}, {"message", error.message}};
      if (error.position) {
        item["line"] = error.position->line;
        item["column"] = error.position->column;
      }
      out_ << (first ? "\n  " : ",\n  ")
           << item.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
      first = false;
    }
    out_ << (first ? "" : "\n") << "]}\n";
    out_.flush();
  }

 private:
  std::ostream& out_;
  bool first_ = true;
};

}  // namespace

std::unique_ptr<Reporter> make_json_reporter(std::ostream& out) {
  return std::make_unique<JsonReporter>(out);
}

}  // namespace miglint
