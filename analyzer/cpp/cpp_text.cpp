#include "analyzer/cpp/cpp_text.hpp"

#include <algorithm>

#include "analyzer/cpp/front_end.hpp"

namespace miglint::cpp {

namespace {

bool is_identifier_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         (static_cast<unsigned char>(c) >= 0x80);
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  if (c >= 'a' && c <= 'f') {
    return c - 'a' + 10;
  }
  if (c >= 'A' && c <= 'F') {
    return c - 'A' + 10;
  }
  return -1;
}

void append_utf8(std::string& out, uint32_t code_point) {
  if (code_point < 0x80) {
    out += static_cast<char>(code_point);
  } else if (code_point < 0x800) {
    out += static_cast<char>(0xC0 | (code_point >> 6));
    out += static_cast<char>(0x80 | (code_point & 0x3F));
  } else if (code_point < 0x10000) {
    out += static_cast<char>(0xE0 | (code_point >> 12));
    out += static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code_point & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (code_point >> 18));
    out += static_cast<char>(0x80 | ((code_point >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code_point & 0x3F));
  }
}

// Skips backslash-newline line splices (translation phase 2) at `i`.
std::size_t skip_splices(std::string_view file, std::size_t i) {
  while (i + 1 < file.size() && file[i] == '\\' &&
         (file[i + 1] == '\n' || (file[i + 1] == '\r' && i + 2 < file.size() && file[i + 2] == '\n'))) {
    i += file[i + 1] == '\n' ? 2 : 3;
  }
  return i;
}

// Decodes one escape sequence starting at the backslash `i`; returns the index past it.
std::size_t decode_escape(std::string_view file, std::size_t i, std::string& out) {
  std::size_t j = i + 1;
  if (j >= file.size()) {
    return j;
  }
  char c = file[j];
  switch (c) {
    case 'n':
      out += '\n';
      return j + 1;
    case 't':
      out += '\t';
      return j + 1;
    case 'r':
      out += '\r';
      return j + 1;
    case 'a':
      out += '\a';
      return j + 1;
    case 'b':
      out += '\b';
      return j + 1;
    case 'f':
      out += '\f';
      return j + 1;
    case 'v':
      out += '\v';
      return j + 1;
    case 'e':
      out += '\x1b';
      return j + 1;
    case 'x': {
      uint32_t value = 0;
      ++j;
      while (j < file.size() && hex_value(file[j]) >= 0) {
        value = value * 16 + static_cast<uint32_t>(hex_value(file[j]));
        ++j;
      }
      out += static_cast<char>(value & 0xFF);
      return j;
    }
    case 'u':
    case 'U': {
      std::size_t digits = c == 'u' ? 4 : 8;
      uint32_t value = 0;
      ++j;
      for (std::size_t k = 0; k < digits && j < file.size() && hex_value(file[j]) >= 0; ++k, ++j) {
        value = value * 16 + static_cast<uint32_t>(hex_value(file[j]));
      }
      append_utf8(out, value);
      return j;
    }
    default:
      if (c >= '0' && c <= '7') {
        uint32_t value = 0;
        for (int k = 0; k < 3 && j < file.size() && file[j] >= '0' && file[j] <= '7'; ++k, ++j) {
          value = value * 8 + static_cast<uint32_t>(file[j] - '0');
        }
        out += static_cast<char>(value & 0xFF);
        return j;
      }
      out += c;  // \\ \" \' \? and unknown escapes
      return j + 1;
  }
}

}  // namespace

std::optional<DecodedLiteral> decode_string_literal(std::string_view file, uint32_t begin) {
  std::size_t i = begin;
  bool raw = false;
  if (file.substr(i).starts_with("u8")) {
    i += 2;
  }
  if (i < file.size() && file[i] == 'R') {
    raw = true;
    ++i;
  }
  if (i >= file.size() || file[i] != '"') {
    return std::nullopt;
  }
  ++i;
  DecodedLiteral literal;
  if (raw) {
    std::size_t open = file.find('(', i);
    if (open == std::string_view::npos) {
      return std::nullopt;
    }
    std::string closing = ")" + std::string(file.substr(i, open - i)) + "\"";
    std::size_t close = file.find(closing, open + 1);
    if (close == std::string_view::npos) {
      return std::nullopt;
    }
    for (std::size_t k = open + 1; k < close; ++k) {
      if (file[k] == '\r' && k + 1 < close && file[k + 1] == '\n') {
        continue;  // a CRLF source line ends in one newline
      }
      literal.bytes += file[k];
      literal.offsets.push_back(static_cast<uint32_t>(k));
    }
    i = close + closing.size();
  } else {
    while (true) {
      i = skip_splices(file, i);
      if (i >= file.size() || file[i] == '\n') {
        return std::nullopt;  // unterminated
      }
      if (file[i] == '"') {
        ++i;
        break;
      }
      std::size_t before = literal.bytes.size();
      std::size_t from = i;
      if (file[i] == '\\' && i + 1 < file.size() && file[i + 1] != '\n') {
        i = decode_escape(file, i, literal.bytes);
      } else {
        literal.bytes += file[i];
        ++i;
      }
      literal.offsets.resize(literal.bytes.size(), static_cast<uint32_t>(from));
      (void)before;
    }
  }
  while (i < file.size() && is_identifier_char(file[i])) {
    ++i;  // a ud-suffix: "..."sv, "..."s
  }
  literal.end = static_cast<uint32_t>(i);
  return literal;
}

