#include "analyzer/engine/driver_findings.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <tuple>

#include "analyzer/sql/sql_parser.hpp"

namespace miglint {

Finding make_finding(const SourceFile& source, const Rule& rule, ByteSpan span, std::string message,
                     std::string help, int64_t statement_index) {
  Finding finding;
  finding.rule = rule.id;
  finding.reported_by = &rule;
  finding.severity = rule.severity;
  finding.path = source.path();
  finding.span = span;
  finding.start = source.position(span.begin);
  finding.end = source.position(span.end);
  finding.message = std::move(message);
  finding.help = std::move(help);
  set_source_line(finding, source);
  finding.statement_index = statement_index;
  return finding;
}

// Reports statements the 15 grammar rejected, as syntax errors or as valid newer syntax.
void report_parse_problems(const FileModel& model, const RuleSet& rules, std::vector<Finding>& findings) {
  const SourceFile& source = *model.source;
  for (std::size_t k = 0; k < model.parsed.problems.size(); ++k) {
    const ParseProblem& problem = model.parsed.problems[k];
    auto unit = static_cast<int64_t>(model.statement_count() + k);
    // The finding covers the offending token (or the rest of the statement when none is known).
    uint32_t end = std::max(problem.offset, problem.statement.end);
    for (const Token& token : model.parsed.tokens) {
      if (token.begin == problem.offset) {
        end = token.end;
        break;
      }
    }
    if (!problem.newer_construct.empty()) {
      if (!rules.enabled(kUnsupportedSyntaxRule)) {
        continue;
      }
      findings.push_back(make_finding(
          source, *rules.find(kUnsupportedSyntaxRule), ByteSpan{problem.offset, end},
          fmt::format("{} is valid newer PostgreSQL, but the PostgreSQL 15 grammar miglint uses cannot parse "
                      "it; this statement was not checked",
                      problem.newer_construct),
          "Review this statement by hand, or silence this note with `-- miglint-ignore unsupported-syntax`.",
          unit));
      continue;
    }
    findings.push_back(
        make_finding(source, *rules.find(kSyntaxErrorRule), ByteSpan{problem.offset, end}, problem.message,
                     "PostgreSQL would reject this statement; the other statements of the file "
                     "were still checked.",
                     unit));
  }
}

void sort_findings(std::vector<Finding>& findings) {
  std::sort(findings.begin(), findings.end(), [](const Finding& a, const Finding& b) {
    return std::tie(a.start, a.end, a.rule, a.message) < std::tie(b.start, b.end, b.rule, b.message);
  });
}

}  // namespace miglint
