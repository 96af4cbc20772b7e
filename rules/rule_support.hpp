#pragma once

// What rule files share: the context, the lock model, names, and message helpers.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <string>

#include "analyzer/context.hpp"
#include "analyzer/lock_model.hpp"
#include "analyzer/relation.hpp"
#include "analyzer/rule.hpp"
#include "analyzer/statement.hpp"

namespace miglint {

// `"name"` for messages.
inline std::string quote_name(std::string_view name) {
  // Concatenated, not formatted: messages quote several names each, and fmt's parsing of the
  // format string cost more than the copy.
  std::string quoted;
  quoted.reserve(name.size() + 2);
  quoted.append(1, '"').append(name).append(1, '"');
  return quoted;
}

}  // namespace miglint
