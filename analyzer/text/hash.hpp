#pragma once

#include <string>
#include <string_view>

namespace miglint {

// SHA-256 of `data` as 64 lowercase hex digits (nettle). Used for fingerprints that
// must be identical on every machine and in every release, which std::hash does not promise.
std::string sha256_hex(std::string_view data);

}  // namespace miglint
