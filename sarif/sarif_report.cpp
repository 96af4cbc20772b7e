// SARIF 2.1.0 (OASIS) for GitHub code scanning: one run, the enabled rules with their doc pages,
// and one result per finding, located relative to %SRCROOT% (the repository root).
#include "sarif/sarif_report.hpp"

#include <fmt/format.h>

#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>
#include <span>
#include <tuple>
#include <vector>

#include "analyzer/report/format.hpp"
#include "analyzer/report/json_text.hpp"
#include "analyzer/report/table_size_json.hpp"
#include "analyzer/text/hash.hpp"
#include "rules/registry.hpp"
#include "rules/rule_docs.hpp"

namespace miglint {

namespace {

using Json = nlohmann::ordered_json;

constexpr std::string_view kSrcRoot = "%SRCROOT%";

std::string_view sarif_level(Severity severity) {
  switch (severity) {
    case Severity::Error:
      return "error";
    case Severity::Warning:
      return "warning";
    case Severity::Note:
      return "note";
  }
  return "warning";
}

// GitHub's `problem.severity` vocabulary: error, warning, recommendation.
std::string_view problem_severity(Severity severity) {
  return severity == Severity::Note ? "recommendation" : sarif_level(severity);
}

// "ban-drop-table" -> "BanDropTable", the SARIF convention for a rule's name.
std::string pascal_case(std::string_view id) {
  std::string name;
  bool upper = true;
  for (char c : id) {
    if (c == '-' || c == '_') {
      upper = true;
      continue;
    }
    name += upper && c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
    upper = false;
  }
  return name;
}

// The lead paragraph of a rule's page: what follows the title and the severity line, up to the
// first `##` section.
std::string lead_paragraph(std::string_view doc) {
  std::string lead;
  std::size_t at = 0;
  while (at < doc.size()) {
    std::size_t eol = doc.find('\n', at);
    std::string_view line = doc.substr(at, eol == std::string_view::npos ? std::string_view::npos : eol - at);
    at = eol == std::string_view::npos ? doc.size() : eol + 1;
    if (line.starts_with("## ")) {
      break;
    }
    if (line.starts_with("# ") || line.starts_with("**Severity:**")) {
      continue;
    }
    if (line.empty()) {
      if (!lead.empty() && !lead.ends_with('\n')) {
        lead += '\n';
      }
      continue;
    }
    if (!lead.empty() && !lead.ends_with('\n')) {
      lead += ' ';
    }
    lead += line;
  }
  while (!lead.empty() && lead.back() == '\n') {
    lead.pop_back();
  }
  return lead;
}

Json rule_descriptor(const Rule& rule) {
  std::string_view doc = rule_doc(rule.id);
  std::string full = lead_paragraph(doc);
  Json tags = Json::array();
  for (std::string_view tag : rule.tags) {
    if (!tag.empty()) {
      tags.push_back(tag);
    }
  }
  // The rules the driver reports itself state plain facts about the text (it does not parse, a
  // comment silences nothing); the others reason about a schema miglint sees only in part.
  std::string_view precision = rule.check == nullptr ? "very-high" : "high";
  std::string help = doc.empty() ? std::string(rule.summary) : std::string(doc);
  return Json{
      {"id", rule.id},
      {"name", pascal_case(rule.id)},
      {"shortDescription", {{"text", rule.summary}}},
      {"fullDescription", {{"text", full.empty() ? std::string(rule.summary) : full}}},
      {"help", {{"text", help}, {"markdown", help}}},
      {"defaultConfiguration", {{"level", sarif_level(rule.severity)}}},
      {"properties",
       {{"tags", tags}, {"precision", precision}, {"problem.severity", problem_severity(rule.severity)}}},
  };
}

// Text written as results come and read back once, in order, when the document is written: SARIF
// puts the rules and the invocation (known only at the end) before the results, so the results
// wait, as text in a temporary file (deleted by the system when closed) rather than as a JSON tree
// in memory (100,000 findings were 500 MB as a tree). In memory where no temporary file can be made
// or written.
class Spool {
 public:
  Spool() : file_(std::tmpfile()) {}
  ~Spool() {
    if (file_ != nullptr) {
      std::fclose(file_);
    }
  }
  Spool(const Spool&) = delete;
  Spool& operator=(const Spool&) = delete;

  bool empty() const { return size_ == 0; }

