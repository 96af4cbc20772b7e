#include "rules/registry.hpp"

#include <algorithm>
#include <vector>

namespace miglint {

// Generated from rules/*.cpp by cmake/GenerateRegistry.cmake.
std::vector<Rule> registered_rules();

std::span<const Rule> all_rules() {
  static const std::vector<Rule> rules = [] {
    std::vector<Rule> list = registered_rules();
    std::sort(list.begin(), list.end(), [](const Rule& a, const Rule& b) { return a.id < b.id; });
    return list;
  }();
  return rules;
}

const Rule* find_rule(std::string_view id) {
  std::span<const Rule> rules = all_rules();
  auto it = std::lower_bound(rules.begin(), rules.end(), id,
                             [](const Rule& rule, std::string_view wanted) { return rule.id < wanted; });
  return it != rules.end() && it->id == id ? &*it : nullptr;
}

}  // namespace miglint
