#include "analyzer/engine/linter.hpp"

#include <fmt/format.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include <algorithm>
#include <atomic>
#include <cctype>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>
#include <type_traits>
#include <unordered_map>
#include <unordered_set>

#include "analyzer/cpp/cpp_lint.hpp"
#include "analyzer/model/context.hpp"
#include "analyzer/model/fact_reading.hpp"
#include "analyzer/model/transaction_model.hpp"
#include "analyzer/project/input_source.hpp"
#include "analyzer/project/order.hpp"
#include "analyzer/project/transaction_plan.hpp"
#include "analyzer/sql/directives.hpp"
#include "analyzer/sql/file_model.hpp"
#include "analyzer/sql/sql_parser.hpp"
#include "analyzer/sql/statement.hpp"
#include "analyzer/text/ascii.hpp"
#include "analyzer/text/hash.hpp"

namespace miglint {

RuleSet::RuleSet(std::span<const Rule> all_rules, const std::set<std::string>& select,
                 const std::set<std::string>& ignore, std::map<std::string, Severity> severities)
    : all_(all_rules), severities_(std::move(severities)) {
  for (const Rule& rule : all_) {
    std::string id(rule.id);
    bool on = (select.empty() || select.contains(id)) && !ignore.contains(id);
    if (on || !rule.can_disable) {
      enabled_.push_back(&rule);
    }
  }
}

Severity RuleSet::severity_of(std::string_view id) const {
  auto it = severities_.find(std::string(id));
  if (it != severities_.end()) {
    return it->second;
  }
  const Rule* rule = find(id);
  return rule != nullptr ? rule->severity : Severity::Warning;
}

const Rule* RuleSet::find(std::string_view id) const {
  for (const Rule& rule : all_) {
    if (rule.id == id) {
      return &rule;
    }
  }
  return nullptr;
}

bool RuleSet::enabled(std::string_view id) const {
  return std::any_of(enabled_.begin(), enabled_.end(), [&](const Rule* rule) { return rule->id == id; });
}

namespace {

template <class... Fs>
struct Overloaded : Fs... {
  using Fs::operator()...;
};
template <class... Fs>
Overloaded(Fs...) -> Overloaded<Fs...>;

// The model of a file, with the ignore comments of embedded SQL scoped to their call.
FileModel build_model(const SourceFile& source, const EmbeddedPlan* embedded, bool condense_bulk_rows) {
  FileModel model = build_model(source, condense_bulk_rows);
  model.embedded = embedded;
  if (embedded != nullptr) {
    // The calls are in text order: the one whose directives may hold a comment is found by binary
    // search (a C++ file may have tens of thousands of calls and as many ignore comments).
    const std::vector<EmbeddedCallRegion>& calls = embedded->calls;
    for (IgnoreDirective& directive : model.directives.ignores) {
      auto after = std::upper_bound(
          calls.begin(), calls.end(), directive.span.begin,
          [](uint32_t at, const EmbeddedCallRegion& call) { return at < call.directives.begin; });
      if (directive.whole_file || after == calls.begin()) {
        continue;
      }
      const EmbeddedCallRegion& call = *(after - 1);
      if (directive.span.end <= call.directives.end) {
        directive.scope = call.sql;
      }
    }
  }
  return model;
}

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
    auto unit = static_cast<int64_t>(model.statements.size() + k);
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

// The statements and failed statements of a file, as ignore comments look for them: sorted by end
// and by beginning (stable, so ties keep the file's order), so that each comment finds its target by
// binary search (a file may have tens of thousands of statements and of ignore comments).
struct IgnoreUnits {
  struct Unit {
    int64_t id;
    ByteSpan span;
  };
  std::vector<Unit> by_end;
  std::vector<Unit> by_begin;

