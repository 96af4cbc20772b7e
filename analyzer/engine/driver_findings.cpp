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

// Reports statements the 17 grammar rejected, as syntax errors or as valid newer syntax.
namespace {

bool equals_word(std::string_view text, std::string_view word) {
  return text.size() == word.size() && std::equal(text.begin(), text.end(), word.begin(), [](char a, char b) {
           return (a >= 'a' && a <= 'z' ? static_cast<char>(a - 32) : a) == b;
         });
}

// A syntax error at LIMIT in a statement that starts with UPDATE or DELETE (after comments).
bool is_limit_on_update_or_delete(std::string_view text, const ParseProblem& problem) {
  if (problem.offset + 5 > text.size() || !equals_word(text.substr(problem.offset, 5), "LIMIT")) {
    return false;
  }
  std::size_t at = problem.statement.begin;
  while (at < problem.offset) {
    char c = text[at];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '(') {
      ++at;
    } else if (text.substr(at, 2) == "--") {
      std::size_t newline = text.find('\n', at);
      at = newline == std::string_view::npos ? text.size() : newline + 1;
    } else if (text.substr(at, 2) == "/*") {
      std::size_t close = text.find("*/", at + 2);
      at = close == std::string_view::npos ? text.size() : close + 2;
    } else {
      break;
    }
  }
  std::size_t word_end = at;
  while (word_end < text.size() && ((text[word_end] | 0x20) >= 'a' && (text[word_end] | 0x20) <= 'z')) {
    ++word_end;
  }
  std::string_view first = text.substr(at, word_end - at);
  return equals_word(first, "UPDATE") || equals_word(first, "DELETE");
}

}  // namespace

void report_parse_problems(const FileModel& model, const RuleSet& rules, std::vector<Finding>& findings) {
  const SourceFile& source = *model.source;
  for (std::size_t k = 0; k < model.parsed.problems.size(); ++k) {
    const ParseProblem& problem = model.parsed.problems[k];
    auto unit = static_cast<int64_t>(model.statement_count() + k);
    if (!problem.checked_as.empty()) {
      // A statement of newer syntax checked through its stand-in is one of the file's statements:
      // its note belongs to that statement, so that ignore comments and fingerprints see one unit.
      auto after =
          std::upper_bound(model.places.begin(), model.places.end(), problem.offset,
                           [](uint32_t at, const StatementPlace& place) { return at < place.begin; });
      if (after != model.places.begin() && problem.offset < (after - 1)->raw.end) {
        unit = static_cast<int64_t>(after - 1 - model.places.begin());
      }
    }
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
          problem.checked_as.empty()
              ? fmt::format("{} is valid newer PostgreSQL, but the PostgreSQL 17 grammar miglint uses cannot "
                            "parse it; this statement was not checked",
                            problem.newer_construct)
              : fmt::format("{} is valid newer PostgreSQL, but the PostgreSQL 17 grammar miglint uses cannot "
                            "parse it; {} the PostgreSQL 17 statement that takes the same locks, with {}",
                            problem.newer_construct, kCheckedAsStandIn, problem.checked_as),
          problem.checked_as.empty()
              ? "Review this statement by hand, or silence this note with `-- miglint-ignore "
                "unsupported-syntax`."
              : "Review what the stand-in cannot show (the newer syntax's own semantics) by hand, or silence "
                "this note with `-- miglint-ignore unsupported-syntax`.",
          unit));
      continue;
    }
    if (is_limit_on_update_or_delete(source.text(), problem)) {
      // MySQL's `UPDATE ... LIMIT n`, which published batching guides show: a syntax error in
      // PostgreSQL, with the form that works there as help.
      findings.push_back(make_finding(
          source, *rules.find(kSyntaxErrorRule), ByteSpan{problem.offset, end},
          fmt::format(
              "{}: PostgreSQL has no LIMIT on UPDATE or DELETE (that is MySQL syntax); this migration "
              "fails when it runs",
              problem.message),
          "Batch through the key instead, and repeat until no row is left: `UPDATE t SET ... WHERE id IN "
          "(SELECT id FROM t WHERE <condition> LIMIT 1000 FOR UPDATE SKIP LOCKED)` (DELETE FROM t WHERE id "
          "IN "
          "(...) alike).",
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
