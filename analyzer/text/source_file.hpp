#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "analyzer/text/expected.hpp"

namespace miglint {

// A 1-based line and a 1-based column counted in Unicode code points.
struct Position {
  uint32_t line = 1;
  uint32_t column = 1;
  friend auto operator<=>(const Position&, const Position&) = default;
};

// A half-open byte range [begin, end) in a source file.
struct ByteSpan {
  uint32_t begin = 0;
  uint32_t end = 0;
};

// One input file: owns its bytes and converts byte offsets to line:column. A UTF-8 byte-order mark
// at the start is accepted and ignored: text() has three spaces in its place (offsets stay the
// file's), and line 1 column 1 is the first character after it. Copies share the bytes.
class SourceFile {
 public:
  SourceFile(std::string path, std::string bytes);
  // Shares `bytes` rather than copying them: the runner reads a migration once and hashes, plans,
  // vets and runs that one copy (a file of tens of megabytes held once, not once per use). A file
  // that starts with a byte-order mark is copied (its text is not its bytes).
  SourceFile(std::string path, std::shared_ptr<const std::string> bytes);

  const std::string& path() const { return path_; }
  std::string_view text() const { return bytes(); }
  const char* c_str() const { return bytes().c_str(); }
  std::size_t size() const { return bytes().size(); }

  Position position(uint32_t offset) const;
  // The text of the line holding `offset`, without its line terminator.
  std::string_view line_text(uint32_t line) const;

 private:
  const std::string& bytes() const;
  void index_lines(uint32_t first_line_start);

  // Code points in [begin, end) of one line.
  uint32_t code_points_between(uint32_t begin, uint32_t end) const;

  std::string path_;
  std::shared_ptr<const std::string> bytes_;  // null only once moved from
  std::vector<uint32_t> line_starts_;
  // For files with a line longer than kCountedBlock bytes: the UTF-8 continuation bytes before each
  // block of kCountedBlock bytes. A column is then counted from the nearest block, not from the
  // line's start (a one-line file of 100,000 statements made every finding's column a walk over the
  // file: 28,000 findings took 6 seconds).
  static constexpr uint32_t kCountedBlock = 1024;
  std::vector<uint32_t> continuations_before_block_;
};

// Why bytes are not accepted as SQL text, or an empty string when they are.
std::string check_text_encoding(std::string_view bytes);

// Files larger than this are refused rather than read (`[lint] max_file_size` in miglint.toml).
inline constexpr uint64_t kDefaultMaxFileSize = uint64_t{100} << 20;
// The largest limit that can be configured: offsets in a file are 32-bit.
inline constexpr uint64_t kLargestMaxFileSize = uint64_t{2} << 30;

// Why `size` bytes are too many for the limit `max_bytes` ("file is 150 MB, more than ...").
std::string file_too_large_message(uint64_t size, uint64_t max_bytes);

// Reads a file's bytes as they are (the runner hashes them); the error says why, not which file.
// A file larger than `max_bytes` is an error (found from its size before reading it, or while
// reading what does not say its size).
Expected<std::string> read_file_bytes(const std::string& filesystem_path,
                                      uint64_t max_bytes = kDefaultMaxFileSize);

// Reads a file and checks that it is UTF-8 text. `display_path` is the path reported to the user.
Expected<SourceFile> load_source_file(const std::string& filesystem_path, std::string display_path,
                                      uint64_t max_bytes = kDefaultMaxFileSize);
Expected<SourceFile> source_from_bytes(std::string display_path, std::string bytes,
                                       uint64_t max_bytes = kDefaultMaxFileSize);
// The same, sharing the bytes (SourceFile's second constructor).
Expected<SourceFile> source_from_shared_bytes(std::string display_path,
                                              std::shared_ptr<const std::string> bytes,
                                              uint64_t max_bytes = kDefaultMaxFileSize);

// Number of code points in a UTF-8 string (bytes that start a code point).
uint32_t count_code_points(std::string_view text);
// Byte offset of the `chars`-th code point (0-based) in text; text.size() when past the end.
uint32_t byte_offset_of_char(std::string_view text, uint32_t chars);

}  // namespace miglint
