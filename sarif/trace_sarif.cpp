// `miglint trace --format sarif`: the trace findings as SARIF 2.1.0, through the same writer as
// `miglint lint`'s findings (rule descriptors with their doc pages, stable fingerprints).
#include <ostream>

#include "analyzer/report/trace_report.hpp"
#include "rules/registry.hpp"
#include "sarif/sarif_report.hpp"

namespace miglint {

void write_trace_sarif(std::ostream& out, const TraceView& view) {
  std::set<std::string> trace_rules;
  for (const Rule& rule : all_rules()) {
    if (rule.has_tag("trace")) {
      trace_rules.insert(std::string(rule.id));
    }
  }
  RuleSet rules(all_rules(), trace_rules, {});
  std::unique_ptr<Reporter> reporter =
      make_sarif_reporter(out, rules, SarifOptions{find_repository_root(), false});
  RunSummary summary;
  for (const TraceFileView& file : view.files) {
    FileResult result;
    result.path = file.path;
    result.findings = file.findings;
    for (const Finding& finding : file.findings) {
      (finding.severity == Severity::Error     ? summary.errors
       : finding.severity == Severity::Warning ? summary.warnings
                                               : summary.notes) += 1;
    }
    ++summary.files;
    reporter->file(result);
  }
  reporter->finish(summary);
}

}  // namespace miglint
