#pragma once

#include <string>

#include "analyzer/sql/pg_nodes.hpp"

namespace miglint {

// Text for messages of a type's name list, as written: "mood" or "app.mood".
inline std::string display_name_from_list(pg::Repeated<pg::AnyNode> names) {
  std::string out;
  for (pg::AnyNode name : names) {
    out += (out.empty() ? "" : ".") + std::string(name.as<pg::String>().sval());
  }
  return out;
}

}  // namespace miglint