  explicit IgnoreUnits(const FileModel& model) {
    for (const Statement& s : model.statements) {
      by_end.push_back({s.index(), s.span()});
    }
    for (std::size_t k = 0; k < model.parsed.problems.size(); ++k) {
      by_end.push_back(
          {static_cast<int64_t>(model.statements.size() + k), model.parsed.problems[k].statement});
    }
    by_begin = by_end;
    std::stable_sort(by_end.begin(), by_end.end(),
                     [](const Unit& a, const Unit& b) { return a.span.end < b.span.end; });
    std::stable_sort(by_begin.begin(), by_begin.end(),
                     [](const Unit& a, const Unit& b) { return a.span.begin < b.span.begin; });
  }
};

// The statement (or failed statement) an ignore comment applies to: the statement it trails on the
// same line (`DROP TABLE t; -- miglint-ignore ban-drop-table`), else the next one. Of the units that
// end before the comment, the one that ends last (the last in the file's order on a tie) trails it
// when it ends on the comment's line; of those that begin after it, the first.
int64_t ignore_target(const FileModel& model, const IgnoreUnits& units, const IgnoreDirective& directive) {
  const SourceFile& source = *model.source;
  auto ends_after =
      std::upper_bound(units.by_end.begin(), units.by_end.end(), directive.span.begin,
                       [](uint32_t at, const IgnoreUnits::Unit& unit) { return at < unit.span.end; });
  if (ends_after != units.by_end.begin()) {
    const IgnoreUnits::Unit& trailed = *(ends_after - 1);
    if (source.position(trailed.span.end).line == source.position(directive.span.begin).line) {
      return trailed.id;
    }
  }
  auto next =
      std::lower_bound(units.by_begin.begin(), units.by_begin.end(), directive.span.end,
                       [](const IgnoreUnits::Unit& unit, uint32_t at) { return unit.span.begin < at; });
  return next == units.by_begin.end() ? -1 : next->id;
}

// How many unknown rule names of one ignore comment are reported one by one; the rest are counted
// in one more finding (a comment listing 100,000 made-up names is one problem, not 100,000).
constexpr std::size_t kUnknownNamesShown = 5;

void apply_ignores(FileModel& model, const RuleSet& rules, std::vector<Finding>& findings) {
  if (model.directives.ignores.empty()) {
    return;
  }
  auto& ignores = model.directives.ignores;
  IgnoreUnits units(model);
  std::vector<int64_t> targets;
  targets.reserve(ignores.size());
  for (const IgnoreDirective& directive : ignores) {
    targets.push_back(directive.whole_file ? -1 : ignore_target(model, units, directive));
  }
  // Where the unit a finding concerns starts (a statement, a failed statement, or the finding).
  auto unit_begin = [&](const Finding& finding) {
    auto unit = finding.statement_index;
    if (unit >= 0 && static_cast<std::size_t>(unit) < model.statements.size()) {
      return model.statements[static_cast<std::size_t>(unit)].begin();
    }
    std::size_t problem = static_cast<std::size_t>(unit) - model.statements.size();
    if (unit >= 0 && problem < model.parsed.problems.size()) {
      return model.parsed.problems[problem].statement.begin;
    }
    return finding.span.begin;
  };
  auto in_scope = [&](const IgnoreDirective& directive, const Finding& finding) {
    uint32_t begin = unit_begin(finding);
    return finding.rule != kUnusedIgnoreRule && begin >= directive.scope->begin &&
           begin < std::max(directive.scope->end, directive.scope->begin + 1);
  };
  // Indexes, so that a finding visits only the comments that may silence it, and in each only the
  // name it carries (a file may hold many comments, a comment many names): per comment its names;
  // the comments per target statement; the file-wide comments per rule; the ones scoped to an
  // embedded call (embedded SQL), by scope begin (scopes are calls' SQL regions, disjoint).
  std::vector<std::unordered_map<std::string_view, std::size_t>> names_of(ignores.size());
  std::unordered_map<int64_t, std::vector<std::size_t>> by_target;
  std::unordered_map<std::string_view, std::vector<std::size_t>> whole_file_by_rule;
  std::vector<std::size_t> scoped;
  for (std::size_t d = 0; d < ignores.size(); ++d) {
    for (std::size_t n = 0; n < ignores[d].rules.size(); ++n) {
      names_of[d].try_emplace(ignores[d].rules[n].rule, n);
    }
    if (ignores[d].whole_file) {
      for (const auto& [rule, n] : names_of[d]) {
        whole_file_by_rule[rule].push_back(d);
      }
    } else if (ignores[d].scope) {
      scoped.push_back(d);
    } else if (targets[d] >= 0) {
      by_target[targets[d]].push_back(d);
    }
  }
  std::stable_sort(scoped.begin(), scoped.end(), [&](std::size_t a, std::size_t b) {
    return ignores[a].scope->begin < ignores[b].scope->begin;
  });
  // Rules whose file-wide comments are all marked used: a later finding of the rule needs only the
  // first of them (for its reason).
  std::unordered_set<std::string_view> marked;
  std::vector<std::size_t> candidates;
  auto silence = [&](Finding& finding) {
    if (finding.rule == kSyntaxErrorRule) {
      return;  // a syntax error cannot be switched off
    }
    candidates.clear();
    if (auto it = whole_file_by_rule.find(finding.rule); it != whole_file_by_rule.end()) {
      if (marked.contains(it->first)) {
        candidates.push_back(it->second.front());
      } else {
        candidates.insert(candidates.end(), it->second.begin(), it->second.end());
        marked.insert(it->first);
      }
    }
    if (auto it = by_target.find(finding.statement_index); it != by_target.end()) {
      candidates.insert(candidates.end(), it->second.begin(), it->second.end());
    }
    if (!scoped.empty()) {
      uint32_t begin = unit_begin(finding);
      auto after = std::upper_bound(scoped.begin(), scoped.end(), begin,
                                    [&](uint32_t at, std::size_t d) { return at < ignores[d].scope->begin; });
      if (after != scoped.begin()) {
        uint32_t scope_begin = ignores[*(after - 1)].scope->begin;
        for (auto it = after; it != scoped.begin() && ignores[*(it - 1)].scope->begin == scope_begin; --it) {
          candidates.push_back(*(it - 1));
        }
      }
    }
    std::sort(candidates.begin(), candidates.end());  // the first comment that applies gives the reason
    for (std::size_t d : candidates) {
      if (ignores[d].scope && !in_scope(ignores[d], finding)) {
        continue;
      }
      auto name = names_of[d].find(finding.rule);
      if (name == names_of[d].end()) {
        continue;
      }
      ignores[d].rules[name->second].used = true;
      if (!finding.suppressed) {
        finding.suppressed = true;
        finding.suppression_reason = ignores[d].reason;
      }
    }
  };
  for (Finding& finding : findings) {
    silence(finding);
  }
  if (!rules.enabled(kUnusedIgnoreRule)) {
    return;
  }
  std::vector<Finding> unused;
  const Rule& unused_rule = *rules.find(kUnusedIgnoreRule);
  const std::string_view help =
      "Remove the rule from the comment, or fix its name (`miglint rules` lists them).";
  for (const IgnoreDirective& directive : ignores) {
    std::string_view kind = directive.whole_file ? "miglint-ignore-file" : "miglint-ignore";
    std::size_t unknown = 0;
    for (const auto& name : directive.rules) {
      std::string message;
      if (name.rule == kSyntaxErrorRule) {
        message =
            fmt::format("{} cannot silence `syntax-error`: a syntax error cannot be switched off", kind);
      } else if (rules.find(name.rule) == nullptr) {
        if (++unknown > kUnknownNamesShown) {
          continue;
        }
        message = fmt::format("{} names an unknown rule `{}`", kind, name.rule);
      } else if (rules.enabled(name.rule) && !name.used) {
        message = fmt::format("{} for `{}` silences nothing", kind, name.rule);
      } else {
        continue;
      }
      unused.push_back(make_finding(*model.source, unused_rule, directive.span, std::move(message),
                                    std::string(help), -1));
    }
    if (unknown > kUnknownNamesShown) {
      unused.push_back(
          make_finding(*model.source, unused_rule, directive.span,
                       fmt::format("{} names {} more unknown rules (only the first {} are shown)", kind,
                                   unknown - kUnknownNamesShown, kUnknownNamesShown),
                       std::string(help), -1));
    }
  }
  for (Finding& finding : unused) {
    silence(finding);
    findings.push_back(std::move(finding));
  }
}

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
                     const std::vector<std::vector<SchemaEvent>>& facts, SchemaHistory* history,
                     std::size_t file_order, Visit&& visit) {
  MigrationContext context(options.pg_version, history, file_order);
  context.set_unclosed_begins(std::set<uint32_t>(plan.unclosed_begins.begin(), plan.unclosed_begins.end()));
  for (const PlanSection& section : plan.sections) {
    context.start_section(section.wrapped, section.down);
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
        const Statement& statement = model.statements[i];
        if (model.embedded != nullptr) {
          context.set_program_transaction(program_transaction_at(*model.embedded, statement.begin()));
        }
        context.enter(statement);
        visit(statement, context);
        context.leave(statement, facts[i]);
        if constexpr (std::is_invocable_v<Visit, const Statement&, const MigrationContext&, bool>) {
          visit(statement, context, true);  // after leave(): what the statement left held
        }
      }
    }
  }
}

