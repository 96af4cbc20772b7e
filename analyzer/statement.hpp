#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "analyzer/ast.hpp"
#include "analyzer/source_file.hpp"
#include "analyzer/tokens.hpp"

namespace miglint {

// The one currency every rule sees, whatever front end produced it: a parsed statement, where it
// is in its file, and the anchors rules report at.
class Statement {
 public:
  Statement(const SourceFile& file, Node ast, ByteSpan raw, uint32_t location_base, uint32_t index);

  Node ast() const { return ast_; }                // the wrapped node, {"IndexStmt": {...}}
  std::string_view kind() const { return kind_; }  // "IndexStmt"
  Node body() const { return body_; }              // rules ask for it many times: found once
  uint32_t index() const { return index_; }        // position among the file's statements
  const SourceFile& file() const { return *file_; }

  // From the first token (after leading comments) to just past the last token (no `;`).
  uint32_t begin() const { return begin_; }
  ByteSpan span() const;
  std::string_view text() const;

  // File offset of a node's `location` field.
  uint32_t offset_of(Node node) const;

  // Anchors for findings. Each ends at the end of the statement unless said otherwise.
  // The span of the i-th sub-command of ALTER TABLE/INDEX/... (`ADD`, `DROP`, `ALTER`, `RENAME`...):
  // from its first token to just past its last token, without the separating comma.
  ByteSpan subcommand_span(std::size_t command_index) const;
  // From the first token of `kind` at or after `offset` to the end of the statement.
  ByteSpan span_from_token(TokenKind kind, uint32_t offset) const;

  // This statement's tokens, comments excluded (scanned on first use).
  const std::vector<Token>& tokens() const;

 private:
  const SourceFile* file_;
  Node ast_;
  Node body_;
  std::string_view kind_;
  ByteSpan raw_;
  uint32_t location_base_;
  uint32_t index_;
  uint32_t begin_;
  mutable std::optional<std::vector<Token>> tokens_;
};

}  // namespace miglint
