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

}  // namespace miglint