void run_rules(const FileModel& model, const RuleSet& rules, const MigrationContext& context,
               const Statement& statement, std::vector<std::unordered_set<std::string>>& memory,
               std::vector<Finding>& findings) {
  const auto& enabled = rules.enabled_rules();
  memory.resize(enabled.size());
  for (std::size_t r = 0; r < enabled.size(); ++r) {
    const Rule* rule = enabled[r];
    if (rule->check == nullptr) {
      continue;
    }
    RuleOutput output(&memory[r]);
    rule->check(statement, context, output);
    for (RuleHit& hit : output.hits()) {
      findings.push_back(make_finding(*model.source, *rule, hit.span, std::move(hit.message),
                                      std::move(hit.help), statement.index()));
    }
  }
}

// The schema facts of each statement, and the file's transaction plan; publishes the facts for
// later files.
struct PreparedFile {
  FileModel model;
  TransactionPlan plan;
  std::vector<std::vector<SchemaEvent>> facts;
};

void sort_findings(std::vector<Finding>& findings) {
  std::sort(findings.begin(), findings.end(), [](const Finding& a, const Finding& b) {
    return std::tie(a.start, a.end, a.rule, a.message) < std::tie(b.start, b.end, b.rule, b.message);
  });
}

// Statement text for fingerprints: its tokens (comments and the `;` left out) joined by single
// spaces, so reformatting or re-commenting a statement keeps its key. miglint's own normalisation
// rather than pg_query_fingerprint: that needs a second parse of every statement, exists only for
// statements the grammar accepts (not for syntax errors), and ignores constants on purpose, so
// `SET lock_timeout = '1s'` and `SET lock_timeout = '5s'` would look like the same statement.
std::string normalised_statement(std::string_view text, const std::vector<Token>& tokens) {
  std::string out;
  for (const Token& token : tokens) {
    if (token.is_comment() || token.is(TokenKind::Semicolon)) {
      continue;
    }
    if (!out.empty()) {
      out += ' ';
    }
    out += text.substr(token.begin, token.end - token.begin);
  }
  return out;
}

