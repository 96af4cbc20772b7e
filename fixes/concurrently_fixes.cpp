// CREATE INDEX, DROP INDEX and REINDEX made CONCURRENTLY. Such a statement cannot run inside a
// transaction block, so the fix depends on the transaction the file's plan runs it in:
//  - on its own (no wrapping, no BEGIN): the keyword is enough;
//  - in a transaction the migration tool or the runner opens around the file (or a dbmate
//    section): only when every other statement there can run outside one too (a SET that is not
//    LOCAL, another CONCURRENTLY operation, or one this pass makes concurrent); the file then says
//    so, with `-- miglint-no-transaction` on its first line (dbmate: `transaction:false` on the
//    section's marker);
//  - inside the file's own BEGIN ... COMMIT, or with statements that must stay in a transaction
//    together: no fix (splitting the migration is a decision for its author).
#include "fixes/concurrently_fixes.hpp"
#include "analyzer/sql/pg_nodes.hpp"

namespace miglint {

namespace {

// The keyword after which CONCURRENTLY goes: INDEX of CREATE [UNIQUE] INDEX and DROP INDEX, the
// object kind of REINDEX [(options)] INDEX | TABLE | SCHEMA | DATABASE.
std::optional<uint32_t> keyword_end(const Statement& statement) {
  const std::vector<Token>& tokens = statement.tokens();
  if (statement.node_kind() == pg::NodeKind::ReindexStmt) {
    int depth = 0;
    for (std::size_t i = 1; i < tokens.size(); ++i) {
      if (tokens[i].is(TokenKind::OpenParen)) {
        ++depth;
      } else if (tokens[i].is(TokenKind::CloseParen)) {
        --depth;
      } else if (depth == 0) {
        for (std::string_view kind : {"index", "table", "schema", "database"}) {
          if (is_word(statement, tokens[i], kind)) {
            return tokens[i].end;
          }
        }
        return std::nullopt;
      }
    }
    return std::nullopt;
  }
  for (std::size_t i = 1; i < tokens.size() && i < 3; ++i) {
    if (is_word(statement, tokens[i], "index")) {
      return tokens[i].end;
    }
  }
  return std::nullopt;
}

// The edit that takes the statement's section out of the transaction the tool or runner opens
// around it, or nullopt when the section's marker cannot be found.
std::optional<TextEdit> leave_transaction(const Statement& statement, const FileFixContext& context) {
  const SourceFile& source = statement.file();
  std::string_view text = source.text();
  const Section* marker = nullptr;
  for (const Section& section : context.directives.sections) {
    if (section.begin <= statement.begin()) {
      marker = &section;
    }
  }
  if (!context.directives.sections.empty()) {
    if (marker == nullptr || !marker->transactional) {
      return std::nullopt;
    }
    // `-- migrate:up` → `-- migrate:up transaction:false`, at the end of the comment's text.
    std::size_t end = text.find('\n', marker->begin);
    end = end == std::string_view::npos ? text.size() : end;
    while (end > marker->begin && (text[end - 1] == '\r' || text[end - 1] == ' ' || text[end - 1] == '\t')) {
      --end;
    }
    auto at = static_cast<uint32_t>(end);
    return make_edit(source, ByteSpan{at, at}, " transaction:false");
  }
  // At offset 0 (writing the file puts it after a byte-order mark: file_fixes.cpp).
  return make_edit(source, ByteSpan{0, 0}, with_file_line_endings(source, "-- miglint-no-transaction\n"));
}

}  // namespace

std::optional<Fix> fix_concurrently(const Finding& /*finding*/, const Statement& statement,
                                    const FileFixContext& context) {
  // CREATE INDEX CONCURRENTLY IF NOT EXISTS skips an INVALID index a failed build left behind
  // (concurrent-index-if-not-exists): dropping IF NOT EXISTS changes what the migration does on a
  // rerun, which is the author's call.
  if (auto index = statement.as<pg::IndexStmt>(); index && index.if_not_exists()) {
    return std::nullopt;
  }
  if (auto drop = statement.as<pg::DropStmt>()) {
    // DROP INDEX CONCURRENTLY takes one index and no CASCADE.
    if (drop.objects().size() != 1 || drop.behavior() == pg::DropBehavior::DROP_CASCADE) {
      return std::nullopt;
    }
  }
  std::optional<uint32_t> after = keyword_end(statement);
  if (!after) {
    return std::nullopt;
  }
  Fix fix;
  fix.description = "add CONCURRENTLY";
  fix.edits.push_back(make_edit(statement.file(), ByteSpan{*after, *after}, " CONCURRENTLY"));
  const TransactionSegment* segment = segment_of(context.plan, statement.index());
  const PlanSection* section = section_of(context.plan, statement.index());
  if (segment == nullptr || section == nullptr || segment->kind == TransactionSegment::Kind::Explicit) {
    return std::nullopt;
  }
  if (segment->kind == TransactionSegment::Kind::Wrapped) {
    for (std::size_t i = section->first; i < section->last; ++i) {
      if (i != statement.index() && !context.runs_outside_fine[i] &&
          !context.becoming_concurrent.contains(i)) {
        return std::nullopt;  // it must stay in the transaction with the others
      }
      if (context.plan.statements[i].control != TransactionControl::None) {
        return std::nullopt;
      }
    }
    std::optional<TextEdit> leave = leave_transaction(statement, context);
    if (!leave) {
      return std::nullopt;
    }
    fix.description = "add CONCURRENTLY and run the migration outside a transaction";
    fix.edits.insert(fix.edits.begin(), *leave);
  }
  return fix;
}

}  // namespace miglint
