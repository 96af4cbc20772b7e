#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "analyzer/text/expected.hpp"

namespace miglint {

// Replaces the file at `path` with `bytes` atomically: the bytes go to a new file beside it (same
// directory, so the same file system), flushed, given the old file's permission bits, then renamed
// over it. A reader sees the old file or the new one, never a part; a failure leaves the old file
// as it was (and no temporary file behind). A symbolic link is followed: its target is replaced.
// Returns why it failed (the message does not name the file), or nothing.
std::optional<Error> write_file_atomically(const std::string& path, std::string_view bytes);

}  // namespace miglint
