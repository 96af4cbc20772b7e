#pragma once

#include <string>
#include <string_view>

namespace miglint::runner {

// An identifier as SQL text PostgreSQL reads back exactly: `my "schema"` -> `"my ""schema"""`.
// The runner's one quoter, for the statements it writes itself (the history table, to_regclass()
// lookups); pure, so that it needs no connection.
inline std::string quote_identifier(std::string_view name) {
  std::string quoted = "\"";
  for (char c : name) {
    quoted += c;
    if (c == '"') {
      quoted += '"';
    }
  }
  return quoted + "\"";
}

}  // namespace miglint::runner
