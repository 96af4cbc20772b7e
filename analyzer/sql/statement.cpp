#include "analyzer/sql/statement.hpp"

#include <algorithm>
#include <cctype>

#include "analyzer/sql/pg_nodes.hpp"
#include "analyzer/sql/relation.hpp"

namespace miglint {

Statement::Statement(const SourceFile& file, Node ast, ByteSpan raw, uint32_t location_base, uint32_t index,
                     bool stand_in)
    : file_(&file),
      ast_(ast),
      body_(ast.body()),
      kind_(ast.kind()),
      node_kind_(pg::node_kind_from_name(kind_)),
      raw_(raw),
      location_base_(location_base),
      index_(index),
      begin_(skip_leading_trivia(file.text(), raw.begin, raw.end)),
      stand_in_(stand_in) {}

const std::vector<Token>& Statement::tokens() const {
  if (!tokens_) {
    tokens_ = lite_tokens(file_->text(), begin_, raw_.end);
  }
  return *tokens_;
}

ByteSpan Statement::span() const {
  // Rules ask for the span of most statements they look at, some several times: lexed once.
  if (!code_end_) {
    code_end_ = tokens_ ? (tokens_->empty() ? begin_ : tokens_->back().end)
                        : end_of_code(file_->text(), begin_, raw_.end);
  }
  return ByteSpan{begin_, *code_end_};
}

pg::RangeVar Statement::relation() const {
  return pg::RangeVar(body_["relation"].as_known_body());
}

const std::string& Statement::relation_name() const {
  if (!relation_name_) {
    relation_name_ = qualified_name(body_["relation"]);
  }
  return *relation_name_;
}

std::string_view Statement::text() const {
  ByteSpan s = span();
  return file_->text().substr(s.begin, s.end - s.begin);
}

uint32_t Statement::offset_of(Node node) const {
  return location_base_ + static_cast<uint32_t>(node["location"].integer());
}

ByteSpan Statement::span_from_token(TokenKind kind, uint32_t offset) const {
  ByteSpan whole = span();
  for (const Token& token : tokens()) {
    if (token.begin >= offset && token.is(kind)) {
      return ByteSpan{token.begin, whole.end};
    }
  }
  return whole;
}

ByteSpan Statement::subcommand_span(std::size_t command_index) const {
  ByteSpan whole = span();
  const auto& code = tokens();
  // Skip `ALTER TABLE [IF EXISTS] [ONLY] name [*]`: the relation name starts at its location.
  uint32_t name_offset = offset_of(body()["relation"]);
  std::size_t i = 0;
  while (i < code.size() && code[i].begin < name_offset) {
    ++i;
  }
  // The name: identifiers (or keywords used as names) joined by dots, then an optional `*`.
  if (i < code.size()) {
    ++i;
  }
  while (i + 1 < code.size() && code[i].is(TokenKind::Dot)) {
    i += 2;
  }
  if (i < code.size() && code[i].is(TokenKind::Star)) {
    ++i;
  }
  // Sub-commands are separated by commas outside parentheses.
  std::size_t current = 0;
  std::size_t start = i;
  int depth = 0;
  for (; i < code.size(); ++i) {
    if (code[i].is(TokenKind::OpenParen)) {
      ++depth;
    } else if (code[i].is(TokenKind::CloseParen)) {
      --depth;
    } else if (depth == 0 && code[i].is(TokenKind::Comma)) {
      if (current == command_index) {
        break;
      }
      ++current;
      start = i + 1;
    }
  }
  if (current != command_index || start >= code.size() || start >= i) {
    return whole;
  }
  return ByteSpan{code[start].begin, code[i - 1].end};
}

}  // namespace miglint
