#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace miglint {

// A size as users write it in miglint.toml: a number of bytes, or a number with a unit: `B`, `KB`,
// `MB`, `GB` (powers of 1024, as `KiB`, `MiB`, `GiB` are also written); case and a space before the
// unit do not matter. nullopt: not a size (or more than 2^62 bytes).
std::optional<uint64_t> parse_byte_size(std::string_view text);

// `104857600` -> "100 MB", `1536` -> "1.5 KB": for messages.
std::string describe_byte_size(uint64_t bytes);

}  // namespace miglint
