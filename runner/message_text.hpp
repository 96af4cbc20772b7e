#pragma once

#include <string>
#include <string_view>

namespace miglint::runner {

// Input text made safe to show in one line of a runner message: a file name, a statement's label,
// an identifier, a server's query text. Control characters are written as escapes (`\n`, `\r`,
// `\t`, `\x1b`, C1 controls as `\u009b`), and so are bytes that are not UTF-8, so that a newline in
// a file name cannot forge a message line and an escape sequence cannot reach the terminal.
std::string escape_for_message(std::string_view text);

}  // namespace miglint::runner
