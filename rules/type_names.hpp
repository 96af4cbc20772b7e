#pragma once

#include <string>

#include "analyzer/sql/ast.hpp"

namespace miglint {

// Text for messages of a type's name list, as written: "mood" or "app.mood".
inline std::string display_name_from_list(Node names) {
  std::string out;
  for (Node name : names) {
    out += (out.empty() ? "" : ".") + std::string(name.string_value());
  }
  return out;
}

}  // namespace miglint
