#include "analyzer/sql/copy_data.hpp"

#include <algorithm>
#include <optional>

#include "analyzer/sql/tokens.hpp"
#include "analyzer/text/ascii.hpp"

namespace miglint {

namespace {

bool word_is(std::string_view word, std::string_view lower_case) {
  return word.size() == lower_case.size() && std::equal(word.begin(), word.end(), lower_case.begin(),
                                                        [](char a, char b) { return ascii_lower(a) == b; });
}

// Whether `stdin` is written anywhere (in any case): a file without it costs one pass over its
// bytes and no lexing.
bool mentions_stdin(std::string_view text) {
  for (std::size_t at = text.find_first_of("sS"); at != std::string_view::npos;
       at = text.find_first_of("sS", at + 1)) {
    if (word_is(text.substr(at, 5), "stdin")) {
      return true;
    }
  }
  return false;
}

// Just past the `;` of the first `COPY ... FROM STDIN` statement in [begin, size) of `text`
// (`begin` is where a statement may begin), or nothing.
std::optional<uint32_t> next_copy_from_stdin(std::string_view text, uint32_t begin) {
  std::optional<uint32_t> found;
  bool statement_start = true;
  bool copy = false;
  bool after_from = false;
  bool from_stdin = false;
  int depth = 0;
  AtomicBodyTracker atomic;
  visit_lite_tokens(text, begin, static_cast<uint32_t>(text.size()), [&](const Token& token) {
    std::string_view word = text.substr(token.begin, token.end - token.begin);
    atomic.step(token);
    if (token.is(TokenKind::OpenParen)) {
      ++depth;
    } else if (token.is(TokenKind::CloseParen)) {
      depth = std::max(0, depth - 1);
    }
    if (token.is(TokenKind::Semicolon) && depth == 0 && !atomic.inside()) {
      if (copy && from_stdin) {
        found = token.end;
        return false;
      }
      statement_start = true;
      copy = after_from = from_stdin = false;
      return true;
    }
    if (statement_start) {
      statement_start = false;
      copy = word_is(word, "copy");
      return true;
    }
    if (copy && depth == 0) {
      // COPY t [(columns)] FROM STDIN ...; a query's FROM is inside COPY's parentheses.
      from_stdin = from_stdin || (after_from && word_is(word, "stdin"));
      after_from = word_is(word, "from");
    }
    return true;
  });
  return found;
}

// The end of the data block that begins at `begin` (a line start): just past the line holding
// only `\.` (a trailing carriage return allowed), or the end of the text.
uint32_t data_block_end(std::string_view text, uint32_t begin) {
  std::size_t line = begin;
  while (line < text.size()) {
    std::size_t newline = text.find('\n', line);
    std::size_t stop = newline == std::string_view::npos ? text.size() : newline;
    std::string_view content = text.substr(line, stop - line);
    if (content.ends_with('\r')) {
      content.remove_suffix(1);
    }
    std::size_t next = newline == std::string_view::npos ? text.size() : newline + 1;
    if (content == "\\.") {
      return static_cast<uint32_t>(next);
    }
    line = next;
  }
  return static_cast<uint32_t>(text.size());
}

}  // namespace

std::vector<ByteSpan> copy_data_blocks(std::string_view text) {
  std::vector<ByteSpan> blocks;
  if (!mentions_stdin(text)) {
    return blocks;
  }
  uint32_t at = 0;
  while (at < text.size()) {
    std::optional<uint32_t> copy_end = next_copy_from_stdin(text, at);
    if (!copy_end) {
      break;
    }
    std::size_t line_end = text.find('\n', *copy_end);
    if (line_end == std::string_view::npos) {
      break;  // the COPY is on the last line: no data follows
    }
    auto data_begin = static_cast<uint32_t>(line_end + 1);
    uint32_t data_end = data_block_end(text, data_begin);
    if (data_end > data_begin) {
      blocks.push_back(ByteSpan{data_begin, data_end});
    }
    at = data_end;  // a line start after the block: the lexer starts outside any string or comment
  }
  return blocks;
}

std::optional<WithoutCopyData> without_copy_data(std::string_view text) {
  std::vector<ByteSpan> blocks = copy_data_blocks(text);
  if (blocks.empty()) {
    return std::nullopt;
  }
  WithoutCopyData out{std::string(text), std::move(blocks)};
  for (const ByteSpan& block : out.blocks) {
    std::replace_if(
        out.text.begin() + block.begin, out.text.begin() + block.end,
        [](char c) { return c != '\n' && c != '\r'; }, ' ');
  }
  return out;
}

ByteSpan raw_after_copy_data(std::string_view parsed, ByteSpan raw, const std::vector<ByteSpan>& blocks) {
  if (blocks.empty()) {
    return raw;
  }
  auto block = std::lower_bound(blocks.begin(), blocks.end(), raw.begin,
                                [](const ByteSpan& b, uint32_t at) { return b.begin < at; });
  if (block != blocks.end() && block->end <= raw.end &&
      skip_leading_trivia(parsed, raw.begin, block->begin) == block->begin) {
    raw.begin = block->end;
  }
  return raw;
}

}  // namespace miglint
