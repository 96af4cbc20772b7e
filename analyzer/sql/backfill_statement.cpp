#include "analyzer/sql/backfill_statement.hpp"

#include <algorithm>

#include "analyzer/sql/pg_nodes.hpp"
#include "analyzer/sql/tokens.hpp"
#include "analyzer/text/ascii.hpp"

namespace miglint {

namespace {

std::string quoted(std::string_view name) {
  std::string text = "\"";
  for (char c : name) {
    text += c;
    if (c == '"') {
      text += '"';
    }
  }
  return text + "\"";
}

bool equals_ignoring_case(std::string_view text, std::string_view lower) {
  return text.size() == lower.size() && std::equal(text.begin(), text.end(), lower.begin(),
                                                   [](char a, char b) { return ascii_lower(a) == b; });
}

pg::RangeVar target_relation(const Statement& statement) {
  if (auto update = statement.as<pg::UpdateStmt>()) {
    return update.relation();
  }
  if (auto delete_stmt = statement.as<pg::DeleteStmt>()) {
    return delete_stmt.relation();
  }
  return pg::RangeVar();
}

}  // namespace

namespace {

// Offsets where `miglint-backfill` is written, in any case.
std::vector<uint32_t> keyword_offsets(std::string_view text) {
  constexpr std::string_view kKeyword = "miglint-backfill";
  std::vector<uint32_t> found;
  for (std::size_t at = text.find('-'); at != std::string_view::npos; at = text.find('-', at + 1)) {
    // `-backfill` at `at`, `miglint` before it.
    if (at < 7 || at + 9 > text.size() ||
        !equals_ignoring_case(text.substr(at - 7, kKeyword.size()), kKeyword)) {
      continue;
    }
    found.push_back(static_cast<uint32_t>(at - 7));
  }
  return found;
}

// The directives in the comments of text [begin, end).
void read_window(std::string_view text, uint32_t begin, uint32_t end, std::vector<BackfillDirective>& out) {
  for (const Token& token : scan_tokens(text.substr(begin, end - begin), begin, nullptr)) {
    if (!token.is_comment()) {
      continue;
    }
    std::string_view comment = text.substr(token.begin, token.end - token.begin);
    if (comment.starts_with("--")) {
      comment.remove_prefix(2);
    } else if (comment.starts_with("/*") && comment.ends_with("*/") && comment.size() >= 4) {
      comment = comment.substr(2, comment.size() - 4);
    }
    while (!comment.empty() && is_ascii_space(comment.front())) {
      comment.remove_prefix(1);
    }
    while (!comment.empty() && is_ascii_space(comment.back())) {
      comment.remove_suffix(1);
    }
    if (std::optional<BackfillDirective> directive =
            read_backfill_directive(comment, ByteSpan{token.begin, token.end})) {
      out.push_back(std::move(*directive));
    }
  }
}

}  // namespace

std::vector<BackfillUse> resolve_backfills(const FileModel& model) {
  std::vector<BackfillUse> uses;
  std::string_view text = model.source->text();
  std::vector<uint32_t> offsets = keyword_offsets(text);
  if (offsets.empty() || model.embedded != nullptr) {
    return uses;
  }
  // Each mention is scanned within the statement text around it (from the start of the statement's
  // raw span, which holds the comments before it, to the start of the next): the scanner never holds
  // a large file whole, and a mention inside a string literal is no comment.
  std::vector<BackfillDirective> directives;
  uint32_t scanned_until = 0;
  bool scanned_any = false;
  for (uint32_t offset : offsets) {
    if (scanned_any && offset < scanned_until) {
      continue;
    }
    auto after =
        std::upper_bound(model.places.begin(), model.places.end(), offset,
                         [](uint32_t at, const StatementPlace& place) { return at < place.raw.begin; });
    uint32_t begin = after == model.places.begin() ? 0 : (after - 1)->raw.begin;
    uint32_t end = after == model.places.end() ? static_cast<uint32_t>(text.size()) : after->raw.begin;
    if (scanned_any && begin < scanned_until) {
      begin = scanned_until;
    }
    read_window(text, begin, end, directives);
    scanned_until = end;
    scanned_any = true;
  }
  for (BackfillDirective& directive : directives) {
    BackfillUse use{std::move(directive), std::nullopt, {}};
    use.problem = use.directive.problem;
    if (use.problem.empty()) {
      auto next = std::lower_bound(model.places.begin(), model.places.end(), use.directive.span.end,
                                   [](const StatementPlace& place, uint32_t at) { return place.begin < at; });
      if (next == model.places.end()) {
        use.problem = "no statement follows it (it goes right before the UPDATE or DELETE it batches)";
      } else if (next->kind != pg::NodeKind::UpdateStmt && next->kind != pg::NodeKind::DeleteStmt) {
        use.problem = "the statement after it is not an UPDATE or a DELETE (only those can be batched)";
      } else {
        use.statement = static_cast<std::size_t>(next - model.places.begin());
      }
    }
    uses.push_back(std::move(use));
  }
  return uses;
}

std::string backfill_statement_problem(const Statement& statement, std::string_view key) {
  pg::WithClause with;
  pg::AnyNode where_clause;
  bool joins = false;
  bool returns = false;
  std::string_view verb;
  if (auto update = statement.as<pg::UpdateStmt>()) {
    with = update.with_clause();
    where_clause = update.where_clause();
    joins = !update.from_clause().empty();
    returns = !update.returning_list().empty();
    verb = "UPDATE";
    for (pg::AnyNode target : update.target_list()) {
      if (auto set = target.as<pg::ResTarget>(); set && set.name() == key) {
        return "it sets the key column `" + std::string(key) +
               "` itself: a row could move into a range not done yet and be changed twice";
      }
    }
  } else if (auto delete_stmt = statement.as<pg::DeleteStmt>()) {
    with = delete_stmt.with_clause();
    where_clause = delete_stmt.where_clause();
    joins = !delete_stmt.using_clause().empty();
    returns = !delete_stmt.returning_list().empty();
    verb = "DELETE";
  } else {
    return "it is not an UPDATE or a DELETE";
  }
  if (with) {
    return std::string("it has a WITH clause: write the ") + std::string(verb) +
           " on the table alone (a subquery in its WHERE is fine)";
  }
  if (joins) {
    return verb == "UPDATE" ? "it joins other tables (UPDATE ... FROM): use a subquery in its WHERE instead"
                            : "it joins other tables (DELETE ... USING): use a subquery in its WHERE instead";
  }
  if (returns) {
    return "it has RETURNING: the rows a batch returns would go nowhere";
  }
  if (where_clause && where_clause.is<pg::CurrentOfExpr>()) {
    return "WHERE CURRENT OF names one row of a cursor, nothing to batch";
  }
  return {};
}

std::string BackfillSql::range(std::optional<int64_t> after, int64_t upto) const {
  std::string text = after ? key_ref + " > " + std::to_string(*after) + " AND " : std::string();
  return text + key_ref + " <= " + std::to_string(upto);
}

std::string BackfillSql::batch(std::optional<int64_t> after, int64_t upto) const {
  if (condition.empty()) {
    return head + " WHERE " + range(after, upto);
  }
  return head + " WHERE (" + condition + ") AND " + range(after, upto);
}

Expected<BackfillSql> backfill_sql(const Statement& statement, std::string_view key) {
  if (std::string problem = backfill_statement_problem(statement, key); !problem.empty()) {
    return Error{problem};
  }
  pg::RangeVar relation = target_relation(statement);
  BackfillSql sql;
  sql.schema_given = !relation.schemaname().empty();
  std::string name = quoted(relation.relname());
  sql.table = sql.schema_given ? quoted(relation.schemaname()) + "." + name : name;
  std::string_view alias = relation.alias().aliasname();
  sql.from = (relation.inh() ? "" : "ONLY ") + sql.table + (alias.empty() ? "" : " AS " + quoted(alias));
  sql.key = quoted(key);
  sql.key_ref = (alias.empty() ? name : quoted(alias)) + "." + sql.key;
  // The statement's own WHERE is its last clause (FROM, USING and RETURNING are refused above): the
  // condition runs from the top-level WHERE keyword to the end of the statement.
  const SourceFile& file = statement.file();
  ByteSpan span = statement.span();
  std::string_view text = file.text();
  std::optional<Token> where;
  int depth = 0;
  for (const Token& token : lite_tokens(text, span.begin, span.end)) {
    if (token.is(TokenKind::OpenParen)) {
      ++depth;
    } else if (token.is(TokenKind::CloseParen)) {
      --depth;
    } else if (depth == 0 && token.is(TokenKind::Identifier) &&
               equals_ignoring_case(text.substr(token.begin, token.end - token.begin), "where")) {
      where = token;
    }
  }
  bool has_where =
      static_cast<bool>(statement.as<pg::UpdateStmt>() ? statement.as<pg::UpdateStmt>().where_clause()
                                                       : statement.as<pg::DeleteStmt>().where_clause());
  if (has_where != where.has_value()) {
    return Error{"cannot find the WHERE clause of this statement in its text"};
  }
  if (where) {
    sql.head = std::string(text.substr(span.begin, where->begin - span.begin));
    sql.condition = std::string(text.substr(where->end, span.end - where->end));
  } else {
    sql.head = std::string(text.substr(span.begin, span.end - span.begin));
  }
  return sql;
}

}  // namespace miglint
