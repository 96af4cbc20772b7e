#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace miglint {

// Appends `text` as a JSON string literal (quotes included). The text is valid UTF-8 (inputs are
// checked on load), so only quotes, backslashes and control characters need escaping. Written by
// hand because the JSON reporter is on the hot path: a DOM per finding cost as much as parsing.
// Bytes that JSON strings escape: quotes, backslashes, control characters (one table lookup per byte).
inline constexpr auto kNeedsJsonEscape = [] {
  std::array<bool, 256> table{};
  for (int c = 0; c < 0x20; ++c) {
    table[static_cast<std::size_t>(c)] = true;
  }
  table['"'] = true;
  table['\\'] = true;
  return table;
}();

// Whether any of the 8 bytes in `word` needs escaping (exact: a borrow can only mark bytes after
// one that does). Messages and help texts rarely hold any, so they are copied 8 bytes per test.
inline bool word_needs_json_escape(uint64_t word) {
  constexpr uint64_t kOnes = 0x0101010101010101ULL;
  constexpr uint64_t kHigh = 0x8080808080808080ULL;
  auto has_zero_byte = [](uint64_t v) { return ((v - kOnes) & ~v & kHigh) != 0; };
  bool control = ((word - kOnes * 0x20) & ~word & kHigh) != 0;  // a byte < 0x20
  return control || has_zero_byte(word ^ (kOnes * '"')) || has_zero_byte(word ^ (kOnes * '\\'));
}

inline void append_json_string(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
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
    if (!kNeedsJsonEscape[static_cast<unsigned char>(c)]) {
      ++i;
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
        out += "\\u00";
        out += kHex[(static_cast<unsigned char>(c) >> 4U) & 0xFU];
        out += kHex[static_cast<unsigned char>(c) & 0xFU];
    }
    ++i;
  }
  out.append(text.data() + plain, text.size() - plain);
  out += '"';
}

}  // namespace miglint
