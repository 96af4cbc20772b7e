#include "analyzer/engine/rule_set.hpp"

#include <algorithm>

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
  // The driver calls a rule only for the statement kinds it looks at: one list per kind, in
  // registry order so that findings come out as they did when every rule saw every statement. The
  // lists are laid end to end in one array (offsets per kind), built in two passes, count then
  // fill: a few allocations rather than one per kind, which a one-file lint pays at start-up.
  auto for_each_kind_of = [&](const Rule& rule, auto&& visit) {
    if (rule.check == nullptr) {
      return;
    }
    if (rule.looks_at_every_statement()) {
      for (std::size_t kind = 0; kind < pg::kNodeKindCount; ++kind) {
        visit(kind);
      }
      return;
    }
    auto first = rule.kinds.begin();
    for (auto kind = first; kind != rule.kinds.end(); ++kind) {
      // Once per rule, even where it names a kind twice.
      if (*kind != pg::NodeKind{} && std::find(first, kind, *kind) == kind) {
        visit(static_cast<std::size_t>(*kind));
      }
    }
  };
  kind_offsets_.assign(pg::kNodeKindCount + 1, 0);
  for (const Rule* rule : enabled_) {
    for_each_kind_of(*rule, [&](std::size_t kind) { ++kind_offsets_[kind + 1]; });
  }
  for (std::size_t kind = 0; kind < pg::kNodeKindCount; ++kind) {
    kind_offsets_[kind + 1] += kind_offsets_[kind];
  }
  rules_by_kind_.resize(kind_offsets_.back());
  std::vector<std::uint32_t> filled(kind_offsets_.begin(), kind_offsets_.end() - 1);
  for (std::size_t r = 0; r < enabled_.size(); ++r) {
    for_each_kind_of(*enabled_[r], [&](std::size_t kind) {
      rules_by_kind_[filled[kind]++] = static_cast<std::uint16_t>(r);
    });
  }
}

std::span<const std::uint16_t> RuleSet::enabled_for(pg::NodeKind kind) const {
  auto index = static_cast<std::size_t>(kind);
  return std::span<const std::uint16_t>(rules_by_kind_)
      .subspan(kind_offsets_[index], kind_offsets_[index + 1] - kind_offsets_[index]);
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

}  // namespace miglint