// Whitespace runs collapsed to one space: for text the scanner cannot read, and ignore comments.
std::string collapse_whitespace(std::string_view text) {
  std::string out;
  bool space = false;
  for (char c : text) {
    if (is_ascii_space(c)) {
      space = !out.empty();
      continue;
    }
    if (space) {
      out += ' ';
      space = false;
    }
    out += c;
  }
  return out;
}

// Fills statement_key and statement_occurrence. Units are the file's statements and then its
// failed statements (parse problems), as in Finding::statement_index; a unit's key is computed only
// when a finding needs it or when it could equal such a unit (the same statement kind).
void assign_statement_keys(const FileModel& model, std::vector<Finding>& findings) {
  if (findings.empty()) {
    return;
  }
  std::string_view text = model.source->text();
  const std::size_t statements = model.statements.size();
  const std::size_t units = statements + model.parsed.problems.size();
  std::vector<std::string> keys(units);
  auto key_of = [&](std::size_t unit) -> const std::string& {
    if (keys[unit].empty()) {
      std::string normalised;
      if (unit < statements) {
        normalised = normalised_statement(text, model.statements[unit].tokens());
      } else {
        ByteSpan span = model.parsed.problems[unit - statements].statement;
        std::string_view raw = text.substr(span.begin, span.end - span.begin);
        std::vector<Token> tokens = scan_tokens(raw, span.begin, nullptr);
        normalised = tokens.empty() ? collapse_whitespace(raw) : normalised_statement(text, tokens);
      }
      keys[unit] = sha256_hex(normalised);
    }
    return keys[unit];
  };
  auto begin_of = [&](std::size_t unit) {
    return unit < statements ? model.statements[unit].begin()
                             : model.parsed.problems[unit - statements].statement.begin;
  };
  // Identical text parses alike, so only units of the same kind (statement or failed statement,
  // and the same AST node) can be identical.
  auto may_equal = [&](std::size_t a, std::size_t b) {
    if ((a < statements) != (b < statements)) {
      return false;
    }
    return a >= statements || model.statements[a].kind() == model.statements[b].kind();
  };
  std::vector<std::optional<uint32_t>> occurrences(units);
  for (Finding& finding : findings) {
    if (finding.statement_index < 0 || static_cast<std::size_t>(finding.statement_index) >= units) {
      continue;
    }
    auto unit = static_cast<std::size_t>(finding.statement_index);
    finding.statement_key = key_of(unit);
    if (!occurrences[unit]) {
      uint32_t earlier = 0;
      for (std::size_t other = 0; other < units; ++other) {
        if (other != unit && begin_of(other) < begin_of(unit) && may_equal(other, unit) &&
            key_of(other) == finding.statement_key) {
          ++earlier;
        }
      }
      occurrences[unit] = earlier;
    }
    finding.statement_occurrence = *occurrences[unit];
  }
  // Findings about a comment (unused-ignore): keyed by the comment, counted among the distinct
  // earlier comments with findings and the same text.
  std::vector<std::pair<std::string, uint32_t>> comments;  // key, begin
  for (Finding& finding : findings) {
    if (finding.statement_index >= 0 && static_cast<std::size_t>(finding.statement_index) < units) {
      continue;
    }
    finding.statement_key = sha256_hex(
        collapse_whitespace(text.substr(finding.span.begin, finding.span.end - finding.span.begin)));
    if (std::find(comments.begin(), comments.end(), std::pair{finding.statement_key, finding.span.begin}) ==
        comments.end()) {
      comments.emplace_back(finding.statement_key, finding.span.begin);
    }
  }
  for (Finding& finding : findings) {
    if (finding.statement_index >= 0 && static_cast<std::size_t>(finding.statement_index) < units) {
      continue;
    }
    finding.statement_occurrence =
        static_cast<uint32_t>(std::count_if(comments.begin(), comments.end(), [&](const auto& comment) {
          return comment.first == finding.statement_key && comment.second < finding.span.begin;
        }));
  }
}

