#pragma once

// C++ source text without Clang: string literals decoded with a map from each decoded byte back to
// the file, and comments found. Shared by miglint (ignore comments) and the Clang front end
// (literal bytes and their positions).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace miglint::cpp {

// The bytes of a narrow string literal token (ordinary or u8, raw or not, with or without a
// ud-suffix such as `sv`) and, for each byte, the file offset of the source character it comes
// from: itself, or the backslash of its escape sequence.
struct DecodedLiteral {
  std::string bytes;
  std::vector<uint32_t> offsets;
  uint32_t end = 0;  // just past the token (suffix included)
};

// Decodes the string literal token that starts at `begin` in `file`. nullopt when no narrow string
// literal starts there (wide and UTF-16/32 literals are not SQL text miglint can read).
std::optional<DecodedLiteral> decode_string_literal(std::string_view file, uint32_t begin);

struct CppComment {
  uint32_t begin = 0;
  uint32_t end = 0;  // `//` comments end before the newline
  bool line_comment = true;
};

// The comments of a C++ file, in order (string and character literals, raw strings included, are
// skipped so that `"// not a comment"` is not one).
std::vector<CppComment> scan_cpp_comments(std::string_view file);

}  // namespace miglint::cpp
