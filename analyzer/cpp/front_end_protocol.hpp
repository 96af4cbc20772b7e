#pragma once

// What miglint and its C++ front end process (miglint-cpp-front-end, the only program that links
// Clang) say to each other over a socket: miglint sends a request (the file's path and bytes, the
// [cpp] settings), the front end answers with what it extracted. Clang-free, built into both.
//
// The front end is a process of its own, not a library loaded into miglint, for two reasons:
// miglint is a static executable (it starts in the time an empty dynamically linked program takes,
// and a static program cannot share a C library with a loaded Clang), and a crash inside Clang on
// one file becomes an error on that file instead of ending the whole run.
//
// Every message is a frame: a 4-byte little-endian length, then that many bytes. The front end
// first sends a hello (kProtocolMagic, kProtocolVersion, Clang's version), then answers each
// request with one response, until its input ends.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "analyzer/cpp/front_end.hpp"

namespace miglint::cpp {

inline constexpr std::string_view kProtocolMagic = "miglint-cpp-front-end";
inline constexpr uint32_t kProtocolVersion = 1;
// A frame longer than this is refused as malformed (a C++ file's bytes travel in a request; lint
// refuses files above [lint] max_file_size, whose default is below this).
inline constexpr uint32_t kMaxFrameBytes = 1U << 30;

struct Hello {
  uint32_t version = 0;
  std::string clang_version;
};

// A request as the front end process receives it: the same fields as CppExtractRequest, owned.
struct OwnedRequest {
  std::string filesystem_path;
  std::string contents;
  CppSettings settings;
};

std::string encode_hello(const Hello& hello);
std::optional<Hello> decode_hello(std::string_view frame);

std::string encode_request(const CppExtractRequest& request);
std::optional<OwnedRequest> decode_request(std::string_view frame);

std::string encode_extraction(const CppExtraction& extraction);
std::optional<CppExtraction> decode_extraction(std::string_view frame);

// Frames over a file descriptor (a socket or pipe). write_frame: false when the peer is gone
// (never raises SIGPIPE on a socket). read_frame: nullopt at the end of input or on a malformed
// length; `clean_end` (when given) says whether the input ended before any byte of a frame.
bool write_frame(int fd, std::string_view payload);
std::optional<std::string> read_frame(int fd, bool* clean_end = nullptr);

}  // namespace miglint::cpp
