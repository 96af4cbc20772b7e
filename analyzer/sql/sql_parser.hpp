#pragma once

#include <simdjson.h>

#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "analyzer/sql/ast.hpp"
#include "analyzer/sql/parser_limit.hpp"
#include "analyzer/sql/tokens.hpp"
#include "analyzer/text/source_file.hpp"

namespace miglint {

// One statement as libpg_query returned it. `raw` starts right after the previous `;` (leading
// whitespace and comments included) and ends before this statement's `;`.
struct ParsedStatement {
  Node ast;  // the wrapped statement node, e.g. {"AlterTableStmt": {...}}
  ByteSpan raw;
  // Node `location` fields count from here (the statement was parsed alone after a split).
  uint32_t location_base = 0;
  // Parsed from a stand-in (analyzer/sql/newer_syntax.hpp) for a statement only newer PostgreSQL
  // parses; the statement's own problem is in ParsedSql::problems too.
  bool stand_in = false;
};

// A statement the PostgreSQL 17 grammar rejected.
struct ParseProblem {
  uint32_t offset = 0;  // byte offset of the error position in the file
  ByteSpan statement;   // the failing statement, without surrounding trivia
  std::string message;  // libpg_query's message
  // Non-empty when the statement is valid newer PostgreSQL that the 17 grammar cannot read:
  // names the construct and the version that introduced it.
  std::string newer_construct;
  // Non-empty when a PostgreSQL 17 stand-in with the same locks was parsed and checked in its place
  // (a statement of `statements` with `stand_in` set): what it was checked as.
  std::string checked_as;
};

// The result of parsing one SQL text. The Nodes point into the parser's document (a text that parsed
// whole: valid until the parser parses again, unless `document_parser` holds it) or into
// `documents` (statements parsed one by one).
class ParsedSql {
 public:
  std::vector<ParsedStatement> statements;  // in file order
  std::vector<ParseProblem> problems;       // in file order
  // Whole-text tokens when the text had to be split (they are reused for directives), else empty.
  std::vector<Token> tokens;
  bool tokens_complete = false;  // `tokens` covers the whole text (no lexer error)

  std::vector<std::unique_ptr<simdjson::dom::document>> documents;
  // The parser whose document a whole-text parse decoded into, shared with whoever hands parsers out
  // (build_model): while this result holds it, nobody parses into it again.
  std::shared_ptr<simdjson::dom::parser> document_parser;
};

// Parses `text` (NUL-terminated) whole (a text of `chunking.minimum` bytes or more in pieces cut
// between statements, each decoded into a document of its own, to bound libpg_query's memory; tests
// set other sizes); when that
// fails, splits it into statements with the scanner
// (keeping BEGIN ATOMIC bodies whole) and parses each on its own, so that one bad statement does not
// hide the others. `parser` is scratch space, reused across calls on one thread. Throws
// ParserLimit for a statement nested too deeply or a text the lexer would take too long over, std::bad_alloc
// when memory runs out. `original`, when given, is the text `text` was condensed from
// (analyzer/sql/bulk_rows.hpp: the same length, some tokens blanked): failed statements' spans are measured
// on it, as if it was parsed.
struct Chunking {
  std::size_t minimum = std::size_t{1} << 20;  // texts at least this long are parsed in pieces
  std::size_t piece = std::size_t{256} << 10;  // a piece ends at the first statement end after this
};
ParsedSql parse_sql(const char* text, std::size_t length, simdjson::dom::parser& parser,
                    std::string_view original = {}, Chunking chunking = {});

// Where parse_sql cuts `text` (a text of `chunking.minimum` bytes or more): the end of each piece,
// the last one the text's end. A shorter text is one piece. Throws ParserLimit for a statement of
// more tokens than miglint parses (half a million: its parse tree would not fit a bounded memory).
std::vector<uint32_t> piece_ends(std::string_view text, Chunking chunking = {});

// Parses the piece [begin, end) of `text` (ends from piece_ends) into the parser's own document,
// valid until the parser parses again: its statements with offsets in `text`. A piece that does not
// parse whole (a syntax error) is split and its statements parsed one by one, each into a document
// the result owns, as parse_sql does with a text: the failing ones are its problems, its tokens those
// of the piece. Nothing when the piece has a lexer error and is not the text's last (the small lexer
// may have cut it wrong: the caller parses the text whole). Throws std::bad_alloc when memory runs
// out, ParserLimit as parse_sql.
std::optional<ParsedSql> parse_piece(std::string_view text, uint32_t begin, uint32_t end,
                                     simdjson::dom::parser& parser);

// Classifies a parse error as valid newer PostgreSQL syntax. Returns "" for a real syntax error.
// `tokens` are the statement's non-comment tokens (empty after a lexer error).
std::string classify_newer_syntax(std::string_view text, const std::vector<Token>& tokens,
                                  uint32_t error_offset, std::string_view message);

}  // namespace miglint
