#include "analyzer/engine/statement_walk.hpp"

#include <algorithm>
#include <optional>
#include <set>
#include <string>
#include <type_traits>
#include <unordered_set>
#include <vector>

#include "analyzer/engine/backfill_findings.hpp"
#include "analyzer/engine/driver_findings.hpp"
#include "analyzer/engine/fingerprints.hpp"
#include "analyzer/engine/prepared_file.hpp"
#include "analyzer/engine/suppressions.hpp"
#include "analyzer/model/context.hpp"
#include "analyzer/sql/relation.hpp"
#include "analyzer/sql/statement.hpp"

namespace miglint {

namespace {

template <class... Fs>
struct Overloaded : Fs... {
  using Fs::operator()...;
};
template <class... Fs>
Overloaded(Fs...) -> Overloaded<Fs...>;

// The program transaction of the call whose SQL holds `offset` (nullopt: autocommit).
// The calls are in text order, their SQL regions disjoint: found by binary search.
std::optional<uint64_t> program_transaction_at(const EmbeddedPlan& plan, uint32_t offset) {
  auto after =
      std::upper_bound(plan.calls.begin(), plan.calls.end(), offset,
                       [](uint32_t at, const EmbeddedCallRegion& call) { return at < call.sql.begin; });
  if (after == plan.calls.begin()) {
    return std::nullopt;
  }
  const EmbeddedCallRegion& call = *(after - 1);
  if (offset >= call.sql.begin && offset < call.sql.end) {
    return call.transaction;
  }
  return std::nullopt;
}

// Walks the statements of a file as its transaction plan runs them, keeping the migration context
// current: `visit(statement, context)` runs after enter() and before leave().
template <typename Visit>
void walk_statements(const FileModel& model, const LintOptions& options, const TransactionPlan& plan,
                     const StatementFacts& facts, SchemaHistory* history, std::size_t file_order,
                     Visit&& visit) {
  MigrationContext context(options.pg_version, history, file_order);
  // The plan's sections and segments are in file order: statements are asked for in order, and a
  // streamed model's are parsed again one piece at a time.
  StatementCursor statements(model);
  context.set_unclosed_begins(std::set<uint32_t>(plan.unclosed_begins.begin(), plan.unclosed_begins.end()));
  for (const PlanSection& section : plan.sections) {
    context.start_section(section.wrapped);
    for (std::size_t s = 0; s < section.segments.size(); ++s) {
      const TransactionSegment& segment = section.segments[s];
      // Where the runner commits its transaction and starts the next (a segmented file), the
      // context does too; the file's own BEGIN/COMMIT are followed statement by statement.
      bool runner_boundary = s > 0 && (segment.kind == TransactionSegment::Kind::Wrapped ||
                                       section.segments[s - 1].kind == TransactionSegment::Kind::Wrapped);
      if (runner_boundary) {
        context.start_runner_transaction(segment.kind == TransactionSegment::Kind::Wrapped);
      }
      for (std::size_t i = segment.first; i < segment.last; ++i) {
        const Statement& statement = statements.at(i);
        if (model.embedded != nullptr) {
          context.set_program_transaction(program_transaction_at(*model.embedded, statement.begin()));
        }
        context.enter(statement);
        visit(statement, context);
        context.leave(statement, facts.of(static_cast<uint32_t>(i)));
        if constexpr (std::is_invocable_v<Visit, const Statement&, const MigrationContext&, bool>) {
          visit(statement, context, true);  // after leave(): what the statement left held
        }
      }
    }
  }
}

// What the walk keeps per enabled rule: the rule's memory across statements, and the help text of
// its last finding, which its next finding shares when it is the same (it mostly is).
struct RuleState {
  std::unordered_set<std::string> memory;
  SharedText last_help;
};

void run_rules(const FileModel& model, const RuleSet& rules, const MigrationContext& context,
               const Statement& statement, std::vector<RuleState>& states, std::vector<Finding>& findings) {
  const auto& enabled = rules.enabled_rules();
  states.resize(enabled.size());
  for (std::size_t r : rules.enabled_for(statement.node_kind())) {
    const Rule* rule = enabled[r];
    RuleOutput output(&states[r].memory);
    rule->check(statement, context, output);
    for (RuleHit& hit : output.hits()) {
      findings.push_back(make_finding(*model.source, *rule, hit.span, std::move(hit.message),
                                      std::move(hit.help), statement.index()));
      Finding& finding = findings.back();
      if (finding.help == states[r].last_help) {
        finding.help = states[r].last_help;
      } else {
        states[r].last_help = finding.help;
      }
      if (!hit.table.empty()) {
        hit.table.created_in_migration =
            context.created_in_file(qualified_name(hit.table.schema, hit.table.name));
        finding.table = std::move(hit.table);
      }
    }
  }
}

}  // namespace

FileLocks explain_locks(const SourceFile& source, const LintOptions& options, const RuleSet& rules,
                        SchemaHistory* history, std::size_t file_order, const EmbeddedPlan* embedded) {
  FileLocks result;
  result.path = source.path();
  PreparedFile file = prepare_file(source, options, history, file_order, embedded);
  result.statements.reserve(file.model.statement_count());  // no regrowth over a large file's
  walk_statements(
      file.model, options, file.plan, file.facts, history, file_order,
      Overloaded{[&](const Statement& statement, const MigrationContext& context) {
                   StatementLocks& entry = result.statements.emplace_back();
                   entry.start = source.position(statement.begin());
                   entry.relations = context.effects();
                   entry.span = statement.span();
                 },
                 [&](const Statement& /*statement*/, const MigrationContext& context, bool /*after*/) {
                   StatementLocks& entry = result.statements.back();
                   entry.in_transaction = context.in_transaction();
                   if (context.in_transaction()) {
                     entry.held = context.held_locks();
                   } else {
                     for (const RelationEffect& effect : entry.relations) {
                       entry.held.push_back(HeldLock{effect.relation, effect.lock, true});
                     }
                   }
                 }});
  report_parse_problems(file.model, rules, result.problems);
  return result;
}

FileResult lint_prepared(const SourceFile& source, const LintOptions& options, const RuleSet& rules,
                         SchemaHistory* history, std::size_t file_order, const EmbeddedPlan* embedded) {
  FileResult result;
  result.path = source.path();
  PreparedFile file = prepare_file(source, options, history, file_order, embedded);
  FileModel& model = file.model;
  std::vector<RuleState> states;
  walk_statements(model, options, file.plan, file.facts, history, file_order,
                  [&](const Statement& statement, const MigrationContext& context) {
                    run_rules(model, rules, context, statement, states, result.findings);
                  });
  states.clear();
  report_parse_problems(model, rules, result.findings);
  if (embedded != nullptr) {
    for (const Finding& finding : embedded->front_end_findings) {
      if (rules.enabled(finding.rule)) {
        result.findings.push_back(finding);
      }
    }
  }
  report_backfill_directives(model, rules, result.findings);
  apply_ignores(model, rules, result.findings);
  if (options.statement_keys) {
    assign_statement_keys(model, result.findings);
  }
  for (Finding& finding : result.findings) {
    // An unused-ignore made a note (a squawk rule miglint has no equivalent for: accepted and
    // ignored) stays a note; the rule's own findings are made at its default severity, a warning.
    bool kept_severity = finding.rule == kUnusedIgnoreRule && finding.severity == Severity::Note;
    if (!kept_severity) {
      finding.severity = rules.severity_of(finding.rule);
    }
    if (finding.reported_by == nullptr) {
      finding.reported_by = rules.find(finding.rule);  // the front end's own findings
    }
  }
  sort_findings(result.findings);
  return result;
}

}  // namespace miglint
