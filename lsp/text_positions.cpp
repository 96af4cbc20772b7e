#include "lsp/text_positions.hpp"

#include <algorithm>

namespace miglint::lsp {

namespace {

// The length in bytes of the UTF-8 sequence led by `lead` (1 for stray continuation bytes, which
// then count as one code unit each, as an editor that replaced them would show them).
uint32_t sequence_length(unsigned char lead) {
  return lead < 0xC0 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
}

}  // namespace

LineIndex::LineIndex(std::string_view text) : text_(text) {
  line_starts_.push_back(0);
  for (uint32_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n') {
      line_starts_.push_back(i + 1);
    } else if (text[i] == '\r' && (i + 1 == text.size() || text[i + 1] != '\n')) {
      line_starts_.push_back(i + 1);
    }
  }
}

uint32_t LineIndex::line_end(std::size_t line) const {
  uint32_t end =
      line + 1 < line_starts_.size() ? line_starts_[line + 1] : static_cast<uint32_t>(text_.size());
  while (end > line_starts_[line] && (text_[end - 1] == '\n' || text_[end - 1] == '\r')) {
    --end;
  }
  return end;
}

LspPosition LineIndex::position(uint32_t byte_offset) const {
  byte_offset = std::min<uint32_t>(byte_offset, static_cast<uint32_t>(text_.size()));
  auto after = std::upper_bound(line_starts_.begin(), line_starts_.end(), byte_offset);
  auto line = static_cast<uint32_t>(after - line_starts_.begin() - 1);
  uint32_t end = std::min(byte_offset, line_end(line));
  uint32_t units = 0;
  for (uint32_t i = line_starts_[line]; i < end;) {
    uint32_t length = sequence_length(static_cast<unsigned char>(text_[i]));
    units += length == 4 ? 2 : 1;
    i += length;
  }
  return LspPosition{line, units};
}

uint32_t LineIndex::offset(LspPosition position) const {
  if (position.line >= line_starts_.size()) {
    return static_cast<uint32_t>(text_.size());
  }
  uint32_t i = line_starts_[position.line];
  uint32_t end = line_end(position.line);
  uint32_t units = 0;
  while (i < end && units < position.character) {
    uint32_t length = sequence_length(static_cast<unsigned char>(text_[i]));
    units += length == 4 ? 2 : 1;
    i = std::min(end, i + length);
  }
  return i;
}

}  // namespace miglint::lsp
