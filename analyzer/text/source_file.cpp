#include "analyzer/text/source_file.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <simdjson.h>
#include <sys/stat.h>
#include <unistd.h>

#include "analyzer/text/byte_size.hpp"
#include "analyzer/text/utf8.hpp"

namespace miglint {

namespace {

bool is_continuation(unsigned char byte) {
  return (byte & 0xC0U) == 0x80U;
}

}  // namespace

SourceFile::SourceFile(std::string path, std::string bytes) : path_(std::move(path)) {
  // A UTF-8 byte-order mark is not SQL (PostgreSQL's lexer would read it as part of the first
  // word): it becomes three spaces, so that every byte offset stays the file's own, and line 1
  // starts after it, so that column 1 is the first character after it. Callers that hash or run
  // the file use its bytes, not this text.
  const bool byte_order_mark = bytes.starts_with("\xEF\xBB\xBF");
  if (byte_order_mark) {
    bytes.replace(0, 3, "   ");
  }
  bytes_ = std::make_shared<const std::string>(std::move(bytes));
  index_lines(byte_order_mark ? 3 : 0);
}

SourceFile::SourceFile(std::string path, std::shared_ptr<const std::string> bytes)
    : path_(std::move(path)), bytes_(std::move(bytes)) {
  const bool byte_order_mark = bytes_ != nullptr && bytes_->starts_with("\xEF\xBB\xBF");
  if (bytes_ == nullptr) {
    bytes_ = std::make_shared<const std::string>();
  } else if (byte_order_mark) {
    std::string text = *bytes_;  // the caller's bytes stay the file's (they are hashed)
    text.replace(0, 3, "   ");
    bytes_ = std::make_shared<const std::string>(std::move(text));
  }
  index_lines(byte_order_mark ? 3 : 0);
}

const std::string& SourceFile::bytes() const {
  static const std::string kNone;
  return bytes_ != nullptr ? *bytes_ : kNone;
}

void SourceFile::index_lines(uint32_t first_line_start) {
  line_starts_.push_back(first_line_start);
  const char* begin = bytes_->data();
  const char* end = begin + bytes_->size();
  uint32_t longest_line = 0;
  for (const char* at = begin; (at = static_cast<const char*>(std::memchr(at, '\n', end - at))) != nullptr;) {
    ++at;
    longest_line = std::max(longest_line, static_cast<uint32_t>(at - begin) - line_starts_.back());
    line_starts_.push_back(static_cast<uint32_t>(at - begin));
  }
  longest_line = std::max(longest_line, static_cast<uint32_t>(end - begin) - line_starts_.back());
  if (longest_line > kCountedBlock) {
    // One entry for every block start up to the end of the file (an offset may be the end).
    continuations_before_block_.reserve(bytes_->size() / kCountedBlock + 1);
    uint32_t continuations = 0;
    for (std::size_t i = 0; i <= bytes_->size(); ++i) {
      if (i % kCountedBlock == 0) {
        continuations_before_block_.push_back(continuations);
      }
      if (i < bytes_->size()) {
        continuations += is_continuation(static_cast<unsigned char>((*bytes_)[i])) ? 1 : 0;
      }
    }
  }
}

uint32_t SourceFile::code_points_between(uint32_t begin, uint32_t end) const {
  if (end - begin <= 2 * kCountedBlock || continuations_before_block_.empty()) {
    return count_code_points(std::string_view(bytes().data() + begin, end - begin));
  }
  // Continuation bytes before `offset`: those before its block, and those in it up to it.
  auto continuations_before = [&](uint32_t offset) {
    uint32_t block_start = offset / kCountedBlock * kCountedBlock;
    std::string_view in_block(bytes().data() + block_start, offset - block_start);
    return continuations_before_block_[offset / kCountedBlock] + (offset - block_start) -
           count_code_points(in_block);
  };
  return (end - begin) - (continuations_before(end) - continuations_before(begin));
}

Position SourceFile::position(uint32_t offset) const {
  offset = std::clamp<uint32_t>(offset, line_starts_.front(), static_cast<uint32_t>(bytes().size()));
  auto it = std::upper_bound(line_starts_.begin(), line_starts_.end(), offset);
  auto line_index = static_cast<uint32_t>(std::distance(line_starts_.begin(), it) - 1);
  uint32_t line_start = line_starts_[line_index];
  return Position{line_index + 1, code_points_between(line_start, offset) + 1};
}

std::string_view SourceFile::line_text(uint32_t line) const {
  if (line == 0 || line > line_starts_.size()) {
    return {};
  }
  uint32_t begin = line_starts_[line - 1];
  uint32_t end = line < line_starts_.size() ? line_starts_[line] : static_cast<uint32_t>(bytes().size());
  std::string_view text(bytes().data() + begin, end - begin);
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) {
    text.remove_suffix(1);
  }
  return text;
}

