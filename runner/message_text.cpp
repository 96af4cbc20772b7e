#include "runner/message_text.hpp"

#include <fmt/format.h>

namespace miglint::runner {

namespace {

// The length of the well-formed UTF-8 sequence at `at` (RFC 3629), or 0.
std::size_t utf8_length(std::string_view text, std::size_t at, uint32_t& value) {
  auto byte = static_cast<unsigned char>(text[at]);
  std::size_t length = 0;
  uint32_t min_value = 0;
  if ((byte & 0xE0U) == 0xC0U) {
    length = 2, min_value = 0x80, value = byte & 0x1FU;
  } else if ((byte & 0xF0U) == 0xE0U) {
    length = 3, min_value = 0x800, value = byte & 0x0FU;
  } else if ((byte & 0xF8U) == 0xF0U) {
    length = 4, min_value = 0x10000, value = byte & 0x07U;
  } else {
    return 0;
  }
  if (at + length > text.size()) {
    return 0;
  }
  for (std::size_t k = 1; k < length; ++k) {
    auto next = static_cast<unsigned char>(text[at + k]);
    if ((next & 0xC0U) != 0x80U) {
      return 0;
    }
    value = (value << 6U) | (next & 0x3FU);
  }
  if (value < min_value || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF)) {
    return 0;
  }
  return length;
}

}  // namespace

std::string escape_for_message(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    auto byte = static_cast<unsigned char>(text[i]);
    if (byte >= 0x20 && byte < 0x7F) {
      out += static_cast<char>(byte);
      ++i;
      continue;
    }
    if (byte == '\n') {
      out += "\\n";
    } else if (byte == '\r') {
      out += "\\r";
    } else if (byte == '\t') {
      out += "\\t";
    } else if (byte < 0x80) {
      out += fmt::format("\\x{:02x}", byte);  // C0 controls and DEL
    } else {
      uint32_t value = 0;
      std::size_t length = utf8_length(text, i, value);
      if (length == 0) {
        out += fmt::format("\\x{:02x}", byte);  // not UTF-8
      } else if (value >= 0x80 && value <= 0x9F) {
        out += fmt::format("\\u{:04x}", value);  // C1 controls (U+009B is a terminal's CSI)
        i += length;
        continue;
      } else {
        out.append(text.substr(i, length));
        i += length;
        continue;
      }
    }
    ++i;
  }
  return out;
}

}  // namespace miglint::runner
