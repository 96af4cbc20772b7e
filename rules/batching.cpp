#include "rules/batching.hpp"

#include <map>
#include <vector>

#include "rules/rule_support.hpp"

namespace miglint {

namespace {

bool is_constant(pg::AnyNode node) {
  if (node.is<pg::A_Const>() || node.is<pg::ParamRef>()) {
    return true;
  }
  // A scalar subquery, `(SELECT max(id) FROM t)`, is one value.
  if (auto sublink = node.as<pg::SubLink>()) {
    return sublink.sub_link_type() == pg::SubLinkType::EXPR_SUBLINK;
  }
  if (auto cast = node.as<pg::TypeCast>()) {
    return is_constant(cast.arg());
  }
  if (auto array = node.as<pg::A_ArrayExpr>()) {
    for (pg::AnyNode element : array.elements()) {
      if (!is_constant(element)) {
        return false;
      }
    }
    return true;
  }
  return false;
}

// The column of a column reference ("id" for `t.id` too, so that `t.id >= 1 AND id < 9` is one
// column's range), "" for anything else.
std::string column_name(pg::AnyNode node) {
  if (auto cast = node.as<pg::TypeCast>()) {
    return column_name(cast.arg());
  }
  auto fields = node.as<pg::ColumnRef>().fields();
  if (fields.empty()) {
    return {};
  }
  return std::string(fields[fields.size() - 1].as<pg::String>().sval());  // "" for `t.*`
}

void conjuncts(pg::AnyNode expr, std::vector<pg::AnyNode>& out) {
  auto bool_expr = expr.as<pg::BoolExpr>();
  if (bool_expr && bool_expr.boolop() == pg::BoolExprType::AND_EXPR) {
    for (pg::AnyNode arg : bool_expr.args()) {
      conjuncts(arg, out);
    }
    return;
  }
  out.push_back(expr);
}

// The last part of an operator's name: "=" for `=` and for `OPERATOR(pg_catalog.=)`.
std::string_view operator_name(pg::Repeated<pg::AnyNode> names) {
  return names[names.size() - 1].as<pg::String>().sval();
}

class BatchAnalysis {
 public:
  explicit BatchAnalysis(pg::WithClause with_clause) { learn_ctes(with_clause); }

  bool batched(pg::AnyNode where_clause, pg::Repeated<pg::AnyNode> join_sources) const {
    // A join against a limited source bounds the rows only through a join condition.
    for (pg::AnyNode source : join_sources) {
      if (where_clause && is_limited_source(source)) {
        return true;
      }
    }
    std::vector<pg::AnyNode> parts;
    if (where_clause) {
      conjuncts(where_clause, parts);
    }
    std::map<std::string, int> bounds;  // column -> bit 1: lower bound, bit 2: upper bound
    for (pg::AnyNode part : parts) {
      if (is_batch_conjunct(part)) {
        return true;
      }
      record_bound(part, bounds);
    }
    for (const auto& [column, sides] : bounds) {
      if (sides == 3) {
        return true;
      }
    }
    return false;
  }

 private:
  // Remembers the CTEs of a WITH clause that have LIMIT.
  void learn_ctes(pg::WithClause with_clause) const {
    for (pg::AnyNode cte : with_clause.ctes()) {
      auto common = cte.as<pg::CommonTableExpr>();
      if (is_limited(common.ctequery())) {
        limited_ctes_.emplace_back(common.ctename());
      }
    }
  }

  // A SELECT with LIMIT (or FETCH FIRST), or one reading from a CTE with LIMIT (its own or the
  // statement's).
  bool is_limited(pg::AnyNode query) const {
    auto select = query.as<pg::SelectStmt>();
    if (!select) {
      return false;
    }
    learn_ctes(select.with_clause());
    // LIMIT ALL is a NULL limit: no bound at all.
    if (pg::AnyNode limit = select.limit_count(); limit && !limit.as<pg::A_Const>().isnull()) {
      return true;
    }
    for (pg::AnyNode source : select.from_clause()) {
      if (is_limited_source(source)) {
        return true;
      }
    }
    return false;
  }

  bool is_limited_source(pg::AnyNode source) const {
    if (auto subselect = source.as<pg::RangeSubselect>()) {
      return is_limited(subselect.subquery());
    }
    if (auto range_var = source.as<pg::RangeVar>()) {
      if (!range_var.schemaname().empty()) {
        return false;
      }
      for (const std::string& cte : limited_ctes_) {
        if (cte == range_var.relname()) {
          return true;
        }
      }
      return false;
    }
    if (auto join = source.as<pg::JoinExpr>()) {
      return is_limited_source(join.larg()) || is_limited_source(join.rarg());
    }
    return false;
  }

