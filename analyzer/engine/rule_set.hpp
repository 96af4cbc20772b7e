#pragma once

// The rules of one run: every known rule, which of them are enabled, and their severities.
#include <map>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "analyzer/model/rule.hpp"
#include "analyzer/sql/pg_nodes.hpp"

namespace miglint {

// All known rules, and which of them are enabled.
class RuleSet {
 public:
  // `severities` overrides rules' default severities (from the config file).
  RuleSet(std::span<const Rule> all_rules, const std::set<std::string>& select,
          const std::set<std::string>& ignore, std::map<std::string, Severity> severities = {});

  const Rule* find(std::string_view id) const;
  Severity severity_of(std::string_view id) const;
  bool enabled(std::string_view id) const;
  const std::vector<const Rule*>& enabled_rules() const { return enabled_; }
  // Indexes into enabled_rules() of the rules that look at statements of `kind`, in registry order.
  const std::vector<std::size_t>& enabled_for(pg::NodeKind kind) const;
  std::span<const Rule> all() const { return all_; }

 private:
  std::span<const Rule> all_;
  std::vector<const Rule*> enabled_;
  std::vector<std::vector<std::size_t>> enabled_by_kind_;  // indexed by NodeKind, built once
  std::map<std::string, Severity> severities_;
};

}  // namespace miglint