uint32_t count_code_points(std::string_view text) {
  uint32_t count = 0;
  for (char c : text) {
    count += is_continuation(static_cast<unsigned char>(c)) ? 0 : 1;
  }
  return count;
}

uint32_t byte_offset_of_char(std::string_view text, uint32_t chars) {
  uint32_t seen = 0;
  for (uint32_t i = 0; i < text.size(); ++i) {
    if (!is_continuation(static_cast<unsigned char>(text[i]))) {
      if (seen == chars) {
        return i;
      }
      ++seen;
    }
  }
  return static_cast<uint32_t>(text.size());
}

std::string check_text_encoding(std::string_view bytes) {
  if (bytes.size() > UINT32_MAX / 2) {
    return "file is too large to lint";
  }
  // A NUL byte anywhere means a binary file, whatever else is wrong with it.
  const void* nul_at = std::memchr(bytes.data(), '\0', bytes.size());
  if (nul_at != nullptr) {
    std::size_t nul = static_cast<const char*>(nul_at) - bytes.data();
    std::size_t line_start = bytes.rfind('\n', nul == 0 ? 0 : nul - 1);
    line_start = line_start == std::string_view::npos || nul == 0 ? 0 : line_start + 1;
    return fmt::format("binary file (NUL byte at line {}, column {}), not SQL text",
                       1 + std::count(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(nul), '\n'),
                       1 + count_code_points(bytes.substr(line_start, nul - line_start)));
  }
  // The common case, valid text, in one SIMD pass (simdjson validates RFC 3629 UTF-8: no overlongs,
  // no surrogates, nothing past U+10FFFF); the byte loop below only runs to say where it breaks.
  if (simdjson::validate_utf8(bytes.data(), bytes.size())) {
    return {};
  }
  std::size_t line = 1;
  std::size_t line_start = 0;
  std::size_t i = 0;
  while (i < bytes.size()) {
    auto byte = static_cast<unsigned char>(bytes[i]);
    if (byte == '\n') {
      ++line;
      line_start = i + 1;
    }
    if (byte < 0x80) {
      ++i;
      continue;
    }
    uint32_t value = 0;
    std::size_t length = utf8_sequence_length(bytes, i, value);
    if (length == 0) {
      return fmt::format("invalid UTF-8 at line {}, column {} (byte offset {})", line,
                         1 + count_code_points(bytes.substr(line_start, i - line_start)), i);
    }
    i += length;
  }
  return {};
}

std::string file_too_large_message(uint64_t size, uint64_t max_bytes) {
  return fmt::format("file is {}, more than the {} miglint reads ([lint] max_file_size in miglint.toml)",
                     describe_byte_size(size), describe_byte_size(max_bytes));
}

namespace {

// Why `text` cannot be linted as a source file (too large, or not text), or "" when it can: the
// one check of both ways of making a SourceFile from bytes.
std::string why_not_text(const std::string& text, uint64_t max_bytes) {
  if (text.size() > max_bytes) {
    return file_too_large_message(text.size(), max_bytes);
  }
  return check_text_encoding(text);
}

}  // namespace

