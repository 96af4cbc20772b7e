#include "analyzer/text/message_text.hpp"

#include <fmt/format.h>

#include <cstdint>

#include "analyzer/text/utf8.hpp"

namespace miglint {

std::size_t append_escaped_character(std::string& out, std::string_view text, std::size_t at) {
  auto byte = static_cast<unsigned char>(text[at]);
  if (byte >= 0x20 && byte < 0x7F) {
    out += static_cast<char>(byte);
    return 1;
  }
  if (byte == '\n') {
    out += "\\n";
    return 1;
  }
  if (byte == '\r') {
    out += "\\r";
    return 1;
  }
  if (byte == '\t') {
    out += "\\t";
    return 1;
  }
  if (byte < 0x80) {
    out += fmt::format("\\x{:02x}", byte);  // C0 controls and DEL
    return 1;
  }
  uint32_t value = 0;
  std::size_t length = utf8_sequence_length(text, at, value);
  if (length == 0) {
    out += fmt::format("\\x{:02x}", byte);  // not UTF-8
    return 1;
  }
  if (is_hidden_control(value)) {
    out += fmt::format("\\u{:04x}", value);
  } else {
    out.append(text.substr(at, length));
  }
  return length;
}

bool needs_message_escaping(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    auto byte = static_cast<unsigned char>(text[i]);
    if (byte >= 0x20 && byte < 0x7F) {
      ++i;
      continue;
    }
    if (byte < 0x80) {
      return true;
    }
    uint32_t value = 0;
    std::size_t length = utf8_sequence_length(text, i, value);
    if (length == 0 || is_hidden_control(value)) {
      return true;
    }
    i += length;
  }
  return false;
}

void append_escaped_for_message(std::string& out, std::string_view text) {
  if (!needs_message_escaping(text)) {
    out.append(text);  // the common case: one scan, one copy
    return;
  }
  out.reserve(out.size() + text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    i += append_escaped_character(out, text, i);
  }
}

std::string escape_for_message(std::string_view text) {
  std::string out;
  append_escaped_for_message(out, text);
  return out;
}

std::string escape_each_line(std::string_view text) {
  std::string out;
  std::size_t at = 0;
  while (at < text.size()) {
    std::size_t end = text.find('\n', at);
    append_escaped_for_message(out, text.substr(at, end == std::string_view::npos ? end : end - at));
    if (end == std::string_view::npos) {
      break;
    }
    out += '\n';
    at = end + 1;
  }
  return out;
}

std::string statement_label(std::string_view sql) {
  constexpr std::size_t kWidth = 72;
  std::string label;
  bool space = false;
  for (char c : sql) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      space = !label.empty();
      continue;
    }
    if (space) {
      label += ' ';
      space = false;
    }
    label += c;
    if (label.size() > kWidth) {
      // Cut at a code point boundary.
      while (!label.empty() && (static_cast<unsigned char>(label.back()) & 0xC0) == 0x80) {
        label.pop_back();
      }
      if (!label.empty()) {
        label.pop_back();
      }
      return escape_for_message(label) + " ...";
    }
  }
  return escape_for_message(label);
}

}  // namespace miglint
