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
