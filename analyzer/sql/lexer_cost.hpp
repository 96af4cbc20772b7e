#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace miglint {

// PostgreSQL's lexer (scan.l) reads a run of operator characters (`+-*/<>=~!@#%^&|` and backquote
// and `?`) again from every point where it cuts a token out of it. An operator is matched to the end
// of its run and then cut back, at an embedded `/*` or `--` and before trailing `+` and `-`; a `/*`,
// also inside a comment, is matched with every operator character after it and then cut to its two
// bytes. So a run that is cut into n tokens costs about n²/2 byte steps: 40,000 bytes of `/*` took
// 14 seconds, 200,000 bytes of `+` more than a minute. Real SQL has runs of a few bytes; a file that
// would take the lexer this long is refused before the lexer sees it.
struct SlowLexing {
  uint32_t offset = 0;      // where the run of operator characters that went over the budget starts
  uint32_t run_length = 0;  // its length in bytes
};

// The byte steps the lexer may spend on a text of `length` bytes: every byte read a few times over,
// plus a few milliseconds' worth (4 million). A run of operator characters that goes over it on its
// own is a run of thousands: in SQL code an operator that long is an error anyway ("operator too
// long" past 63 bytes), and in comments it takes thousands of nested `/*`.
uint64_t lexer_step_budget(std::size_t length);

// The run of operator characters in `text` where PostgreSQL's lexer would go over
// lexer_step_budget(text.size()), or nothing. Linear in the text: it models the lexer's states
// (code, nested block comments, line comments, quoted strings and identifiers, dollar quotes) and
// counts what the lexer reads in each run, stopping once the budget is spent.
std::optional<SlowLexing> find_slow_lexing(std::string_view text);

// "a run of 40000 operator characters ..." for an error line (the caller says where).
std::string slow_lexing_message(const SlowLexing& slow);

// Throws ParserLimit (analyzer/sql/parser_limit.hpp) at the run, its offset shifted by `base`, when
// find_slow_lexing finds one: called before each of libpg_query's entry points reads a text.
void require_bounded_lexing(std::string_view text, uint32_t base);

}  // namespace miglint