// The facts of the file's up sections, in order, for later files.
std::vector<SchemaEvent> facts_to_publish(const std::vector<PlanSection>& sections,
                                          const std::vector<std::vector<SchemaEvent>>& facts) {
  std::vector<SchemaEvent> events;
  for (const PlanSection& section : sections) {
    if (section.down) {
      continue;
    }
    for (std::size_t i = section.first; i < section.last; ++i) {
      events.insert(events.end(), facts[i].begin(), facts[i].end());
    }
  }
  return events;
}

PreparedFile prepare_file(const SourceFile& source, const LintOptions& options, SchemaHistory* history,
                          std::size_t file_order, const EmbeddedPlan* embedded = nullptr) {
  PreparedFile file{build_model(source, embedded, options.condense_bulk_rows), {}, {}};
  file.plan =
      plan_transactions(file.model, options.execution, options.pg_version, options.assume_in_transaction);
  file.facts.reserve(file.model.statements.size());
  for (const Statement& statement : file.model.statements) {
    file.facts.push_back(schema_events(statement));
  }
  if (history != nullptr) {
    history->publish(file_order, facts_to_publish(file.plan.sections, file.facts));
    history->wait_for_files_before(file_order);
  }
  return file;
}

}  // namespace

FileLocks explain_locks(const SourceFile& source, const LintOptions& options, const RuleSet& rules,
                        SchemaHistory* history, std::size_t file_order) {
  FileLocks result;
  result.path = source.path();
  PreparedFile file = prepare_file(source, options, history, file_order);
  walk_statements(
      file.model, options, file.plan, file.facts, history, file_order,
      Overloaded{[&](const Statement& statement, const MigrationContext& context) {
                   result.statements.push_back(
                       StatementLocks{source.position(statement.begin()), context.effects(), {}});
                 },
                 [&](const Statement& /*statement*/, const MigrationContext& context, bool /*after*/) {
                   StatementLocks& entry = result.statements.back();
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

namespace {

// An earlier migration read for its schema facts only (applied before a pending one, `--with-history`,
// `plan`'s lock explanation): only the statements that can teach a fact are parsed, so a large seed
// file of INSERTs costs a scan, not a parse tree.
void prepare_facts_only(const SourceFile& source, const LintOptions& options, SchemaHistory& history,
                        std::size_t index) {
  std::optional<SourceFile> lighter = fact_statements_only(source);
  prepare_file(lighter ? *lighter : source, options, &history, index);
}

}  // namespace

void explain_locks_in_order(
    const std::vector<LintInput>& inputs, const RuleSet& rules,
    const std::function<LintOptions(const std::string& display_path)>& options_for,
    const std::function<void(const std::string& display_path, Expected<FileLocks>&&)>& emit) {
  SchemaHistory history(inputs.size());
  for (std::size_t index = 0; index < inputs.size(); ++index) {
    const LintInput& input = inputs[index];
    LintOptions options = options_for(input.display_path);
    std::optional<Expected<FileLocks>> explained;
    try {
      Expected<SourceFile> source =
          input.contents ? source_from_bytes(input.display_path, *input.contents, options.max_file_size)
                         : load_source_file(input.filesystem_path, input.display_path, options.max_file_size);
      if (!source) {
        history.publish(index, {});
        explained.emplace(source.error());
      } else if (!input.report) {
        prepare_facts_only(*source, options, history, index);
      } else {
        explained.emplace(explain_locks(*source, options, rules, &history, index));
      }
    } catch (const std::bad_alloc&) {
      history.publish_if_unpublished(index);
      explained.emplace(Error{"out of memory while reading this file"});
    } catch (const std::exception& error) {
      history.publish_if_unpublished(index);
      explained.emplace(Error{fmt::format("internal error while reading this file: {}", error.what())});
    }
    if (explained && input.report) {
      emit(input.display_path, std::move(*explained));
    }
  }
}

namespace {

FileResult lint_prepared(const SourceFile& source, const LintOptions& options, const RuleSet& rules,
                         SchemaHistory* history, std::size_t file_order, const EmbeddedPlan* embedded) {
  FileResult result;
  result.path = source.path();
  PreparedFile file = prepare_file(source, options, history, file_order, embedded);
  FileModel& model = file.model;
  std::vector<std::unordered_set<std::string>> memory;
  walk_statements(model, options, file.plan, file.facts, history, file_order,
                  [&](const Statement& statement, const MigrationContext& context) {
                    run_rules(model, rules, context, statement, memory, result.findings);
                  });
  report_parse_problems(model, rules, result.findings);
  if (embedded != nullptr) {
    for (const Finding& finding : embedded->front_end_findings) {
      if (rules.enabled(finding.rule)) {
        result.findings.push_back(finding);
      }
    }
  }
  apply_ignores(model, rules, result.findings);
  if (options.statement_keys) {
    assign_statement_keys(model, result.findings);
  }
  for (Finding& finding : result.findings) {
    finding.severity = rules.severity_of(finding.rule);
    if (finding.reported_by == nullptr) {
      finding.reported_by = rules.find(finding.rule);  // the front end's own findings
    }
  }
  sort_findings(result.findings);
  return result;
}

}  // namespace

FileResult lint_source(const SourceFile& source, const LintOptions& options, const RuleSet& rules,
                       SchemaHistory* history, std::size_t file_order) {
  return lint_prepared(source, options, rules, history, file_order, nullptr);
}

FileResult lint_embedded_sql(const SourceFile& assembled, const EmbeddedPlan& plan,
                             const LintOptions& options, const RuleSet& rules, SchemaHistory* history,
                             std::size_t file_order) {
  return lint_prepared(assembled, options, rules, history, file_order, &plan);
}

void lint_inputs(const std::vector<LintInput>& inputs, const LintOptions& options, const RuleSet& rules,
                 const std::function<void(FileResult&&)>& emit) {
  // A RuleSet is cheap to copy (a span and a few pointers); every file shares this one.
  auto shared = std::make_shared<const RuleSet>(rules);
  lint_inputs(
      inputs, options.jobs,
      [&](const std::string&) {
        return FileSetup{options, shared, Severity::Warning, nullptr};
      },
      emit);
}

void lint_inputs(const std::vector<LintInput>& inputs, unsigned jobs, const SetupForPath& setup_for,
                 const std::function<void(FileResult&&)>& emit) {
  VectorInputSource source{std::span<const LintInput>(inputs)};
  lint_inputs(source, jobs, setup_for, emit);
}

void lint_inputs(InputSource& input_source, unsigned jobs, const SetupForPath& setup_for,
                 const std::function<void(FileResult&&)>& emit) {
  SchemaHistory history;
  jobs = jobs != 0 ? jobs : std::max(1U, std::thread::hardware_concurrency());
  if (std::optional<std::size_t> count = input_source.size_hint()) {
    jobs = std::min<unsigned>(jobs, std::max<std::size_t>(1, *count));
  }

  // Inputs are pulled one at a time, in order; each joins its migration set in the history.
  std::mutex pulling;
  std::size_t pulled = 0;
  bool exhausted = false;
  std::unordered_map<std::string, uint32_t> live_sets;  // migration sets files may still join
  uint32_t next_set = 0;
  std::vector<std::string> finished_sets;
  // The next input and its index, or nullopt at the end. `pulling` is held.
  auto pull = [&]() -> std::optional<std::pair<std::size_t, LintInput>> {
    if (exhausted) {
      return std::nullopt;
    }
    finished_sets.clear();
    std::optional<LintInput> input = input_source.next(finished_sets);
    for (const std::string& set : finished_sets) {
      if (auto it = live_sets.find(set); it != live_sets.end()) {
        history.end_set(it->second);
        live_sets.erase(it);
      }
    }
#ifdef __GLIBC__
    // A set is done: hand the memory its files freed back to the system. glibc otherwise keeps it
    // in each thread's arena, scattered, and the peak creeps up with the number of files linted.
    // (The miglint executable links jemalloc, which returns memory on its own: this then only
    // visits glibc's unused arena. Tests and other programs linking the analyzer use glibc's.)
    if (!finished_sets.empty()) {
      malloc_trim(0);
    }
#endif
    if (!input) {
      exhausted = true;
      for (const auto& [set, id] : live_sets) {
        history.end_set(id);
      }
      live_sets.clear();
      return std::nullopt;
    }
    auto [it, inserted] = live_sets.try_emplace(std::string(migration_set_of(input->display_path)), next_set);
    next_set += inserted ? 1 : 0;
    history.begin_file(pulled, it->second);
    return std::pair{pulled++, std::move(*input)};
  };

  // Results wait in slots until every earlier file has been emitted; workers stay within a window
  // ahead of the emitter so that memory does not grow with the number of files.
  const std::size_t window = static_cast<std::size_t>(jobs) * 8;
  // A ring of `window` slots: file i waits in slot i % window (workers never run further ahead, so
  // the slot of the next file to emit holds nothing else).
  std::vector<std::optional<FileResult>> slots(window);
  std::mutex mutex;
  std::mutex emitting;                  // held by the worker that emits, in order, what is ready
  std::condition_variable window_open;  // workers wait when too far ahead of the emission
  std::size_t workers_waiting = 0;
  std::size_t emitted = 0;

  auto lint_file = [&](const LintInput& input, std::size_t index) {
    FileSetup setup = setup_for(input.display_path);
    const uint64_t max_bytes = setup.options.max_file_size;
    Expected<SourceFile> source =
        input.contents ? source_from_bytes(input.display_path, *input.contents, max_bytes)
                       : load_source_file(input.filesystem_path, input.display_path, max_bytes);
    if (!source) {
      history.publish(index, {});
      FileResult failed;
      failed.path = input.display_path;
      failed.context_only = !input.report;
      failed.errors.push_back(InputError{input.display_path, std::nullopt, source.error().message});
      return failed;
    }
    if (!input.report) {
      // An earlier migration read for its schema facts only: no rules run on it, and only the
      // statements that can teach a fact are parsed.
      prepare_facts_only(*source, setup.options, history, index);
      FileResult context;
      context.path = input.display_path;
      context.context_only = true;
      return context;
    }
    static const cpp::CppSettings kDefaultCpp;
    const cpp::CppSettings& cpp_settings = setup.options.cpp != nullptr ? *setup.options.cpp : kDefaultCpp;
    if (setup.review) {
      setup.review->before(*source, setup.options);
    }
    bool is_cpp = cpp::is_cpp_path(input.display_path, cpp_settings);
    FileResult result;
    try {
      result = is_cpp ? cpp::lint_cpp_source(*source, input.filesystem_path, setup.options, *setup.rules,
                                             &history, index)
                      : lint_source(*source, setup.options, *setup.rules, &history, index);
    } catch (const StatementTooDeep& too_deep) {
      // Where in the file (for SQL; in a C++ file the offset is in the SQL assembled from it).
      history.publish_if_unpublished(index);
      FileResult failed;
      failed.path = input.display_path;
      failed.errors.push_back(InputError{
          input.display_path, is_cpp ? std::nullopt : std::optional(source->position(too_deep.offset())),
          fmt::format("cannot lint this file: a statement is nested too deeply for the parser ({})",
                      too_deep.what())});
      return failed;
    }
    result.fail_on = setup.fail_on;
    if (setup.review) {
      setup.review->after(*source, result);
    }
    return result;
  };
  // An internal error on one file (memory exhausted, a parse tree too deep, a bug) is that file's
  // error line; the other files are still linted.
  auto lint_one = [&](const LintInput& input, std::size_t index) {
    FileResult result;
    std::string failure;
    try {
      result = lint_file(input, index);
    } catch (const std::bad_alloc&) {
      failure = "out of memory while linting this file (see \"Limits and memory\" in the README)";
    } catch (const std::exception& error) {
      failure = fmt::format("internal error while linting this file: {}", error.what());
    } catch (...) {
      failure = "internal error while linting this file";
    }
    if (!failure.empty()) {
      history.publish_if_unpublished(index);
      result = FileResult{};
      result.path = input.display_path;
      result.context_only = !input.report;
      result.errors.push_back(InputError{input.display_path, std::nullopt, std::move(failure)});
    }
    history.file_done(index);
    return result;
  };

  // Emits, in input order, every result that is ready. Whichever worker finds the next result
  // ready emits it (no separate emitter thread to put to sleep and wake per file). A worker that
  // cannot take `emitting` leaves its result to the holder, who looks again after letting go.
  auto next_ready = [&]() -> std::optional<FileResult> {
    std::lock_guard lock(mutex);
    std::optional<FileResult>& slot = slots[emitted % slots.size()];
    if (!slot) {
      return std::nullopt;
    }
    std::optional<FileResult> ready = std::move(slot);
    slot.reset();
    ++emitted;
    if (workers_waiting > 0) {
      window_open.notify_all();
    }
    return ready;
  };
  auto slot_ready = [&] {
    std::lock_guard lock(mutex);
    return slots[emitted % slots.size()].has_value();
  };
  auto emit_ready = [&] {
    do {
      std::unique_lock emit_lock(emitting, std::try_to_lock);
      if (!emit_lock) {
        return;
      }
      while (std::optional<FileResult> ready = next_ready()) {
        emit(std::move(*ready));
      }
    } while (slot_ready());
  };

  auto worker = [&] {
    while (true) {
      std::optional<std::pair<std::size_t, LintInput>> input;
      {
        std::lock_guard lock(pulling);
        input = pull();
      }
      if (!input) {
        return;
      }
      std::size_t index = input->first;
      {
        std::unique_lock lock(mutex);
        if (index >= emitted + window) {
          ++workers_waiting;
          window_open.wait(lock, [&] { return index < emitted + window; });
          --workers_waiting;
        }
      }
      FileResult result = lint_one(input->second, index);
      {
        std::lock_guard lock(mutex);
        slots[index % slots.size()] = std::move(result);
      }
      emit_ready();
    }
  };

  if (jobs == 1) {
    while (std::optional<std::pair<std::size_t, LintInput>> input = pull()) {
      emit(lint_one(input->second, input->first));
    }
    return;
  }
  std::vector<std::thread> threads;
  for (unsigned t = 1; t < jobs; ++t) {
    threads.emplace_back(worker);
  }
  worker();  // the calling thread works too
  for (auto& thread : threads) {
    thread.join();
  }
  emit_ready();  // anything left once every worker is done
}

}  // namespace miglint
