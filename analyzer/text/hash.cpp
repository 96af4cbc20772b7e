#include "analyzer/text/hash.hpp"

#include <nettle/sha2.h>

#include <array>
#include <cstdint>

namespace miglint {

std::string sha256_hex(std::string_view data) {
  sha256_ctx context{};
  sha256_init(&context);
  sha256_update(&context, data.size(), reinterpret_cast<const uint8_t*>(data.data()));
  std::array<uint8_t, SHA256_DIGEST_SIZE> digest{};
  sha256_digest(&context, digest.size(), digest.data());
  static constexpr std::string_view kHex = "0123456789abcdef";
  std::string hex;
  hex.reserve(digest.size() * 2);
  for (uint8_t byte : digest) {
    hex += kHex[byte >> 4U];
    hex += kHex[byte & 0x0FU];
  }
  return hex;
}

}  // namespace miglint
