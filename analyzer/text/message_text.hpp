#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace miglint {

// Input text made safe to show in a line that a terminal may read: a file name, an identifier, a
// config value, a server's message. Every human-readable writer (the text and github reports,
// error lines, `locks`, the runner's messages) passes input text through here, so that a newline in
// a file name cannot forge a line and an escape sequence cannot reach the reader's terminal.
//
// Shown escaped: C0 controls and DEL (`\n`, `\r`, `\t`, else `\x1b`), bytes that are not UTF-8
// (`\xff`), C1 controls (`\u009b`, a terminal's CSI), and the Unicode controls that reorder or break
// the displayed text (bidirectional embeddings, overrides and isolates U+202A-U+202E and
// U+2066-U+2069, line and paragraph separators U+2028/U+2029). Everything else is kept as it is.
std::string escape_for_message(std::string_view text);
void append_escaped_for_message(std::string& out, std::string_view text);

// Appends how the character at `at` (one code point, or one byte that is not UTF-8) is shown, and
// returns how many bytes of `text` it was. For writers that lay text out in columns (the text
// report's source excerpts): a character shown as it is takes one column, an escape its length.
std::size_t append_escaped_character(std::string& out, std::string_view text, std::size_t at);

// Text of several lines (a usage message that echoes the command line) with each line escaped and
// the newlines between them kept.
std::string escape_each_line(std::string_view text);

// A statement's text on one line as the runner shows it (plan, trace, its messages), shortened to
// about 72 characters at a code point boundary and escaped: "ALTER TABLE accounts RENAME COLUMN
// display_name ...". Built where it is shown: a file of hundreds of thousands of statements would
// otherwise hold one per statement.
std::string statement_label(std::string_view sql);

// Whether `text` holds anything escape_for_message would change.
bool needs_message_escaping(std::string_view text);

}  // namespace miglint
