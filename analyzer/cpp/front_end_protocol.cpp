#include "analyzer/cpp/front_end_protocol.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

namespace miglint::cpp {

namespace {

// Little-endian fixed-width integers and length-prefixed byte strings.
class Writer {
 public:
  void u8(uint8_t value) { out_.push_back(static_cast<char>(value)); }
  void u32(uint32_t value) {
    for (int shift = 0; shift < 32; shift += 8) {
      out_.push_back(static_cast<char>((value >> shift) & 0xFFU));
    }
  }
  void u64(uint64_t value) {
    u32(static_cast<uint32_t>(value));
    u32(static_cast<uint32_t>(value >> 32));
  }
  void boolean(bool value) { u8(value ? 1 : 0); }
  void bytes(std::string_view value) {
    u32(static_cast<uint32_t>(value.size()));
    out_.append(value);
  }
  void strings(const std::vector<std::string>& values) {
    u32(static_cast<uint32_t>(values.size()));
    for (const std::string& value : values) {
      bytes(value);
    }
  }
  void optional_text(const std::optional<std::string>& value) {
    boolean(value.has_value());
    if (value) {
      bytes(*value);
    }
  }
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
};

// Reads what Writer wrote; any read past the end or out of range marks the whole frame bad.
class Reader {
 public:
  explicit Reader(std::string_view data) : data_(data) {}
  bool ok() const { return ok_; }
  bool finished() const { return ok_ && position_ == data_.size(); }

  uint8_t u8() {
    if (!need(1)) {
      return 0;
    }
    return static_cast<uint8_t>(data_[position_++]);
  }
  uint32_t u32() {
    if (!need(4)) {
      return 0;
    }
    uint32_t value = 0;
    for (int shift = 0; shift < 32; shift += 8) {
      value |= static_cast<uint32_t>(static_cast<uint8_t>(data_[position_++])) << shift;
    }
    return value;
  }
  uint64_t u64() {
    uint64_t low = u32();
    uint64_t high = u32();
    return low | (high << 32);
  }
  bool boolean() {
    uint8_t value = u8();
    if (value > 1) {
      ok_ = false;
    }
    return value == 1;
  }
  std::string bytes() {
    uint32_t size = u32();
    if (!need(size)) {
      return {};
    }
    std::string value(data_.substr(position_, size));
    position_ += size;
    return value;
  }
  // A count of elements, each at least `min_element_bytes` long: a count the frame cannot hold is
  // refused before anything is reserved for it.
  uint32_t count(size_t min_element_bytes) {
    uint32_t value = u32();
    if (ok_ && static_cast<uint64_t>(value) * min_element_bytes > data_.size() - position_) {
      ok_ = false;
      return 0;
    }
    return value;
  }
  std::vector<std::string> strings() {
    std::vector<std::string> values(count(4));
    for (std::string& value : values) {
      value = bytes();
    }
    return values;
  }
  std::optional<std::string> optional_text() {
    if (!boolean()) {
      return std::nullopt;
    }
    return bytes();
  }
  PlaceholderStyle placeholder_style() {
    uint8_t value = u8();
    if (value > static_cast<uint8_t>(PlaceholderStyle::Fmt)) {
      ok_ = false;
      return PlaceholderStyle::Dollar;
    }
    return static_cast<PlaceholderStyle>(value);
  }