  void append(std::string_view text) {
    size_ += text.size();
    if (file_ != nullptr && std::fwrite(text.data(), 1, text.size(), file_) == text.size()) {
      return;
    }
    if (file_ != nullptr) {  // a write failed (disk full): what was written moves to memory
      memory_ = read_back();
      memory_.resize(size_ - text.size());  // without the part of `text` that may have been written
      std::fclose(file_);
      file_ = nullptr;
    }
    memory_ += text;
  }

  void write_to(std::ostream& out) {
    if (file_ == nullptr) {
      out << memory_;
      return;
    }
    std::fflush(file_);
    std::rewind(file_);
    std::string block(std::size_t{64} << 10, '\0');
    std::size_t read = 0;
    while ((read = std::fread(block.data(), 1, block.size(), file_)) > 0) {
      out.write(block.data(), static_cast<std::streamsize>(read));
    }
  }

 private:
  std::string read_back() {
    std::string text;
    std::fflush(file_);
    std::rewind(file_);
    std::string block(std::size_t{64} << 10, '\0');
    std::size_t read = 0;
    while ((read = std::fread(block.data(), 1, block.size(), file_)) > 0) {
      text.append(block.data(), read);
    }
    return text;
  }

  std::FILE* file_ = nullptr;
  std::string memory_;
  std::size_t size_ = 0;
};

// How deep a result sits in the document (runs[0].results[i]): the indentation of its lines.
constexpr std::string_view kResultIndent = "        ";
// The end of the document as written without results: the results array is spliced in there.
constexpr std::string_view kNoResults = "\"results\": []";

class SarifReporter final : public Reporter {
 public:
  SarifReporter(std::ostream& out, std::span<const Rule* const> enabled_rules, SarifOptions options)
      : out_(out), options_(std::move(options)) {
    for (const Rule* rule : enabled_rules) {
      rule_index(*rule);
    }
  }

  void file(const FileResult& result) override {
    if (result.findings.empty()) {
      return;
    }
    std::string uri = relative_uri(result.path, options_.repo_root);
    // A finding's ordinal among the findings of the same rule on the same statement, counted over
    // suppressed findings too so that --include-suppressed changes no fingerprint.
    std::map<std::tuple<std::string_view, std::string_view, uint32_t>, uint32_t> ordinals;
    for (const Finding& finding : result.findings) {
      uint32_t ordinal = ordinals[{finding.rule, finding.statement_key, finding.statement_occurrence}]++;
      if (finding.suppressed && !options_.include_suppressed) {
        continue;
      }
      append_result(result_json(finding, uri, ordinal));
    }
  }

