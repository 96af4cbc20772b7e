#pragma once

// Placeholders in SQL that a program completes at run time ($1, ?, :name, %s, {}) made parseable
// without moving any byte: each is replaced with text of the same length, an identifier where the
// placeholder stands for a name (`CREATE INDEX {} ON {}`) and a number where it stands for a
// value (`WHERE id = ?`), so that every offset into the SQL still maps back to the program.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <optional>

namespace miglint {

// How a program's SQL marks the values (or names) it is completed with at run time.
enum class PlaceholderStyle {
  Dollar,    // $1 (libpq, libpqxx): PostgreSQL parses it as is
  Question,  // ?
  Colon,     // :name
  Printf,    // %s, %d, ...
  Fmt,       // {} / {name} / {0} (std::format, fmt)
};

// "dollar", "question", "colon", "printf", "fmt" (as miglint.toml names them).
std::optional<PlaceholderStyle> parse_placeholder_style(std::string_view text);

struct Placeholder {
  uint32_t begin = 0;
  uint32_t end = 0;
  bool identifier = false;  // stands for a name rather than a value
};

// The placeholders of `sql` outside its string literals, quoted identifiers and comments, each
// with the role its context suggests.
std::vector<Placeholder> find_placeholders(std::string_view sql, PlaceholderStyle style);

// `sql` with every placeholder replaced by same-length text that parses. When the guess of a
// placeholder's role makes the statement fail to parse, the other role is tried.
std::string neutralize_placeholders(std::string_view sql, PlaceholderStyle style);

// The replacement text for one placeholder of `length` bytes.
std::string placeholder_stand_in(uint32_t length, bool identifier);

}  // namespace miglint
