#include "analyzer/frontend/placeholders.hpp"

#include <pg_query.h>

#include <algorithm>
#include <array>
#include <cctype>

#include "analyzer/sql/lexer_cost.hpp"
#include "analyzer/text/source_file.hpp"

namespace miglint {

namespace {

bool is_word_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' ||
         static_cast<unsigned char>(c) >= 0x80;
}

bool is_word_start(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) != 0 || c == '_';
}

// Where the SQL lexeme starting at `i` ends when it is a string, quoted identifier or comment
// (placeholders inside those are not placeholders); `i` itself otherwise.
std::size_t skip_quoted(std::string_view sql, std::size_t i) {
  const std::size_t n = sql.size();
  char c = sql[i];
  if (c == '\'' || c == '"') {
    bool backslashes = c == '\'' && i > 0 && (sql[i - 1] == 'E' || sql[i - 1] == 'e') &&
                       (i < 2 || !is_word_char(sql[i - 2]));
    std::size_t j = i + 1;
    while (j < n) {
      if (backslashes && sql[j] == '\\') {
        j += 2;
        continue;
      }
      if (sql[j] == c) {
        if (j + 1 < n && sql[j + 1] == c) {
          j += 2;
          continue;
        }
        return j + 1;
      }
      ++j;
    }
    return n;
  }
  if (c == '-' && i + 1 < n && sql[i + 1] == '-') {
    std::size_t end = sql.find('\n', i);
    return end == std::string_view::npos ? n : end;
  }
  if (c == '/' && i + 1 < n && sql[i + 1] == '*') {
    int depth = 0;
    std::size_t j = i;
    while (j + 1 < n) {
      if (sql[j] == '/' && sql[j + 1] == '*') {
        ++depth, j += 2;
      } else if (sql[j] == '*' && sql[j + 1] == '/') {
        j += 2;
        if (--depth == 0) {
          return j;
        }
      } else {
        ++j;
      }
    }
    return n;
  }
  if (c == '$' && (i == 0 || !is_word_char(sql[i - 1]))) {
    // A dollar quote $tag$...$tag$ (a tag never starts with a digit: $1 is a parameter).
    std::size_t j = i + 1;
    if (j < n && std::isdigit(static_cast<unsigned char>(sql[j])) != 0) {
      return i;
    }
    while (j < n && is_word_char(sql[j]) && sql[j] != '$') {
      ++j;
    }
    if (j < n && sql[j] == '$') {
      std::string_view tag = sql.substr(i, j - i + 1);
      std::size_t close = sql.find(tag, j + 1);
      return close == std::string_view::npos ? n : close + tag.size();
    }
  }
  return i;
}

// The length of the placeholder of `style` at `i`, or 0.
std::size_t placeholder_length(std::string_view sql, std::size_t i, PlaceholderStyle style) {
  const std::size_t n = sql.size();
  switch (style) {
    case PlaceholderStyle::Dollar:
      return 0;  // PostgreSQL's own parameters: the parser reads them
    case PlaceholderStyle::Question:
      // `?|` and `?&` are jsonb operators.
      if (sql[i] == '?' && !(i + 1 < n && (sql[i + 1] == '|' || sql[i + 1] == '&'))) {
        return 1;
      }
      return 0;
    case PlaceholderStyle::Colon:
      // :name, but not a `::` cast.
      if (sql[i] == ':' && i + 1 < n && is_word_start(sql[i + 1]) && (i == 0 || sql[i - 1] != ':')) {
        std::size_t j = i + 1;
        while (j < n && is_word_char(sql[j])) {
          ++j;
        }
        return j - i;
      }
      return 0;
    case PlaceholderStyle::Printf: {
      if (sql[i] != '%' || i + 1 >= n) {
        return 0;
      }
      std::size_t j = i + 1;
      while (j < n && std::string_view("-+ #0").find(sql[j]) != std::string_view::npos) {
        ++j;
      }
      while (j < n &&
             (std::isdigit(static_cast<unsigned char>(sql[j])) != 0 || sql[j] == '.' || sql[j] == '*')) {
        ++j;
      }
      while (j < n && std::string_view("hljztLq").find(sql[j]) != std::string_view::npos) {
        ++j;
      }
      if (j < n && std::string_view("sdiuxXfFeEgGcp").find(sql[j]) != std::string_view::npos) {
        return j + 1 - i;
      }
      return 0;
    }
    case PlaceholderStyle::Fmt: {
      if (sql[i] != '{' || (i + 1 < n && sql[i + 1] == '{')) {
        return 0;
      }
      std::size_t close = sql.find('}', i);
      if (close == std::string_view::npos) {
        return 0;
      }
      std::string_view inside = sql.substr(i + 1, close - i - 1);
      std::string_view name = inside.substr(0, inside.find(':'));
      if (!std::all_of(name.begin(), name.end(), is_word_char)) {
        return 0;
      }
      return close + 1 - i;
    }
  }
  return 0;
}

