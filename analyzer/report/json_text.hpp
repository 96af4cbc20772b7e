#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "analyzer/text/utf8.hpp"

namespace miglint {

// Appends `text` as a JSON string literal (quotes included), valid JSON whatever the bytes, and safe
// to read in a terminal:
// - quotes, backslashes and C0 controls are escaped as JSON requires (`\n`, `\u001b`);
// - DEL, C1 controls and the code points that reorder or break a displayed line (the ones
//   escape_for_message shows escaped) are written as `\uXXXX` too: JSON allows it, and a report
//   read with `cat` can then carry no terminal escape sequence;
// - a byte that is not UTF-8 (a file name's, say: file contents are checked on load) becomes U+FFFD,
//   the replacement character, as the JSON library's `replace` handler does for the SARIF report.
// Written by hand because the JSON reporter is on the hot path: a DOM per finding cost as much as
// parsing. Bytes that need a look: quotes, backslashes, control characters, DEL, non-ASCII.
inline constexpr auto kNeedsJsonEscape = [] {
  std::array<bool, 256> table{};
  for (int c = 0; c < 0x20; ++c) {
    table[static_cast<std::size_t>(c)] = true;
  }
  for (int c = 0x7F; c < 0x100; ++c) {
    table[static_cast<std::size_t>(c)] = true;
  }
  table['"'] = true;
  table['\\'] = true;
  return table;
}();

// Whether any of the 8 bytes in `word` needs a look (exact: a borrow can only mark bytes after one
// that does). Messages and help texts rarely hold any, so they are copied 8 bytes per test.
inline bool word_needs_json_escape(uint64_t word) {
  constexpr uint64_t kOnes = 0x0101010101010101ULL;
  constexpr uint64_t kHigh = 0x8080808080808080ULL;
  auto has_zero_byte = [](uint64_t v) { return ((v - kOnes) & ~v & kHigh) != 0; };
  bool control = ((word - kOnes * 0x20) & ~word & kHigh) != 0;  // a byte < 0x20
  return control || (word & kHigh) != 0 || has_zero_byte(word ^ (kOnes * '"')) ||
         has_zero_byte(word ^ (kOnes * '\\')) || has_zero_byte(word ^ (kOnes * 0x7F));
}

inline void append_json_string(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  auto append_u_escape = [&](uint32_t value) {
    out += "\\u";
    out += kHex[(value >> 12U) & 0xFU];
    out += kHex[(value >> 8U) & 0xFU];
    out += kHex[(value >> 4U) & 0xFU];
    out += kHex[value & 0xFU];
  };
  out += '"';
  std::size_t plain = 0;  // start of the run of bytes that need no escaping
  std::size_t i = 0;
  while (i < text.size()) {
    if (i + 8 <= text.size()) {
      uint64_t word = 0;
      std::memcpy(&word, text.data() + i, 8);
      if (!word_needs_json_escape(word)) {
        i += 8;
        continue;
      }
    }
    char c = text[i];
    auto byte = static_cast<unsigned char>(c);
    if (!kNeedsJsonEscape[byte]) {
      ++i;
      continue;
    }
    if (byte >= 0x80) {
      uint32_t value = 0;
      std::size_t length = utf8_sequence_length(text, i, value);
      if (length != 0 && !is_hidden_control(value)) {
        i += length;  // well-formed UTF-8, kept as it is
        continue;
      }
      out.append(text.data() + plain, i - plain);
      if (length == 0) {
        out += "\xEF\xBF\xBD";  // U+FFFD for a byte that is not UTF-8
        length = 1;
      } else {
        append_u_escape(value);
      }
      i += length;
      plain = i;
      continue;
    }
    out.append(text.data() + plain, i - plain);
    plain = i + 1;
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        append_u_escape(byte);  // other C0 controls and DEL
    }
    ++i;
  }
  out.append(text.data() + plain, text.size() - plain);
  out += '"';
}

// The text of a JSON document written by the JSON library (dumped with its `replace` handler, so
// already valid UTF-8), with the characters append_json_string writes as `\uXXXX` escaped the same
// way. JSON's structure is ASCII, so they can only be inside strings, where the escape is exact.
inline std::string terminal_safe_json(std::string_view json) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(json.size());
  std::size_t plain = 0;
  std::size_t i = 0;
  while (i < json.size()) {
    auto byte = static_cast<unsigned char>(json[i]);
    if (byte < 0x7F) {
      ++i;
      continue;
    }
    uint32_t value = byte;
    std::size_t length = byte == 0x7F ? 1 : utf8_sequence_length(json, i, value);
    if (length != 0 && byte != 0x7F && !is_hidden_control(value)) {
      i += length;
      continue;
    }
    out.append(json.data() + plain, i - plain);
    if (length == 0) {
      out += "\xEF\xBF\xBD";
      length = 1;
    } else {
      out += {'\\',
              'u',
              kHex[(value >> 12U) & 0xFU],
              kHex[(value >> 8U) & 0xFU],
              kHex[(value >> 4U) & 0xFU],
              kHex[value & 0xFU]};
    }
    i += length;
    plain = i;
  }
  out.append(json.data() + plain, json.size() - plain);
  return out;
}

}  // namespace miglint
