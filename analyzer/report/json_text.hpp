#pragma once

#include <string>
#include <string_view>

namespace miglint {

// Appends `text` as a JSON string literal (quotes included). The text is valid UTF-8 (inputs are
// checked on load), so only quotes, backslashes and control characters need escaping. Written by
// hand because the JSON reporter is on the hot path: a DOM per finding cost as much as parsing.
inline void append_json_string(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  for (char c : text) {
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
        if (static_cast<unsigned char>(c) < 0x20) {
          out += "\\u00";
          out += kHex[(static_cast<unsigned char>(c) >> 4U) & 0xFU];
          out += kHex[static_cast<unsigned char>(c) & 0xFU];
        } else {
          out += c;
        }
    }
  }
  out += '"';
}

}  // namespace miglint