std::string upper_word_before(std::string_view sql, std::size_t& i) {
  while (i > 0 && std::isspace(static_cast<unsigned char>(sql[i - 1])) != 0) {
    --i;
  }
  std::size_t end = i;
  while (i > 0 && is_word_char(sql[i - 1])) {
    --i;
  }
  std::string word(sql.substr(i, end - i));
  for (char& c : word) {
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return word;
}

bool one_of(const std::string& word, std::initializer_list<std::string_view> words) {
  return std::find(words.begin(), words.end(), word) != words.end();
}

// Whether the placeholder at [begin, end) stands for a name, judging by what surrounds it.
bool looks_like_identifier(std::string_view sql, std::size_t begin, std::size_t end,
                           std::size_t statement_begin) {
  // Glued to a name or a dot: part of a (qualified) name, `idx_{}` or `{}.id`.
  if ((begin > 0 && (is_word_char(sql[begin - 1]) || sql[begin - 1] == '.' || sql[begin - 1] == '"')) ||
      (end < sql.size() && (is_word_char(sql[end]) || sql[end] == '.'))) {
    return true;
  }
  std::size_t i = begin;
  while (i > statement_begin && std::isspace(static_cast<unsigned char>(sql[i - 1])) != 0) {
    --i;
  }
  if (i == statement_begin) {
    return true;
  }
  char before = sql[i - 1];
  if (std::string_view("=<>!+-*/%|^[").find(before) != std::string_view::npos) {
    return false;  // an operand
  }
  if (before == '(' || before == ',') {
    // Inside parentheses: a value list (VALUES, IN, ARRAY, a function call), or a column list
    // (CREATE INDEX ... ON t (...), INSERT INTO t (...), PRIMARY KEY (...)).
    int depth = 0;
    std::size_t j = i - 1;
    while (true) {
      char c = sql[j];
      if (c == ')') {
        ++depth;
      } else if (c == '(') {
        if (depth == 0) {
          break;
        }
        --depth;
      }
      if (j == statement_begin) {
        return true;  // a top-level list: names (DROP TABLE a, b) more often than values
      }
      --j;
    }
    std::size_t k = j;
    std::string word = upper_word_before(sql, k);
    if (one_of(word, {"VALUES", "IN", "ANY", "ALL", "ARRAY", "COALESCE", "GREATEST", "LEAST", "NULLIF"})) {
      return false;
    }
    if (one_of(word, {"KEY", "UNIQUE", "INCLUDE", "BY", "USING", "EXCLUDE", "CHECK"})) {
      return word != "CHECK";
    }
    if (word.empty()) {
      return false;  // `((`: an expression
    }
    std::string previous = upper_word_before(sql, k);
    // `ON t (`, `INTO t (`, `TABLE t (`, `REFERENCES t (`: a column list after a relation name.
    return one_of(previous, {"ON", "INTO", "TABLE", "EXISTS", "ONLY", "REFERENCES", "VIEW", "INDEX", "TYPE"});
  }
  std::size_t k = i;
  std::string word = upper_word_before(sql, k);
  if (one_of(word, {"DEFAULT", "LIMIT", "OFFSET", "THEN", "ELSE", "WHEN", "LIKE", "ILIKE", "BETWEEN",
                    "INTERVAL", "RETURN", "FETCH", "SIMILAR", "AND", "OR", "NOT", "IS"})) {
    // `AND`/`OR`/`NOT` are followed by a condition, whose first operand is mostly a column;
    // after BETWEEN ... AND the operand is a value.
    if (one_of(word, {"AND", "OR", "NOT", "IS"})) {
      std::string_view statement = sql.substr(statement_begin, begin - statement_begin);
      std::string upper(statement);
      for (char& c : upper) {
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      }
      std::size_t between = upper.rfind("BETWEEN");
      return !(word == "AND" && between != std::string::npos &&
               upper.find(" AND ", between) == std::string::npos);
    }
    return false;
  }
  if (word == "TO") {
    // SET x TO value; otherwise RENAME TO name, GRANT ... TO role.
    std::string_view statement = sql.substr(statement_begin);
    while (!statement.empty() && std::isspace(static_cast<unsigned char>(statement.front())) != 0) {
      statement.remove_prefix(1);
    }
    return !(statement.size() >= 3 && (statement.substr(0, 3) == "SET" || statement.substr(0, 3) == "set"));
  }
  return true;
}

struct Scan {
  std::vector<Placeholder> placeholders;
  std::vector<std::pair<uint32_t, uint32_t>> printf_percents;  // `%%` outside strings
};

Scan scan(std::string_view sql, PlaceholderStyle style) {
  Scan out;
  std::size_t statement_begin = 0;
  std::size_t i = 0;
  while (i < sql.size()) {
    std::size_t skipped = skip_quoted(sql, i);
    if (skipped != i) {
      i = skipped;
      continue;
    }
    if (sql[i] == ';') {
      statement_begin = i + 1;
      ++i;
      continue;
    }
    if (style == PlaceholderStyle::Printf && sql[i] == '%' && i + 1 < sql.size() && sql[i + 1] == '%') {
      out.printf_percents.emplace_back(static_cast<uint32_t>(i), static_cast<uint32_t>(i + 2));
      i += 2;
      continue;
    }
    if (std::size_t length = placeholder_length(sql, i, style); length > 0) {
      out.placeholders.push_back(Placeholder{static_cast<uint32_t>(i), static_cast<uint32_t>(i + length),
                                             looks_like_identifier(sql, i, i + length, statement_begin)});
      i += length;
      continue;
    }
    ++i;
  }
  return out;
}

std::string apply_scan(std::string_view sql, const Scan& found) {
  std::string out(sql);
  for (const auto& [begin, end] : found.printf_percents) {
    out[begin + 1] = ' ';  // `%%` is one `%` at run time
  }
  for (const Placeholder& p : found.placeholders) {
    out.replace(p.begin, p.end - p.begin, placeholder_stand_in(p.end - p.begin, p.identifier));
  }
  return out;
}

// The byte offset of the parse error, or nullopt when `sql` parses.
std::optional<uint32_t> parse_error_offset(const std::string& sql) {
  if (std::optional<SlowLexing> slow = find_slow_lexing(sql)) {
    return slow->offset;  // the lint of the assembled SQL says why
  }
  PgQueryParseResult result = pg_query_parse(sql.c_str());
  std::optional<uint32_t> offset;
  if (result.error != nullptr) {
    int position = std::max(result.error->cursorpos, 1);
    offset = byte_offset_of_char(sql, static_cast<uint32_t>(position - 1));
  }
  pg_query_free_parse_result(result);
  return offset;
}

}  // namespace