  void finish(const RunSummary& summary) override {
    Json rules = Json::array();
    for (const Rule* rule : descriptors_) {
      rules.push_back(rule_descriptor(*rule));
    }
    Json invocation{{"executionSuccessful", summary.input_errors.empty()}};
    if (!summary.input_errors.empty()) {
      Json notifications = Json::array();
      for (const InputError& error : summary.input_errors) {
        Json location{{"uri", relative_uri(error.path, options_.repo_root)}, {"uriBaseId", kSrcRoot}};
        Json physical{{"artifactLocation", location}};
        if (error.position) {
          physical["region"] = {{"startLine", error.position->line}, {"startColumn", error.position->column}};
        }
        notifications.push_back({{"level", "error"},
                                 {"message", {{"text", fmt::format("{}: {}", error.path, error.message)}}},
                                 {"locations", Json::array({{{"physicalLocation", physical}}})}});
      }
      invocation["toolExecutionNotifications"] = std::move(notifications);
    }
    Json run{
        {"tool",
         {{"driver",
           {{"name", "miglint"},
            {"version", MIGLINT_VERSION},
            {"semanticVersion", MIGLINT_VERSION},
            {"rules", std::move(rules)}}}}},
        {"invocations", Json::array({std::move(invocation)})},
        {"originalUriBaseIds", {{kSrcRoot, {{"uri", directory_file_uri(options_.repo_root)}}}}},
        {"columnKind", "unicodeCodePoints"},
        {"results", Json::array()},
    };
    Json document{
        {"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
        {"version", "2.1.0"},
        {"runs", Json::array({std::move(run)})},
    };
    // Valid JSON whatever the input: a byte that is not UTF-8 (a file name's) becomes U+FFFD, and
    // what a terminal would act on is escaped as in the JSON report (json_text.hpp).
    std::string text =
        terminal_safe_json(document.dump(2, ' ', false, nlohmann::json::error_handler_t::replace));
    std::size_t results_at = text.rfind(kNoResults);
    if (results_.empty() || results_at == std::string::npos) {
      out_ << text << "\n";
    } else {
      // As the JSON library writes a non-empty array: "[", each element on its own lines, "]" at
      // the key's indentation (6 spaces: runs[0] is at 4).
      std::size_t after = results_at + kNoResults.size();
      out_ << std::string_view(text).substr(0, after - 1) << "\n";
      results_.write_to(out_);
      out_ << "\n" << kResultIndent.substr(2) << std::string_view(text).substr(after - 1) << "\n";
    }
    out_.flush();
  }

 private:
  // Writes `result` as the JSON library would inside the document (indented as results[i] is),
  // after a comma when it is not the first.
  void append_result(const Json& result) {
    std::string dumped =
        terminal_safe_json(result.dump(2, ' ', false, nlohmann::json::error_handler_t::replace));
    std::string& text = result_text_;
    text.clear();
    if (!results_.empty()) {
      text += ",\n";
    }
    text += kResultIndent;
    for (char c : dumped) {
      text += c;
      if (c == '\n') {  // a line break of the layout: strings hold theirs escaped
        text += kResultIndent;
      }
    }
    results_.append(text);
  }

  // The index of `rule` in tool.driver.rules, adding it when a result names a rule that is not
  // enabled for the whole run.
  std::size_t rule_index(const Rule& rule) {
    auto [it, added] = indexes_.try_emplace(std::string(rule.id), descriptors_.size());
    if (added) {
      descriptors_.push_back(&rule);
    }
    return it->second;
  }

  Json result_json(const Finding& finding, const std::string& uri, uint32_t ordinal) {
    // Findings made by hand (tests) may carry only the rule's id.
    const Rule* rule = finding.reported_by != nullptr ? finding.reported_by : find_rule(finding.rule);
    Json result{{"ruleId", finding.rule}};
    if (rule != nullptr) {
      result["ruleIndex"] = rule_index(*rule);
    }
    result["level"] = sarif_level(finding.severity);
    result["message"] = {{"text", finding.message}};
    if (finding.table_size) {  // lint --stats-from only
      result["properties"] = {{"table", Json::parse(table_size_json(finding))}};
    }
    Json region{{"startLine", finding.start.line},
                {"startColumn", finding.start.column},
                {"endLine", finding.end.line},
                {"endColumn", finding.end.column}};
    result["locations"] = Json::array(
        {{{"physicalLocation",
           {{"artifactLocation", {{"uri", uri}, {"uriBaseId", kSrcRoot}}}, {"region", std::move(region)}}}}});
    // Position-free: the statement's text and which of the file's identical statements it is, so
    // that lines added above move no alert, while identical statements and several findings of one
    // rule on one statement (two sub-commands) still get distinct fingerprints.
    std::string identity = fmt::format("{}\n{}\n{}\n{}\n{}", finding.rule, finding.statement_key, uri,
                                       finding.statement_occurrence, ordinal);
    result["partialFingerprints"] = {{"primaryLocationLineHash", sha256_hex(identity).substr(0, 32)}};
    if (finding.suppressed) {
      // An ignore comment is in the source; an approval lives in miglint.approvals.toml beside it.
      Json suppression{{"kind", finding.approved ? "external" : "inSource"}};
      if (!finding.suppression_reason.empty()) {
        suppression["justification"] = finding.suppression_reason.str();
      }
      result["suppressions"] = Json::array({std::move(suppression)});
    }
    return result;
  }

  std::ostream& out_;
  SarifOptions options_;
  std::vector<const Rule*> descriptors_;
  std::map<std::string, std::size_t, std::less<>> indexes_;
  Spool results_;            // the results written so far, as text
  std::string result_text_;  // one result's text (its capacity is kept)
};

}  // namespace

std::unique_ptr<Reporter> make_sarif_reporter(std::ostream& out, const RuleSet& rules, SarifOptions options) {
  return std::make_unique<SarifReporter>(out, rules.enabled_rules(), std::move(options));
}

std::unique_ptr<Reporter> make_sarif_format(std::ostream& out, const ReportSettings& settings) {
  return std::make_unique<SarifReporter>(out, settings.enabled_rules,
                                         SarifOptions{find_repository_root(), settings.include_suppressed});
}

}  // namespace miglint
