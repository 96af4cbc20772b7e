#pragma once

// The rules of one run: every known rule, which of them are enabled, and their severities.
#include <cstdint>
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
  std::span<const std::uint16_t> enabled_for(pg::NodeKind kind) const;
  std::span<const Rule> all() const { return all_; }

 private:
  std::span<const Rule> all_;
  std::vector<const Rule*> enabled_;
  // enabled_for(kind) is rules_by_kind_[kind_offsets_[kind], kind_offsets_[kind + 1]).
  // 16-bit indexes: the rules that look at every statement are listed under each of the ~270 kinds.
  std::vector<std::uint16_t> rules_by_kind_;
  std::vector<std::uint32_t> kind_offsets_;
  std::map<std::string, Severity> severities_;
};

}  // namespace miglint
