#pragma once

#include <concepts>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "analyzer/sql/ast.hpp"
#include "analyzer/sql/pg_view_support.hpp"
#include "analyzer/sql/tokens.hpp"
#include "analyzer/text/source_file.hpp"

namespace miglint {

struct TypedColumn;  // rules/column_types.hpp: the rules' helper defines it, the statement keeps it
namespace pg {
class RangeVar;  // analyzer/sql/pg_nodes.hpp
}  // namespace pg

// The one currency every rule sees, whatever front end produced it: a parsed statement, where it
// is in its file, and the anchors rules report at.
class Statement {
 public:
  Statement(const SourceFile& file, Node ast, ByteSpan raw, uint32_t location_base, uint32_t index,
            bool stand_in = false);

  Node ast() const { return ast_; }                      // the wrapped node, {"IndexStmt": {...}}
  std::string_view kind() const { return kind_; }        // "IndexStmt"
  pg::NodeKind node_kind() const { return node_kind_; }  // pg::NodeKind::IndexStmt, found once
  // The statement as a typed view (analyzer/sql/pg_nodes.hpp), or an empty view when it is
  // another kind: `if (auto index = statement.as<pg::IndexStmt>()) ...`.
  template <class View>
  View as() const {
    return node_kind_ == View::kKind ? View(body_) : View();
  }
  Node body() const { return body_; }  // rules ask for it many times: found once
  // The statement as a node of any kind, for walks over every node below it (AnyNode::for_each_child).
  pg::AnyNode root() const { return pg::AnyNode(ast_); }
  uint32_t index() const { return index_; }  // position among the file's statements
  // The tree is a PostgreSQL 17 stand-in for a statement only newer PostgreSQL parses
  // (analyzer/sql/newer_syntax.hpp): text(), span() and tokens() are still the file's own.
  bool stand_in() const { return stand_in_; }
  const SourceFile& file() const { return *file_; }

  // From the first token (after leading comments) to just past the last token (no `;`).
  uint32_t begin() const { return begin_; }
  ByteSpan span() const;
  std::string_view text() const;

  // The qualified name ("schema.table", `public` when unqualified) of the body's `relation` field,
  // the table most statements act on, as qualified_name() gives it. Many rules ask: found once.
  const std::string& relation_name() const;
  // That `relation` field as a typed view (empty when the statement has none).
  pg::RangeVar relation() const;

  // The typed columns of this statement (rules/column_types.hpp), which seven rules ask for: kept
  // with the statement once the rules' helper has found them. A Statement is used by one thread at
  // a time.
  std::shared_ptr<const std::vector<TypedColumn>>& typed_columns_cache() const {
    return typed_columns_.value;
  }

  // File offset of a node's `location` field.
  uint32_t offset_of(Node node) const;
  template <class View>
  requires requires(View view) {
    { view.node() } -> std::same_as<Node>;
  }
  uint32_t offset_of(View view) const { return offset_of(view.node()); }

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
  pg::NodeKind node_kind_;
  ByteSpan raw_;
  uint32_t location_base_;
  uint32_t index_;
  uint32_t begin_;
  bool stand_in_;
  mutable std::optional<std::vector<Token>> tokens_;
  mutable std::optional<uint32_t> code_end_;  // end of the last token, found on first use
  mutable std::optional<std::string> relation_name_;
  // Typed columns point at this statement: a copied or moved statement starts without them and
  // finds its own.
  struct TypedColumnsCache {
    TypedColumnsCache() = default;
    TypedColumnsCache(const TypedColumnsCache& /*other*/) {}
    TypedColumnsCache(TypedColumnsCache&& /*other*/) noexcept {}
    TypedColumnsCache& operator=(const TypedColumnsCache& /*other*/) {
      value.reset();
      return *this;
    }
    TypedColumnsCache& operator=(TypedColumnsCache&& /*other*/) noexcept {
      value.reset();
      return *this;
    }
    ~TypedColumnsCache() = default;
    std::shared_ptr<const std::vector<TypedColumn>> value;
  };
  mutable TypedColumnsCache typed_columns_;
};

}  // namespace miglint
