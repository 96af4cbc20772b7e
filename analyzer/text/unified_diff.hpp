#pragma once

#include <string>
#include <string_view>

namespace miglint {

// A unified diff (as `diff -u` and `git diff` write it, three lines of context) from `before` to
// `after`, under the headers `--- a/<path>` and `+++ b/<path>`; empty when the texts are equal.
// Lines keep their bytes (a CR of a CRLF line stays at the end of the line printed).
std::string unified_diff(std::string_view path, std::string_view before, std::string_view after);

}  // namespace miglint
