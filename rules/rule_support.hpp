#pragma once

// What rule files share: the context, the lock model, names, and message helpers.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <string>

#include "analyzer/model/context.hpp"
#include "analyzer/model/lock_model.hpp"
#include "analyzer/model/rule.hpp"
#include "analyzer/sql/relation.hpp"
#include "analyzer/sql/statement.hpp"

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
