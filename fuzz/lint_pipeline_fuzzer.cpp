// SQL text through the whole lint pipeline, as `miglint lint` and `miglint locks` take a file: the
// encoding check, the parse (whole, or split and per statement), the scanner, directives, the
// transaction plan and context, schema facts from an earlier file, every rule, and every reporter
// (text, json, github, sarif). JSON and SARIF must stay valid JSON for any input.
#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <set>
#include <sstream>
#include <string>

#include "analyzer/engine/linter.hpp"
#include "analyzer/model/fact_reading.hpp"
#include "analyzer/report/reporter.hpp"
#include "fuzz/fuzz_support.hpp"
#include "rules/registry.hpp"
#include "sarif/sarif_report.hpp"

using namespace miglint;
using miglint::fuzz::require;

namespace {

// The options vary with the input's size, so that every input keeps all its bytes as SQL.
LintOptions options_for(size_t size) {
  LintOptions options;
  options.pg_version = 10 + static_cast<int>(size % 10);  // 10-19
  options.assume_in_transaction = (size / 9) % 2 == 1;
  options.execution = (size / 18) % 3 == 2 ? ExecutionMode::Runner : ExecutionMode::Tool;
  options.statement_keys = true;
  options.jobs = 1;
  return options;
}

void check_findings(const SourceFile& source, const FileResult& result) {
  for (const Finding& finding : result.findings) {
    require(!finding.rule.empty(), "a finding without a rule");
    require(finding.span.begin <= finding.span.end, "a finding's span ends before it begins");
    require(finding.span.end <= source.size(), "a finding's span ends past the file");
    require(finding.start <= finding.end, "a finding ends before it starts");
    require(finding.start.line >= 1 && finding.start.column >= 1, "a finding's position is not 1-based");
  }
}

void report(const FileResult& result, const RuleSet& rules, bool colour) {
  RunSummary summary;
  summary.files = 1;
  for (const Finding& finding : result.findings) {
    ++(finding.severity == Severity::Error     ? summary.errors
       : finding.severity == Severity::Warning ? summary.warnings
                                               : summary.notes);
  }
  summary.input_errors = result.errors;

  std::ostringstream text;
  auto text_reporter = make_text_reporter(text, TextStyle{colour});
  text_reporter->file(result);
  text_reporter->finish(summary);

  std::ostringstream github;
  auto github_reporter = make_github_reporter(github);
  github_reporter->file(result);
  github_reporter->finish(summary);

  std::ostringstream json;
  auto json_reporter = make_json_reporter(json);
  json_reporter->file(result);
  json_reporter->finish(summary);
  require(nlohmann::json::accept(json.str()), "the JSON report is not valid JSON");

  // SARIF lists every enabled rule with its whole doc page: with only the rules that fired (as
  // `--select` would), an input costs its findings, not 50 doc pages written and parsed again.
  std::set<std::string> fired;
  for (const Finding& finding : result.findings) {
    fired.insert(finding.rule);
  }
  RuleSet fired_rules(rules.all(),
                      fired.empty() ? std::set<std::string>{std::string(kSyntaxErrorRule)} : fired, {});
  std::ostringstream sarif;
  auto sarif_reporter = make_sarif_reporter(sarif, fired_rules, SarifOptions{"/fuzz", true});
  sarif_reporter->file(result);
  sarif_reporter->finish(summary);
  require(nlohmann::json::accept(sarif.str()), "the SARIF report is not valid JSON");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const RuleSet rules(all_rules(), {}, {});
  Expected<SourceFile> source =
      source_from_bytes("/fuzz/db/0002_input.sql", std::string(fuzz::as_text(data, size)));
  if (!source) {
    require(!source.error().message.empty(), "an encoding error without a message");
    return 0;
  }
  LintOptions options = options_for(size);

  // The same text as an earlier migration read for its facts only (the lighter reading), then as
  // the file `locks` explains with those facts.
  {
    std::optional<SourceFile> facts_only = fact_statements_only(*source);
    SchemaHistory history(2);
    FileResult earlier = lint_source(facts_only ? *facts_only : *source, options, rules, &history, 0);
    check_findings(facts_only ? *facts_only : *source, earlier);
    FileLocks locks = explain_locks(*source, options, rules, &history, 1);
    for (const StatementLocks& statement : locks.statements) {
      require(statement.start.line >= 1, "a statement's position is not 1-based");
    }
  }

  FileResult result = lint_source(*source, options, rules);
  check_findings(*source, result);
  report(result, rules, size % 2 == 1);
  return 0;
}