std::string placeholder_stand_in(uint32_t length, bool identifier) {
  if (identifier) {
    // p, p_, p__...: a name that is no keyword.
    return "p" + std::string(length > 0 ? length - 1 : 0, '_');
  }
  return std::string(length, '0');  // 0, 00, 000: an integer constant
}

std::vector<Placeholder> find_placeholders(std::string_view sql, PlaceholderStyle style) {
  return scan(sql, style).placeholders;
}

std::string neutralize_placeholders(std::string_view sql, PlaceholderStyle style) {
  Scan found = scan(sql, style);
  std::string out = apply_scan(sql, found);
  if (found.placeholders.empty()) {
    return out;
  }
  // When the statement does not parse, the guess nearest before the error may be wrong: try the
  // other role, one placeholder at a time, as long as that moves the error forward.
  std::optional<uint32_t> error = parse_error_offset(out);
  std::vector<bool> flipped(found.placeholders.size(), false);
  for (std::size_t attempt = 0; error && attempt < found.placeholders.size(); ++attempt) {
    std::optional<std::size_t> culprit;
    for (std::size_t k = 0; k < found.placeholders.size(); ++k) {
      if (found.placeholders[k].begin <= *error && !flipped[k]) {
        culprit = k;
      }
    }
    if (!culprit) {
      break;
    }
    flipped[*culprit] = true;
    Scan tried = found;
    tried.placeholders[*culprit].identifier = !tried.placeholders[*culprit].identifier;
    std::string candidate = apply_scan(sql, tried);
    std::optional<uint32_t> candidate_error = parse_error_offset(candidate);
    if (!candidate_error || *candidate_error > *error) {
      found = std::move(tried);
      out = std::move(candidate);
      error = candidate_error;
    }
  }
  return out;
}

std::optional<PlaceholderStyle> parse_placeholder_style(std::string_view text) {
  if (text == "dollar")
    return PlaceholderStyle::Dollar;
  if (text == "question")
    return PlaceholderStyle::Question;
  if (text == "colon")
    return PlaceholderStyle::Colon;
  if (text == "printf")
    return PlaceholderStyle::Printf;
  if (text == "fmt")
    return PlaceholderStyle::Fmt;
  return std::nullopt;
}

}  // namespace miglint
