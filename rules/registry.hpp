#pragma once

#include <span>
#include <string_view>

#include "analyzer/model/rule.hpp"

namespace miglint {

// Every rule miglint knows, in `miglint rules` order (by id).
std::span<const Rule> all_rules();

// The rule with this id, or nullptr when miglint has none by that name.
const Rule* find_rule(std::string_view id);

}  // namespace miglint
