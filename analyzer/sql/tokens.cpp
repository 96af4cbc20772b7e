#include "analyzer/sql/tokens.hpp"

#include <pg_query.h>
#include <pg_query/pg_query.pb-c.h>

#include <algorithm>
#include <cctype>
#include <memory>
#include <new>

#include "analyzer/sql/lexer_cost.hpp"
#include "analyzer/sql/quoting.hpp"
#include "analyzer/text/ascii.hpp"
#include "analyzer/text/source_file.hpp"

namespace miglint {

using sql_lexing::dollar_tag;
using sql_lexing::is_identifier_char;
using sql_lexing::skip_quoted;

static_assert(static_cast<int>(TokenKind::Semicolon) == PG_QUERY__TOKEN__ASCII_59);
static_assert(static_cast<int>(TokenKind::Identifier) == PG_QUERY__TOKEN__IDENT);
static_assert(static_cast<int>(TokenKind::SqlComment) == PG_QUERY__TOKEN__SQL_COMMENT);
static_assert(static_cast<int>(TokenKind::CComment) == PG_QUERY__TOKEN__C_COMMENT);
static_assert(static_cast<int>(TokenKind::Add) == PG_QUERY__TOKEN__ADD_P);
static_assert(static_cast<int>(TokenKind::Alter) == PG_QUERY__TOKEN__ALTER);
static_assert(static_cast<int>(TokenKind::Atomic) == PG_QUERY__TOKEN__ATOMIC);
static_assert(static_cast<int>(TokenKind::Begin) == PG_QUERY__TOKEN__BEGIN_P);
static_assert(static_cast<int>(TokenKind::Case) == PG_QUERY__TOKEN__CASE);
static_assert(static_cast<int>(TokenKind::Constraint) == PG_QUERY__TOKEN__CONSTRAINT);
static_assert(static_cast<int>(TokenKind::Drop) == PG_QUERY__TOKEN__DROP);
static_assert(static_cast<int>(TokenKind::End) == PG_QUERY__TOKEN__END_P);
static_assert(static_cast<int>(TokenKind::Not) == PG_QUERY__TOKEN__NOT);
static_assert(static_cast<int>(TokenKind::Null) == PG_QUERY__TOKEN__NULL_P);
static_assert(static_cast<int>(TokenKind::Rename) == PG_QUERY__TOKEN__RENAME);

std::vector<Token> scan_tokens(std::string_view text, uint32_t base, ScanError* error, LexerCost cost) {
  std::vector<Token> tokens;
  if (cost == LexerCost::Check) {
    require_bounded_lexing(text, base);
  }
  // pg_query_scan reads a NUL-terminated string.
  std::string owned(text);
  PgQueryScanResult result = pg_query_scan(owned.c_str());
  if (result.error != nullptr) {
    if (error != nullptr) {
      error->message = result.error->message;
      uint32_t chars = result.error->cursorpos > 0 ? static_cast<uint32_t>(result.error->cursorpos - 1) : 0;
      error->offset = base + byte_offset_of_char(owned, chars);
    }
    pg_query_free_scan_result(result);
    return tokens;
  }
  PgQuery__ScanResult* scan = pg_query__scan_result__unpack(
      nullptr, result.pbuf.len, reinterpret_cast<const uint8_t*>(result.pbuf.data));
  if (scan != nullptr) {
    tokens.reserve(scan->n_tokens);
    for (std::size_t i = 0; i < scan->n_tokens; ++i) {
      const PgQuery__ScanToken* token = scan->tokens[i];
      tokens.push_back(Token{base + static_cast<uint32_t>(token->start),
                             base + static_cast<uint32_t>(token->end), static_cast<int>(token->token)});
    }
    pg_query__scan_result__free_unpacked(scan, nullptr);
  } else if (result.pbuf.len > 0) {
    pg_query_free_scan_result(result);
    throw std::bad_alloc();  // the tokens could not be unpacked: out of memory
  }
  pg_query_free_scan_result(result);
  return tokens;
}

namespace {

int keyword_kind(std::string_view word) {
  struct Keyword {
    std::string_view text;
    TokenKind kind;
  };
  static constexpr Keyword kKeywords[] = {
      {"add", TokenKind::Add},     {"alter", TokenKind::Alter},   {"atomic", TokenKind::Atomic},
      {"begin", TokenKind::Begin}, {"case", TokenKind::Case},     {"constraint", TokenKind::Constraint},
      {"drop", TokenKind::Drop},   {"end", TokenKind::End},       {"not", TokenKind::Not},
      {"null", TokenKind::Null},   {"rename", TokenKind::Rename},
  };
  if (word.size() > 10) {
    return static_cast<int>(TokenKind::Identifier);
  }
  char lower[11] = {};
  for (std::size_t i = 0; i < word.size(); ++i) {
    lower[i] = ascii_lower(word[i]);
  }
  std::string_view folded(lower, word.size());
  for (const Keyword& keyword : kKeywords) {
    if (keyword.text == folded) {
      return static_cast<int>(keyword.kind);
    }
  }
  return static_cast<int>(TokenKind::Identifier);
}

constexpr int kStringConstant = 261;

}  // namespace

namespace {

// The next token at or after `i`, skipping whitespace and comments; an empty token at `end` when
// only those are left. One step of the small lexer that lite_tokens() and end_of_code() share.
Token next_lite_token(std::string_view text, uint32_t begin, uint32_t i, uint32_t end) {
  while (i < end) {
    char c = text[i];
    if (is_ascii_space(c)) {
      ++i;
    } else if ((c == '-' && i + 1 < end && text[i + 1] == '-') ||
               (c == '/' && i + 1 < end && text[i + 1] == '*')) {
      i = skip_leading_trivia(text, i, end);
    } else if (c == '\'' || c == '"') {
      uint32_t stop = std::min(skip_quoted(text, begin, i, end), end);
      return Token{i, stop, c == '"' ? static_cast<int>(TokenKind::Identifier) : kStringConstant};
    } else if (std::string_view tag =
                   c == '$' ? dollar_tag(text, i, end, /*token_start=*/true) : std::string_view();
               !tag.empty()) {
      std::size_t close = text.substr(0, end).find(tag, i + tag.size());
      uint32_t stop = close == std::string_view::npos ? end : static_cast<uint32_t>(close + tag.size());
      return Token{i, stop, kStringConstant};
    } else if (is_identifier_char(c) || (c == '$' && i + 1 < end && is_ascii_digit(text[i + 1]))) {
      uint32_t stop = sql_lexing::word_end(text, i, end);
      return Token{i, stop, keyword_kind(text.substr(i, stop - i))};
    } else {
      return Token{i, i + 1, static_cast<unsigned char>(c)};
    }
  }
  return Token{end, end, 0};
}

}  // namespace

std::vector<Token> lite_tokens(std::string_view text, uint32_t begin, uint32_t end) {
  std::vector<Token> tokens;
  for (Token token = next_lite_token(text, begin, begin, end); token.begin < end;
       token = next_lite_token(text, begin, token.end, end)) {
    // E'...' and U&'...': the prefix letters belong to the string.
    bool prefixed_string = token.kind == kStringConstant && text[token.begin] == '\'' && !tokens.empty() &&
                           tokens.back().end == token.begin && tokens.back().end - tokens.back().begin <= 2 &&
                           tokens.back().kind == static_cast<int>(TokenKind::Identifier);
    if (prefixed_string) {
      tokens.back().end = token.end;
      tokens.back().kind = kStringConstant;
    } else {
      tokens.push_back(token);
    }
  }
  return tokens;
}

void visit_lite_tokens(std::string_view text, uint32_t begin, uint32_t end,
                       const std::function<bool(const Token&)>& visit) {
  for (Token token = next_lite_token(text, begin, begin, end); token.begin < end;
       token = next_lite_token(text, begin, token.end, end)) {
    if (!visit(token)) {
      return;
    }
  }
}

uint32_t end_of_code(std::string_view text, uint32_t begin, uint32_t end) {
  uint32_t last = begin;
  for (Token token = next_lite_token(text, begin, begin, end); token.begin < end;
       token = next_lite_token(text, begin, token.end, end)) {
    last = token.end;
  }
  return last;
}

uint32_t skip_leading_trivia(std::string_view text, uint32_t offset, uint32_t end) {
  while (offset < end) {
    char c = text[offset];
    if (is_ascii_space(c)) {
      ++offset;
    } else if (c == '-' && offset + 1 < end && text[offset + 1] == '-') {
      // To the end of the line: a line feed or a carriage return, as PostgreSQL's lexer has it.
      while (offset < end && text[offset] != '\n' && text[offset] != '\r') {
        ++offset;
      }
    } else if (c == '/' && offset + 1 < end && text[offset + 1] == '*') {
      // Block comments nest in PostgreSQL.
      int depth = 0;
      do {
        if (text[offset] == '/' && offset + 1 < end && text[offset + 1] == '*') {
          ++depth, offset += 2;
        } else if (text[offset] == '*' && offset + 1 < end && text[offset + 1] == '/') {
          --depth, offset += 2;
        } else {
          ++offset;
        }
      } while (depth > 0 && offset < end);
    } else {
      break;
    }
  }
  return offset;
}

}  // namespace miglint
