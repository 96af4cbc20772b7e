#include "analyzer/engine/suppressions.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "analyzer/engine/driver_findings.hpp"
#include "analyzer/sql/directives.hpp"
#include "analyzer/sql/squawk_rules.hpp"
#include "analyzer/sql/statement.hpp"

namespace miglint {

namespace {

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
    std::string_view text = model.source->text();
    for (std::size_t i = 0; i < model.statement_count(); ++i) {
      by_end.push_back({static_cast<int64_t>(i), model.places[i].span(text)});
    }
    for (std::size_t k = 0; k < model.parsed.problems.size(); ++k) {
      by_end.push_back(
          {static_cast<int64_t>(model.statement_count() + k), model.parsed.problems[k].statement});
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

// The name of an ignore comment's kind, as messages show it.
std::string_view ignore_kind(const IgnoreDirective& directive) {
  if (directive.squawk) {
    return directive.whole_file ? "squawk-ignore-file" : "squawk-ignore";
  }
  return directive.whole_file ? "miglint-ignore-file" : "miglint-ignore";
}

// A name of an ignore comment as messages show it: `ban-drop-table`, or for a squawk name that
// miglint spells otherwise, `prefer-timestamp-tz` (miglint's `prefer-timestamptz`).
std::string shown_name(const IgnoreDirective::Name& name) {
  return name.written.empty() ? fmt::format("`{}`", name.rule)
                              : fmt::format("`{}` (miglint's `{}`)", name.written, name.rule);
}

// Comments that look like ignores but are not (directives.hpp, MalformedIgnore): they silence
// nothing, and say what they were read as.
void report_malformed_ignores(const FileModel& model, const Rule& rule, std::vector<Finding>& out) {
  for (const MalformedIgnore& malformed : model.directives.malformed) {
    std::string_view keyword = malformed.whole_file ? "miglint-ignore-file" : "miglint-ignore";
    std::string message;
    std::string help;
    std::string reason = malformed.reason.empty() ? "reason" : malformed.reason;
    if (malformed.rules.empty()) {
      message = fmt::format(
          "this ignore comment silences nothing: {} (miglint has no comment that silences every rule)",
          malformed.problem);
      help = fmt::format("Name the rules it is for: `-- {} RULE -- {}` (`miglint rules` lists them).",
                         keyword, reason);
    } else {
      std::vector<std::string> quoted;
      for (const std::string& name : malformed.rules) {
        quoted.push_back(fmt::format("`{}`", name));
      }
      message = fmt::format(
          "this comment looks like an ignore but is not one, so it silences nothing: {}; read as a {} of {}",
          malformed.problem, keyword, fmt::join(quoted, ", "));
      help = fmt::format("Write `-- {} {} -- {}`.", keyword, fmt::join(malformed.rules, ", "), reason);
    }
    out.push_back(make_finding(*model.source, rule, malformed.span, std::move(message), std::move(help), -1));
  }
}

// Names that are unknown, cannot be silenced or silence nothing; squawk names miglint has no
// equivalent for (a note: accepted and ignored).
void report_unused_ignores(const FileModel& model, const RuleSet& rules, std::vector<Finding>& out) {
  const Rule& unused_rule = *rules.find(kUnusedIgnoreRule);
  const std::string_view help =
      "Remove the rule from the comment, or fix its name (`miglint rules` lists them).";
  for (const IgnoreDirective& directive : model.directives.ignores) {
    std::string_view kind = ignore_kind(directive);
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
        message = fmt::format("{} for {} silences nothing", kind, shown_name(name));
      } else {
        continue;
      }
      out.push_back(make_finding(*model.source, unused_rule, directive.span, std::move(message),
                                 std::string(help), -1));
    }
    if (unknown > kUnknownNamesShown) {
      out.push_back(make_finding(*model.source, unused_rule, directive.span,
                                 fmt::format("{} names {} more unknown rules (only the first {} are shown)",
                                             kind, unknown - kUnknownNamesShown, kUnknownNamesShown),
                                 std::string(help), -1));
    }
    for (const std::string& squawk_name : directive.unmapped) {
      std::optional<SquawkRule> squawk = find_squawk_rule(squawk_name);
      Finding note = make_finding(
          *model.source, unused_rule, directive.span,
          fmt::format("{} names `{}`, a squawk rule miglint has no equivalent for ({}): accepted and ignored",
                      kind, squawk_name, squawk ? squawk->note : ""),
          "Nothing to do; drop the name once squawk no longer reads this file (docs/migrating-from-squawk.md "
          "lists squawk's rules).",
          -1);
      note.severity = Severity::Note;  // kept by the driver: see kept_severity in statement_walk.cpp
      out.push_back(std::move(note));
    }
  }
}

}  // namespace