Expected<SourceFile> source_from_shared_bytes(std::string display_path,
                                              std::shared_ptr<const std::string> bytes, uint64_t max_bytes) {
  if (bytes == nullptr) {
    bytes = std::make_shared<const std::string>();
  }
  if (std::string problem = why_not_text(*bytes, max_bytes); !problem.empty()) {
    return Error{std::move(problem)};
  }
  return SourceFile(std::move(display_path), std::move(bytes));
}

Expected<SourceFile> source_from_bytes(std::string display_path, std::string bytes, uint64_t max_bytes) {
  if (std::string problem = why_not_text(bytes, max_bytes); !problem.empty()) {
    return Error{std::move(problem)};
  }
  return SourceFile(std::move(display_path), std::move(bytes));
}

namespace {

// Why a file of this type is not read, or nullptr for a regular file.
const char* not_regular(mode_t mode) {
  if (S_ISREG(mode)) {
    return nullptr;
  }
  if (S_ISDIR(mode)) {
    return "cannot read file: Is a directory";
  }
  if (S_ISFIFO(mode)) {
    return "not a regular file but a named pipe (FIFO); pipe it to `-` (standard input) instead";
  }
  if (S_ISCHR(mode)) {
    return "not a regular file but a character device";
  }
  if (S_ISBLK(mode)) {
    return "not a regular file but a block device";
  }
  if (S_ISSOCK(mode)) {
    return "not a regular file but a socket";
  }
  return "not a regular file";
}

}  // namespace

Expected<std::string> read_file_bytes(const std::string& filesystem_path, uint64_t max_bytes) {
  // Only regular files are read: opening a FIFO blocks until a writer comes, reading /dev/zero
  // never ends, and opening some devices does something. The type is checked before opening, and
  // again on what was opened (non-blocking, so that a file swapped for a FIFO in between cannot
  // block the open either).
  struct stat info {};
  if (::stat(filesystem_path.c_str(), &info) == 0 && not_regular(info.st_mode) != nullptr) {
    return Error{not_regular(info.st_mode)};
  }
  // open/fstat/read straight into a string of the file's size: an ifstream and a stringstream
  // cost more than the read itself on the small files migrations are.
  int fd = ::open(filesystem_path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  if (fd < 0) {
    return Error{fmt::format("cannot read file: {}", std::strerror(errno))};
  }
  auto fail = [fd](int error) {
    ::close(fd);
    return Error{fmt::format("cannot read file: {}", std::strerror(error))};
  };
  if (::fstat(fd, &info) != 0) {
    return fail(errno);
  }
  if (const char* why = not_regular(info.st_mode)) {
    ::close(fd);
    return Error{why};
  }
  if (S_ISREG(info.st_mode) && static_cast<uint64_t>(info.st_size) > max_bytes) {
    ::close(fd);
    return Error{file_too_large_message(static_cast<uint64_t>(info.st_size), max_bytes)};
  }
  std::string bytes;
  // The size is a hint (special files say 0, a file may grow while read): read until end of file.
  std::size_t capacity = S_ISREG(info.st_mode) ? static_cast<std::size_t>(info.st_size) + 1 : 4096;
  bytes.resize(capacity);
  std::size_t used = 0;
  while (true) {
    if (used == bytes.size()) {
      bytes.resize(bytes.size() * 2);
    }
    ssize_t got = ::read(fd, bytes.data() + used, bytes.size() - used);
    if (got < 0) {
      if (errno == EINTR) {
        continue;
      }
      return fail(errno);
    }
    if (got == 0) {
      break;
    }
    used += static_cast<std::size_t>(got);
    if (used > max_bytes) {  // a pipe, or a file that grew while read
      ::close(fd);
      return Error{file_too_large_message(used, max_bytes)};
    }
  }
  ::close(fd);
  bytes.resize(used);
  return bytes;
}

Expected<SourceFile> load_source_file(const std::string& filesystem_path, std::string display_path,
                                      uint64_t max_bytes) {
  Expected<std::string> bytes = read_file_bytes(filesystem_path, max_bytes);
  if (!bytes) {
    return bytes.error();
  }
  return source_from_bytes(std::move(display_path), std::move(*bytes), max_bytes);
}

}  // namespace miglint
