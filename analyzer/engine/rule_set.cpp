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
  // The driver calls a rule only for the statement kinds it looks at: one list per kind, built
  // here once, in registry order so that findings come out as they did when every rule saw every
  // statement.
  enabled_by_kind_.resize(pg::kNodeKindCount);
  for (std::size_t r = 0; r < enabled_.size(); ++r) {
    const Rule& rule = *enabled_[r];
    if (rule.check == nullptr) {
      continue;
    }
    if (rule.looks_at_every_statement()) {
      for (std::vector<std::size_t>& rules_of_kind : enabled_by_kind_) {
        rules_of_kind.push_back(r);
      }
      continue;
    }
    for (pg::NodeKind kind : rule.kinds) {
      std::vector<std::size_t>& rules_of_kind = enabled_by_kind_[static_cast<std::size_t>(kind)];
      // Once per rule, even where it names a kind twice.
      if (kind != pg::NodeKind{} && (rules_of_kind.empty() || rules_of_kind.back() != r)) {
        rules_of_kind.push_back(r);
      }
    }
  }
}

const std::vector<std::size_t>& RuleSet::enabled_for(pg::NodeKind kind) const {
  return enabled_by_kind_[static_cast<std::size_t>(kind)];
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
