#include "analyzer/engine/backfill_findings.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "analyzer/engine/driver_findings.hpp"
#include "analyzer/sql/backfill_statement.hpp"

namespace miglint {

namespace {

constexpr std::string_view kDirectiveHelp =
    "Write it on the line before the UPDATE or DELETE it batches: `-- miglint-backfill batch=5000 "
    "sleep=100ms "
    "key=id` (parameters: batch, a number of rows; sleep, a pause between batches; key, the table's integer "
    "key column).";

}  // namespace

void report_backfill_directives(const FileModel& model, const RuleSet& rules,
                                std::vector<Finding>& findings) {
  if (model.embedded != nullptr) {
    return;
  }
  std::vector<BackfillUse> uses = resolve_backfills(model);
  if (uses.empty()) {
    return;
  }
  const SourceFile& source = *model.source;
  const Rule* rule = rules.enabled(kMalformedBackfillRule) ? rules.find(kMalformedBackfillRule) : nullptr;
  auto report = [&](ByteSpan span, std::string message, std::string help, int64_t statement) {
    if (rule != nullptr) {
      findings.push_back(make_finding(source, *rule, span, std::move(message), std::move(help), statement));
    }
  };
  std::set<std::size_t> batched;
  for (const BackfillUse& use : uses) {
    if (use.statement) {
      batched.insert(*use.statement);
    }
  }
  std::set<std::size_t> counted_as_batched;
  const auto& sections = model.directives.sections;  // dbmate: backfills end their own section
  StatementCursor statements(model);
  for (const BackfillUse& use : uses) {
    if (!use.problem.empty()) {
      report(use.directive.span,
             fmt::format(
                 "this -- miglint-backfill directive batches nothing: {}; `miglint run` refuses the file",
                 use.problem),
             std::string(kDirectiveHelp), -1);
      continue;
    }
    std::size_t at = *use.statement;
    const Statement& statement = statements.at(at);
    if (std::string problem = backfill_statement_problem(statement, use.directive.key); !problem.empty()) {
      report(
          statement.span(),
          fmt::format(
              "this statement is under -- miglint-backfill but cannot be batched by `{}`: {}; `miglint "
              "run` refuses the file",
              use.directive.key, problem),
          "Batch a plain `UPDATE table SET ... WHERE ...` or `DELETE FROM table WHERE ...`: the runner adds "
          "the key range to its WHERE.",
          static_cast<int64_t>(at));
      continue;
    }
    counted_as_batched.insert(at);
    uint32_t section_end = static_cast<uint32_t>(source.size());
    for (const Section& section : sections) {
      if (section.begin > model.places[at].begin) {
        section_end = std::min(section_end, section.begin);
      }
    }
    for (std::size_t next = at + 1; next < model.statement_count() && model.places[next].begin < section_end;
         ++next) {
      if (batched.contains(next)) {
        continue;
      }
      report(
          use.directive.span,
          fmt::format(
              "the statement at line {} follows this backfill: `miglint run` runs backfills after the "
              "file's schema changes have committed, so they must come last, and refuses the file",
              source.position(model.places[next].begin).line),
          "Move the statements after the backfill (a SET NOT NULL, the contract step) to a later migration.",
          -1);
      break;
    }
  }
  // `miglint run` batches these: the unbatched rules' findings on them do not apply.
  std::erase_if(findings, [&](const Finding& finding) {
    return (finding.rule == "unbatched-update" || finding.rule == "unbatched-delete") &&
           finding.statement_index >= 0 &&
           counted_as_batched.contains(static_cast<std::size_t>(finding.statement_index));
  });
}

}  // namespace miglint