void apply_ignores(FileModel& model, const RuleSet& rules, std::vector<Finding>& findings) {
  if (model.directives.ignores.empty() && model.directives.malformed.empty()) {
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
    if (unit >= 0 && static_cast<std::size_t>(unit) < model.statement_count()) {
      return model.places[static_cast<std::size_t>(unit)].begin;
    }
    std::size_t problem = static_cast<std::size_t>(unit) - model.statement_count();
    if (unit >= 0 && problem < model.parsed.problems.size()) {
      return model.parsed.problems[problem].statement.begin;
    }
    return finding.span.begin;
  };
  auto in_scope = [&](const IgnoreDirective& directive, const Finding& finding) {
    uint32_t begin = unit_begin(finding);
    return finding.rule != kUnusedIgnoreRule && finding.rule != kMalformedIgnoreRule &&
           begin >= directive.scope->begin &&
           begin < std::max(directive.scope->end, directive.scope->begin + 1);
  };
  // Indexes, so that a finding visits only the comments that may silence it, and in each only the
  // name it carries (a file may hold many comments, a comment many names): per comment its names;
  // the comments per target statement; the file-wide comments per rule; the ones scoped to an
  // embedded call (embedded SQL), by scope begin (scopes are calls' SQL regions, disjoint).
  std::vector<std::unordered_map<std::string_view, std::size_t>> names_of(ignores.size());
  std::unordered_map<int64_t, std::vector<std::size_t>> by_target;
  std::unordered_map<std::string_view, std::vector<std::size_t>> whole_file_by_rule;
  std::vector<std::size_t> whole_file_all;  // `-- squawk-ignore-file` without names
  std::vector<std::size_t> scoped;
  for (std::size_t d = 0; d < ignores.size(); ++d) {
    if (ignores[d].all_rules) {
      whole_file_all.push_back(d);
      continue;
    }
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
  // Each comment's reason, made once and shared by the findings it silences (a file-wide comment
  // may silence every statement's).
  std::vector<SharedText> reasons(ignores.size());
  auto reason_of = [&](std::size_t d) -> const SharedText& {
    if (reasons[d].empty() && !ignores[d].reason.empty()) {
      reasons[d] = ignores[d].reason;
    }
    return reasons[d];
  };
  auto silence = [&](Finding& finding) {
    if (finding.rule == kSyntaxErrorRule) {
      return;  // a syntax error cannot be switched off
    }
    candidates.clear();
    candidates.insert(candidates.end(), whole_file_all.begin(), whole_file_all.end());
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
      if (ignores[d].all_rules) {
        if (!finding.suppressed) {
          finding.suppressed = true;
          finding.suppression_reason = reason_of(d);
        }
        continue;
      }
      auto name = names_of[d].find(finding.rule);
      if (name == names_of[d].end()) {
        continue;
      }
      ignores[d].rules[name->second].used = true;
      if (!finding.suppressed) {
        finding.suppressed = true;
        finding.suppression_reason = reason_of(d);
      }
    }
  };
  for (Finding& finding : findings) {
    silence(finding);
  }
  std::vector<Finding> reported;  // about the comments themselves
  if (rules.enabled(kMalformedIgnoreRule)) {
    report_malformed_ignores(model, *rules.find(kMalformedIgnoreRule), reported);
  }
  if (rules.enabled(kUnusedIgnoreRule)) {
    report_unused_ignores(model, rules, reported);
  }
  for (Finding& finding : reported) {
    silence(finding);
    findings.push_back(std::move(finding));
  }
}

}  // namespace miglint
