#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace miglint {

// The length of the well-formed UTF-8 sequence at `at` (RFC 3629: no overlongs, no surrogates,
// nothing past U+10FFFF), with its code point in `value`; 0 when the bytes there are not one.
inline std::size_t utf8_sequence_length(std::string_view text, std::size_t at, uint32_t& value) {
  auto byte = static_cast<unsigned char>(text[at]);
  std::size_t length = 0;
  uint32_t min_value = 0;
  if (byte < 0x80) {
    value = byte;
    return 1;
  }
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

// Code points that reports show escaped although they are well-formed UTF-8: C1 controls (U+009B is
// a terminal's CSI), and the ones that reorder or break a displayed line (bidirectional embeddings,
// overrides and isolates, line and paragraph separators).
inline bool is_hidden_control(uint32_t value) {
  return (value >= 0x80 && value <= 0x9F) || (value >= 0x202A && value <= 0x202E) ||
         (value >= 0x2066 && value <= 0x2069) || value == 0x2028 || value == 0x2029;
}

}  // namespace miglint
