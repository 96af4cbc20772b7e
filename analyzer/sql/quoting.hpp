#pragma once

// The quoting rules of PostgreSQL's lexer that miglint's own small lexers share: the lite tokens
// (analyzer/sql/tokens.cpp) and the model of the lexer's cost (analyzer/sql/lexer_cost.cpp).

#include <cstdint>
#include <string_view>

#include "analyzer/text/ascii.hpp"

namespace miglint::sql_lexing {

inline bool is_identifier_char(char c) {
  return is_ascii_alnum(c) || c == '_' || c == '$' || static_cast<unsigned char>(c) >= 0x80;
}

// The end of the word (identifier, keyword, number or parameter) starting at `at`. A number or a
// parameter ($1) ends before a `$`, which begins a token of its own (`1$$x$$` is 1 and a dollar quote
// to PostgreSQL); an identifier's `$` is part of it (a$b). A number goes on past a `.` followed by a
// digit (1.5).
inline uint32_t word_end(std::string_view text, uint32_t at, uint32_t end) {
  bool numeric = is_ascii_digit(text[at]) || text[at] == '$';
  uint32_t i = at + 1;
  while (i < end &&
         ((is_identifier_char(text[i]) && !(numeric && text[i] == '$')) ||
          (text[i] == '.' && is_ascii_digit(text[at]) && i + 1 < end && is_ascii_digit(text[i + 1])))) {
    ++i;
  }
  return i;
}

// The `$tag$` opening a dollar-quoted string at `at`, or "" when there is none. `token_start`: `at`
// is known to begin a token (the character before it ended one, as the closing `$` of a dollar
// quote does in `$a$x$a$$b$y$b$`); otherwise a `$` after an identifier's character is taken to
// continue that identifier.
inline std::string_view dollar_tag(std::string_view text, uint32_t at, uint32_t end,
                                   bool token_start = false) {
  if (!token_start && at > 0 && is_identifier_char(text[at - 1])) {
    return {};  // part of an identifier (a$b) or a parameter ($1) follows
  }
  uint32_t i = at + 1;
  if (i < end && (is_ascii_digit(text[i]))) {
    return {};
  }
  while (i < end && text[i] != '$') {
    if (!(is_ascii_alnum(text[i]) || text[i] == '_' || static_cast<unsigned char>(text[i]) >= 0x80)) {
      return {};
    }
    ++i;
  }
  return i < end ? text.substr(at, i + 1 - at) : std::string_view();
}

// Past the quoted text starting at `i` (a ' or " quote), or `end`.
inline uint32_t skip_quoted(std::string_view text, uint32_t begin, uint32_t i, uint32_t end) {
  char quote = text[i];
  bool backslashes = quote == '\'' && i > begin && (text[i - 1] == 'E' || text[i - 1] == 'e') &&
                     (i - 1 == begin || !is_identifier_char(text[i - 2]));
  ++i;
  while (i < end) {
    if (backslashes && text[i] == '\\') {
      i += 2;
    } else if (text[i] == quote) {
      if (i + 1 < end && text[i + 1] == quote) {
        i += 2;
      } else {
        return i + 1;
      }
    } else {
      ++i;
    }
  }
  return end;
}

}  // namespace miglint::sql_lexing
