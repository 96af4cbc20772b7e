#pragma once

#include <array>
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

inline void append_json_string(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  std::size_t plain = 0;  // start of the run of bytes that need no escaping
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (!kNeedsJsonEscape[static_cast<unsigned char>(c)]) {
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
  }
  out.append(text.data() + plain, text.size() - plain);
  out += '"';
}

}  // namespace miglint
