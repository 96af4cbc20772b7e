#pragma once

// JSON-RPC 2.0 over a byte stream as the Language Server Protocol frames it: each message is
// `Content-Length: N\r\n` (other headers allowed and ignored) `\r\n` and N bytes of JSON.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "analyzer/text/expected.hpp"

namespace miglint::lsp {

// JSON-RPC's error codes that the server answers with.
inline constexpr int kParseError = -32700;
inline constexpr int kInvalidRequest = -32600;
inline constexpr int kMethodNotFound = -32601;
inline constexpr int kInvalidParams = -32602;
inline constexpr int kInternalError = -32603;
inline constexpr int kServerNotInitialized = -32002;
inline constexpr int kRequestFailed = -32803;

// Reads framed messages from a file descriptor, buffering what arrives beyond the current one.
class MessageReader {
 public:
  explicit MessageReader(int fd) : fd_(fd) {}

  // What next() found: a message body, the end of the input, or a frame that cannot be read (its
  // bytes are skipped up to the next header, so one bad frame does not end the session).
  struct Read {
    enum class Kind { Message, End, BadFrame } kind = Kind::End;
    std::string body;   // Kind::Message
    std::string error;  // Kind::BadFrame
  };

  // Blocks until a whole message is buffered, the input ends or a frame is found malformed.
  Read next();
  // Whether a whole message is already buffered or more bytes are readable now (a burst of
  // messages is drained before the server does slow work).
  bool input_pending();
  // Waits up to `milliseconds` for input; true when some is buffered or readable.
  bool wait_for_input(int milliseconds);

  // Messages larger than this are refused (their bytes skipped): a runaway client must not make
  // the server allocate without bound.
  static constexpr std::size_t kMaxMessageBytes = std::size_t{256} << 20;

 private:
  // Reads what is available into the buffer (blocking when `block`); false at the end of input.
  bool fill(bool block);
  // A whole message at the buffer's start: parses its header. nullopt: more bytes are needed.
  std::optional<Read> take_buffered();

  int fd_;
  std::string buffer_;
  std::size_t skip_ = 0;  // bytes of a refused message still to be dropped
  bool ended_ = false;
};

// Writes one framed message to a file descriptor (all of it, retrying short writes). False when
// the other end is gone.
bool write_message(int fd, std::string_view body);

}  // namespace miglint::lsp
