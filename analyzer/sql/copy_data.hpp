#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "analyzer/text/source_file.hpp"

namespace miglint {

// The data blocks of `COPY ... FROM STDIN` statements in a psql script (a pg_dump file, a
// migration that loads reference rows), in text order. psql sends the statement at its `;` and then
// reads rows from the lines that follow, up to a line holding only `\.` or the end of the file: a
// block runs from the line after the one holding the `;` (the rest of that line is SQL again) to
// just past the `\.` line. The rows are data, never SQL: parsed as SQL they were syntax errors, and
// their quotes and dashes could swallow the statements after them.
std::vector<ByteSpan> copy_data_blocks(std::string_view text);

// `text` with its COPY data blocks blanked to spaces (line breaks kept, so every offset and line
// is where it was), and the blocks; nullopt when it has none.
struct WithoutCopyData {
  std::string text;
  std::vector<ByteSpan> blocks;
};
std::optional<WithoutCopyData> without_copy_data(std::string_view text);

// A statement's raw span (from just after the previous `;`) whose leading trivia holds a data
// block begins after the block: the statement's first token is found in the source, where the rows
// are. `parsed` is the blanked text, `blocks` its blocks in order.
ByteSpan raw_after_copy_data(std::string_view parsed, ByteSpan raw, const std::vector<ByteSpan>& blocks);

}  // namespace miglint