 private:
  bool need(size_t size) {
    if (!ok_ || data_.size() - position_ < size) {
      ok_ = false;
      return false;
    }
    return true;
  }
  std::string_view data_;
  size_t position_ = 0;
  bool ok_ = true;
};

void write_settings(Writer& out, const CppSettings& settings) {
  out.boolean(settings.enabled);
  out.strings(settings.extensions);
  out.u32(static_cast<uint32_t>(settings.query_functions.size()));
  for (const QueryFunction& function : settings.query_functions) {
    out.bytes(function.name);
    out.u32(function.sql_arg);
    out.u8(static_cast<uint8_t>(function.placeholders));
    out.boolean(function.in_transaction.has_value());
    out.boolean(function.in_transaction.value_or(false));
    out.boolean(function.pqxx_method);
    out.boolean(function.placeholders_explicit);
  }
  out.bytes(settings.compile_commands_dir);
  out.strings(settings.extra_args);
}

CppSettings read_settings(Reader& in) {
  CppSettings settings;
  settings.enabled = in.boolean();
  settings.extensions = in.strings();
  settings.query_functions.resize(in.count(13));
  for (QueryFunction& function : settings.query_functions) {
    function.name = in.bytes();
    function.sql_arg = in.u32();
    function.placeholders = in.placeholder_style();
    bool has_mode = in.boolean();
    bool mode = in.boolean();
    function.in_transaction = has_mode ? std::optional<bool>(mode) : std::nullopt;
    function.pqxx_method = in.boolean();
    function.placeholders_explicit = in.boolean();
  }
  settings.compile_commands_dir = in.bytes();
  settings.extra_args = in.strings();
  return settings;
}

}  // namespace

std::string encode_hello(const Hello& hello) {
  Writer out;
  out.bytes(kProtocolMagic);
  out.u32(hello.version);
  out.bytes(hello.clang_version);
  return out.take();
}

std::optional<Hello> decode_hello(std::string_view frame) {
  Reader in(frame);
  if (in.bytes() != kProtocolMagic) {
    return std::nullopt;
  }
  Hello hello;
  hello.version = in.u32();
  hello.clang_version = in.bytes();
  return in.finished() ? std::optional<Hello>(std::move(hello)) : std::nullopt;
}

std::string encode_request(const CppExtractRequest& request) {
  static const CppSettings kDefaults;
  Writer out;
  out.bytes(request.filesystem_path);
  out.bytes(request.contents);
  write_settings(out, request.settings != nullptr ? *request.settings : kDefaults);
  return out.take();
}

std::optional<OwnedRequest> decode_request(std::string_view frame) {
  Reader in(frame);
  OwnedRequest request;
  request.filesystem_path = in.bytes();
  request.contents = in.bytes();
  request.settings = read_settings(in);
  return in.finished() ? std::optional<OwnedRequest>(std::move(request)) : std::nullopt;
}

std::string encode_extraction(const CppExtraction& extraction) {
  Writer out;
  out.u32(static_cast<uint32_t>(extraction.calls.size()));
  for (const ExtractedCall& call : extraction.calls) {
    out.u32(call.call_begin);
    out.u32(call.call_end);
    out.u32(call.argument_begin);
    out.u32(call.argument_end);
    out.bytes(call.function);
    out.u8(static_cast<uint8_t>(call.placeholders));
    out.boolean(call.placeholders_explicit);
    out.boolean(call.format_arguments);
    out.boolean(call.transaction.has_value());
    out.u64(call.transaction.value_or(0));
    out.boolean(call.transaction_guessed);
    out.boolean(call.dynamic);
    out.bytes(call.sql);
    out.u32(static_cast<uint32_t>(call.sql_offsets.size()));
    for (uint32_t offset : call.sql_offsets) {
      out.u32(offset);
    }
  }
  out.bytes(extraction.incomplete);
  out.optional_text(extraction.error);
  return out.take();
}

std::optional<CppExtraction> decode_extraction(std::string_view frame) {
  Reader in(frame);
  CppExtraction extraction;
  extraction.calls.resize(in.count(42));
  for (ExtractedCall& call : extraction.calls) {
    call.call_begin = in.u32();
    call.call_end = in.u32();
    call.argument_begin = in.u32();
    call.argument_end = in.u32();
    call.function = in.bytes();
    call.placeholders = in.placeholder_style();
    call.placeholders_explicit = in.boolean();
    call.format_arguments = in.boolean();
    bool in_transaction = in.boolean();
    uint64_t transaction = in.u64();
    call.transaction = in_transaction ? std::optional<uint64_t>(transaction) : std::nullopt;
    call.transaction_guessed = in.boolean();
    call.dynamic = in.boolean();
    call.sql = in.bytes();
    call.sql_offsets.resize(in.count(4));
    for (uint32_t& offset : call.sql_offsets) {
      offset = in.u32();
    }
  }
  extraction.incomplete = in.bytes();
  extraction.error = in.optional_text();
  return in.finished() ? std::optional<CppExtraction>(std::move(extraction)) : std::nullopt;
}

namespace {

// send() with MSG_NOSIGNAL, so that a front end that died does not kill miglint with SIGPIPE; on a
// descriptor that is not a socket (a pipe, in tests) plain write().
bool write_all(int fd, const char* data, size_t size) {
  bool socket = true;
  while (size > 0) {
    ssize_t written = socket ? send(fd, data, size, MSG_NOSIGNAL) : write(fd, data, size);
    if (written < 0) {
      if (errno == ENOTSOCK && socket) {
        socket = false;
        continue;
      }
      if (errno == EINTR) {
        continue;
      }
      return false;
    }
    data += written;
    size -= static_cast<size_t>(written);
  }
  return true;
}

// 0: the input ended before the first byte; -1: an error or an end part-way; 1: all read.
int read_all(int fd, char* data, size_t size) {
  size_t done = 0;
  while (done < size) {
    ssize_t got = read(fd, data + done, size - done);
    if (got < 0) {
      if (errno == EINTR) {
        continue;
      }
      return -1;
    }
    if (got == 0) {
      return done == 0 ? 0 : -1;
    }
    done += static_cast<size_t>(got);
  }
  return 1;
}

}  // namespace

bool write_frame(int fd, std::string_view payload) {
  if (payload.size() > kMaxFrameBytes) {
    return false;
  }
  char header[4];
  auto size = static_cast<uint32_t>(payload.size());
  for (int i = 0; i < 4; ++i) {
    header[i] = static_cast<char>((size >> (8 * i)) & 0xFFU);
  }
  return write_all(fd, header, sizeof header) && write_all(fd, payload.data(), payload.size());
}

std::optional<std::string> read_frame(int fd, bool* clean_end) {
  if (clean_end != nullptr) {
    *clean_end = false;
  }
  char header[4];
  int got = read_all(fd, header, sizeof header);
  if (got <= 0) {
    if (got == 0 && clean_end != nullptr) {
      *clean_end = true;
    }
    return std::nullopt;
  }
  uint32_t size = 0;
  for (int i = 0; i < 4; ++i) {
    size |= static_cast<uint32_t>(static_cast<uint8_t>(header[i])) << (8 * i);
  }
  if (size > kMaxFrameBytes) {
    return std::nullopt;
  }
  std::string payload(size, '\0');
  if (size > 0 && read_all(fd, payload.data(), size) != 1) {
    return std::nullopt;
  }
  return payload;
}

}  // namespace miglint::cpp
