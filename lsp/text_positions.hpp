#pragma once

// Positions as the Language Server Protocol counts them: a 0-based line and a 0-based character
// offset in UTF-16 code units (a character outside the Basic Multilingual Plane counts two), while
// miglint's findings and fixes carry byte offsets of the file.
#include <cstdint>
#include <string_view>
#include <vector>

namespace miglint::lsp {

struct LspPosition {
  uint32_t line = 0;
  uint32_t character = 0;
};

class LineIndex {
 public:
  // `text` must outlive the index. Lines end at "\n", "\r\n" or a lone "\r", as LSP reads them.
  explicit LineIndex(std::string_view text);

  LspPosition position(uint32_t byte_offset) const;
  // The byte offset of a position; a character past the line's end is its end, a line past the
  // text's end is the end of the text.
  uint32_t offset(LspPosition position) const;

 private:
  std::string_view text_;
  std::vector<uint32_t> line_starts_;
  // Where each line's text ends (its terminator excluded).
  uint32_t line_end(std::size_t line) const;
};

}  // namespace miglint::lsp