std::vector<CppComment> scan_cpp_comments(std::string_view file) {
  std::vector<CppComment> comments;
  std::size_t i = 0;
  const std::size_t n = file.size();
  while (i < n) {
    char c = file[i];
    if (c == '/' && i + 1 < n && file[i + 1] == '/') {
      std::size_t end = i + 2;
      while (end < n && file[end] != '\n') {
        end = (file[end] == '\\' && end + 1 < n && file[end + 1] == '\n') ? end + 2 : end + 1;
      }
      std::size_t stop = end;
      if (stop > i && file[stop - 1] == '\r') {
        --stop;
      }
      comments.push_back({static_cast<uint32_t>(i), static_cast<uint32_t>(stop), true});
      i = end;
    } else if (c == '/' && i + 1 < n && file[i + 1] == '*') {
      std::size_t end = file.find("*/", i + 2);
      end = end == std::string_view::npos ? n : end + 2;
      comments.push_back({static_cast<uint32_t>(i), static_cast<uint32_t>(end), false});
      i = end;
    } else if (c == '"' || (c == 'R' && i + 1 < n && file[i + 1] == '"')) {
      if (c == 'R' || (i > 0 && file[i - 1] == 'R')) {
        std::size_t start = c == 'R' ? i : i - 1;
        if (auto literal = decode_string_literal(file, static_cast<uint32_t>(start))) {
          i = literal->end;
          continue;
        }
      }
      if (auto literal = decode_string_literal(file, static_cast<uint32_t>(i))) {
        i = literal->end;
      } else {
        ++i;
      }
    } else if (c == '\'') {
      // A character literal, unless it is a digit separator (1'000).
      if (i > 0 && is_identifier_char(file[i - 1])) {
        ++i;
        continue;
      }
      std::size_t j = i + 1;
      while (j < n && file[j] != '\'' && file[j] != '\n') {
        j += file[j] == '\\' ? 2 : 1;
      }
      i = j + 1;
    } else if (is_identifier_char(c)) {
      // Identifiers and numbers (a prefix such as u8R or LR followed by `"` is left for the quote).
      std::size_t j = i;
      while (j < n && is_identifier_char(file[j])) {
        ++j;
      }
      if (j < n && file[j] == '"' && j > i && file[j - 1] == 'R') {
        // u8R"(...)", LR"(...)": skip the raw string whatever its prefix.
        std::size_t open = file.find('(', j);
        if (open != std::string_view::npos) {
          std::string closing = ")" + std::string(file.substr(j + 1, open - j - 1)) + "\"";
          std::size_t close = file.find(closing, open);
          i = close == std::string_view::npos ? n : close + closing.size();
          continue;
        }
      }
      i = j;
    } else {
      ++i;
    }
  }
  return comments;
}

std::vector<QueryFunction> default_query_functions() {
  std::vector<QueryFunction> functions;
  for (const char* name : {"PQexec", "PQexecParams", "PQsendQuery", "PQsendQueryParams"}) {
    functions.push_back(QueryFunction{name, 1, PlaceholderStyle::Dollar, false, false});
  }
  for (const char* name : {"PQprepare", "PQsendPrepare"}) {
    functions.push_back(QueryFunction{name, 2, PlaceholderStyle::Dollar, false, false});
  }
  for (const char* name : {"exec", "exec0", "exec1", "exec_params"}) {
    functions.push_back(QueryFunction{name, 0, PlaceholderStyle::Dollar, std::nullopt, true});
  }
  // exec_n(rows, sql); prepare(name, sql), or prepare(sql) for the unnamed statement (the front end
  // takes the only argument then).
  functions.push_back(QueryFunction{"exec_n", 1, PlaceholderStyle::Dollar, std::nullopt, true});
  functions.push_back(QueryFunction{"prepare", 1, PlaceholderStyle::Dollar, std::nullopt, true});
  return functions;
}

bool is_cpp_path(std::string_view path, const CppSettings& settings) {
  return std::any_of(settings.extensions.begin(), settings.extensions.end(),
                     [&](const std::string& extension) { return path.ends_with(extension); });
}

}  // namespace miglint::cpp
