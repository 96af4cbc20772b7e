#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "analyzer/text/expected.hpp"

namespace miglint {

// Token kinds of PostgreSQL's scanner that the analyzer looks at. Values mirror libpg_query's
// PgQuery__Token enum (checked with static_assert in tokens.cpp).
enum class TokenKind : int {
  Comma = 44,
  OpenParen = 40,
  CloseParen = 41,
  Star = 42,
  Dot = 46,
  Semicolon = 59,
  Identifier = 258,
  SqlComment = 275,
  CComment = 276,
  Add = 282,
  Alter = 288,
  Atomic = 301,
  Begin = 308,
  Case = 322,
  Constraint = 349,
  Drop = 397,
  End = 404,
  Not = 549,
  Null = 554,
  Rename = 623,
};

struct Token {
  uint32_t begin = 0;  // byte offset in the scanned text plus the base passed to scan_tokens
  uint32_t end = 0;
  int kind = 0;
  bool is(TokenKind k) const { return kind == static_cast<int>(k); }
  bool is_comment() const { return is(TokenKind::SqlComment) || is(TokenKind::CComment); }
};

// Follows BEGIN ATOMIC ... END bodies through a statement's tokens (fed one by one, comments left
// out): a `;` inside a body does not end the statement, and CASE ... END nests inside one.
class AtomicBodyTracker {
 public:
  // Takes the next token; afterwards inside() says whether the body is still open.
  void step(const Token& token) {
    if (!inside_ && token.is(TokenKind::Atomic) && previous_begin_) {
      inside_ = true;
      case_depth_ = 0;
    } else if (inside_ && token.is(TokenKind::Case)) {
      ++case_depth_;
    } else if (inside_ && token.is(TokenKind::End)) {
      if (case_depth_ > 0) {
        --case_depth_;
      } else {
        inside_ = false;
      }
    }
    previous_begin_ = token.is(TokenKind::Begin);
  }
  bool inside() const { return inside_; }

 private:
  bool inside_ = false;
  int case_depth_ = 0;
  bool previous_begin_ = false;
};

// A scanner (lexer) error, with the byte offset of the offending character in the scanned text.
struct ScanError {
  std::string message;
  uint32_t offset = 0;
};

// Whether scan_tokens checks first that the lexer would not take minutes over the text
// (analyzer/sql/lexer_cost.hpp): a caller that scans one text many times checks it once itself.
enum class LexerCost { Check, CheckedByCaller };

// Scans `text` with PostgreSQL's own lexer (comments included). Offsets are shifted by `base`.
// Throws std::bad_alloc when memory runs out, ParserLimit for a text the lexer would take minutes
// over.
// On a lexer error (an unterminated quoted string, say) returns no tokens and sets `error`.
std::vector<Token> scan_tokens(std::string_view text, uint32_t base, ScanError* error,
                               LexerCost cost = LexerCost::Check);

// Skips whitespace and comments from `offset`; returns the offset of the first other byte.
uint32_t skip_leading_trivia(std::string_view text, uint32_t offset, uint32_t end);

// Tokens of text that PostgreSQL's parser accepted, from a small lexer of its own: comments are
// skipped; quoted strings and dollar-quoted bodies are one token (kind 261, a string constant);
// words (keywords, identifiers, numbers, $1) and quoted identifiers are Identifier (keywords named
// in TokenKind get their kind); any other byte is a token of its own, of its ASCII kind. Statement
// anchors need no more, and this costs a fraction of pg_query_scan and its protobuf decoding.
std::vector<Token> lite_tokens(std::string_view text, uint32_t begin, uint32_t end);

// The tokens of lite_tokens one at a time, none kept (for files too large to hold their tokens),
// until `visit` returns false. An E'...' or U&'...' prefix comes as a token of its own here.
void visit_lite_tokens(std::string_view text, uint32_t begin, uint32_t end,
                       const std::function<bool(const Token&)>& visit);

// The end of the last token in [begin, end) of text PostgreSQL's lexer accepted: just past the
// last byte that is not whitespace or comment. A small lexer of its own (quotes, dollar quotes,
// nested comments), because calling the scanner for every reported statement cost more than the
// rules did.
uint32_t end_of_code(std::string_view text, uint32_t begin, uint32_t end);

}  // namespace miglint
