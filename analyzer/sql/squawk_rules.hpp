#pragma once

// squawk's rule names and the miglint rules they correspond to: `-- squawk-ignore` comments and
// `miglint init --from-squawk` read squawk's names through this one table
// (docs/migrating-from-squawk.md prints it).
#include <optional>
#include <span>
#include <string_view>

namespace miglint {

struct SquawkRule {
  std::string_view squawk;   // squawk's rule name
  std::string_view miglint;  // the miglint rule id; empty: miglint has no equivalent
  std::string_view note;     // why there is no equivalent, or how the two differ
};

// Every rule squawk 2.66 knows, in squawk's order (by name).
std::span<const SquawkRule> squawk_rules();

// The entry for a squawk rule name, or nullopt when squawk has no rule by that name.
std::optional<SquawkRule> find_squawk_rule(std::string_view squawk_name);

}  // namespace miglint
