#include "analyzer/text/duration.hpp"

#include <fmt/format.h>

#include <charconv>
#include <cmath>

namespace miglint {

std::optional<std::chrono::milliseconds> parse_duration(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) {
    text.remove_prefix(1);
  }
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) {
    text.remove_suffix(1);
  }
  if (text == "none" || text == "off") {
    return std::chrono::milliseconds(0);
  }
  std::size_t number_end = 0;
  while (number_end < text.size() &&
         ((text[number_end] >= '0' && text[number_end] <= '9') || text[number_end] == '.')) {
    ++number_end;
  }
  if (number_end == 0) {
    return std::nullopt;
  }
  double value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + number_end, value);
  if (error != std::errc() || end != text.data() + number_end) {
    return std::nullopt;
  }
  std::string_view unit = text.substr(number_end);
  double scale = 0;
  if (unit.empty() || unit == "ms") {
    scale = 1;
  } else if (unit == "s") {
    scale = 1000;
  } else if (unit == "min" || unit == "m") {
    scale = 60'000;
  } else if (unit == "h") {
    scale = 3'600'000;
  } else {
    return std::nullopt;
  }
  double milliseconds = value * scale;
  // PostgreSQL's timeouts are int milliseconds: anything longer cannot be set.
  if (!std::isfinite(milliseconds) || milliseconds > 2147483647.0) {
    return std::nullopt;
  }
  return std::chrono::milliseconds(static_cast<int64_t>(std::llround(milliseconds)));
}

std::string postgres_duration(std::chrono::milliseconds duration) {
  return duration.count() == 0 ? std::string("0") : fmt::format("{}ms", duration.count());
}

}  // namespace miglint