  bool is_batch_conjunct(pg::AnyNode part) const {
    if (auto sublink = part.as<pg::SubLink>()) {
      // x IN (SELECT ... LIMIT n), x = ANY (SELECT ... LIMIT n); not x > ANY (...)
      auto op = sublink.oper_name();
      bool equality = op.empty() || operator_name(op) == "=";
      return sublink.sub_link_type() == pg::SubLinkType::ANY_SUBLINK && equality &&
             is_limited(sublink.subselect());
    }
    if (part.is<pg::CurrentOfExpr>()) {
      return true;  // WHERE CURRENT OF cursor: one row
    }
    auto expr = part.as<pg::A_Expr>();
    if (!expr) {
      return false;
    }
    using enum pg::A_Expr_Kind;
    pg::Enum<pg::A_Expr_Kind> kind = expr.kind();
    pg::AnyNode left = expr.lexpr();
    pg::AnyNode right = expr.rexpr();
    if (kind == AEXPR_OP && operator_name(expr.name()) == "=") {
      return (!column_name(left).empty() && is_constant(right)) ||
             (!column_name(right).empty() && is_constant(left));
    }
    if (kind == AEXPR_IN && operator_name(expr.name()) == "=") {
      auto items = right.as<pg::List>().items();
      for (pg::AnyNode item : items) {
        if (!is_constant(item)) {
          return false;
        }
      }
      return !items.empty() && !column_name(left).empty();
    }
    if (kind == AEXPR_OP_ANY && operator_name(expr.name()) == "=") {
      if (is_constant(right)) {
        return !column_name(left).empty();
      }
      // = ANY(ARRAY(SELECT ... LIMIT n))
      auto sublink = right.as<pg::SubLink>();
      return sublink && sublink.sub_link_type() == pg::SubLinkType::ARRAY_SUBLINK &&
             is_limited(sublink.subselect());
    }
    if (kind == AEXPR_BETWEEN || kind == AEXPR_BETWEEN_SYM) {
      auto range = right.as<pg::List>().items();
      return !column_name(left).empty() && range.size() == 2 && is_constant(range[0]) &&
             is_constant(range[1]);
    }
    return false;
  }

  static void record_bound(pg::AnyNode part, std::map<std::string, int>& bounds) {
    auto expr = part.as<pg::A_Expr>();
    if (!expr) {
      return;
    }
    if (pg::Enum<pg::A_Expr_Kind> kind = expr.kind(); kind != pg::A_Expr_Kind::AEXPR_OP) {
      return;
    }
    std::string_view op = operator_name(expr.name());
    bool greater = op == ">" || op == ">=";
    bool less = op == "<" || op == "<=";
    if (!greater && !less) {
      return;
    }
    pg::AnyNode left = expr.lexpr();
    pg::AnyNode right = expr.rexpr();
    if (std::string column = column_name(left); !column.empty() && is_constant(right)) {
      bounds[column] |= greater ? 1 : 2;  // id > a: lower bound
    } else if (std::string reversed = column_name(right); !reversed.empty() && is_constant(left)) {
      bounds[reversed] |= greater ? 2 : 1;  // a > id: upper bound
    }
  }

  mutable std::vector<std::string> limited_ctes_;
};

}  // namespace

bool is_batched_dml(pg::UpdateStmt update) {
  return BatchAnalysis(update.with_clause()).batched(update.where_clause(), update.from_clause());
}

bool is_batched_dml(pg::DeleteStmt delete_stmt) {
  return BatchAnalysis(delete_stmt.with_clause())
      .batched(delete_stmt.where_clause(), delete_stmt.using_clause());
}

void check_unbatched_dml(const Statement& statement, const MigrationContext& context, RuleOutput& out,
                         std::string_view verb) {
  std::string table = statement.relation_name();
  if (context.created_in_file(table)) {
    return;
  }
  pg::RangeVar relation;
  pg::AnyNode where_clause;
  if (auto update = statement.as<pg::UpdateStmt>()) {
    if (is_batched_dml(update)) {
      return;
    }
    relation = update.relation();
    where_clause = update.where_clause();
  } else if (auto delete_stmt = statement.as<pg::DeleteStmt>()) {
    if (is_batched_dml(delete_stmt)) {
      return;
    }
    relation = delete_stmt.relation();
    where_clause = delete_stmt.where_clause();
  } else {
    return;
  }
  std::string scope = where_clause ? "every row that matches its WHERE clause, in one statement"
                                   : "every row of the table (it has no WHERE clause)";
  std::string held;
  if (context.in_transaction()) {
    if (auto locked = context.access_exclusive_held_on_existing()) {
      held = fmt::format(
          "; it also runs in the same transaction as DDL holding {} on {}, which stays locked for reads "
          "and writes until the {} finishes and the transaction commits",
          lock_mode_name(LockMode::AccessExclusive),
          quote_name(locked->starts_with("public.") ? locked->substr(7) : *locked), verb);
    }
  }
  out.report(
      statement.span(),
      fmt::format(
          "{} of table {} is not batched: it touches {}, holding {} on {} and a lock on every touched "
          "row until the transaction ends{}",
          verb, quote_name(display_name(relation)), scope, lock_mode_name(lock_on(context, table)),
          quote_name(display_name(relation)), held),
      fmt::format("Run the {} in batches outside the schema migration: put `-- miglint-backfill batch=5000 "
                  "sleep=100ms key=id` on the line before it and `miglint run` executes it in key-range "
                  "batches after the schema changes commit, each batch its own transaction; or bound each "
                  "batch yourself by a key range (`WHERE id >= $1 AND id < $2`) or by a subquery with LIMIT "
                  "(`WHERE id IN (SELECT id ... LIMIT 1000 FOR UPDATE SKIP LOCKED)`), committing after each "
                  "batch.",
                  verb),
      table_ref(relation));
}

}  // namespace miglint
