#pragma once

#include <span>

#include "analyzer/model/rule.hpp"

namespace miglint {

// Every rule miglint knows, in `miglint rules` order (by id).
std::span<const Rule> all_rules();

}  // namespace miglint
