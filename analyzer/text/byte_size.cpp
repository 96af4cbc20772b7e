#include "analyzer/text/byte_size.hpp"

#include <fmt/format.h>

#include "analyzer/text/ascii.hpp"

namespace miglint {

std::optional<uint64_t> parse_byte_size(std::string_view text) {
  std::size_t i = 0;
  uint64_t number = 0;
  while (i < text.size() && is_ascii_digit(text[i])) {
    number = number * 10 + static_cast<uint64_t>(text[i] - '0');
    if (number > (uint64_t{1} << 62)) {
      return std::nullopt;
    }
    ++i;
  }
  if (i == 0) {
    return std::nullopt;
  }
  while (i < text.size() && text[i] == ' ') {
    ++i;
  }
  std::string unit;
  for (; i < text.size(); ++i) {
    unit += ascii_lower(text[i]);
  }
  unsigned shift = 0;
  if (unit.empty() || unit == "b") {
    shift = 0;
  } else if (unit == "kb" || unit == "kib" || unit == "k") {
    shift = 10;
  } else if (unit == "mb" || unit == "mib" || unit == "m") {
    shift = 20;
  } else if (unit == "gb" || unit == "gib" || unit == "g") {
    shift = 30;
  } else {
    return std::nullopt;
  }
  if (number > ((uint64_t{1} << 62) >> shift)) {
    return std::nullopt;
  }
  return number << shift;
}

std::string describe_byte_size(uint64_t bytes) {
  static constexpr const char* kUnits[] = {"bytes", "KB", "MB", "GB"};
  unsigned unit = 0;
  double value = static_cast<double>(bytes);
  while (unit + 1 < std::size(kUnits) && value >= 1024) {
    value /= 1024;
    ++unit;
  }
  return unit == 0 ? fmt::format("{} bytes", bytes) : fmt::format("{:.3g} {}", value, kUnits[unit]);
}

}  // namespace miglint
