#include "rules/batching.hpp"

#include <map>
#include <vector>

#include "rules/rule_support.hpp"

namespace miglint {

namespace {

bool is_constant(Node node) {
  if (node.is("A_Const") || node.is("ParamRef")) {
    return true;
  }
  // A scalar subquery, `(SELECT max(id) FROM t)`, is one value.
  if (Node sublink = node.as("SubLink")) {
    return sublink["subLinkType"].str() == "EXPR_SUBLINK";
  }
  if (Node cast = node.as("TypeCast")) {
    return is_constant(cast["arg"]);
  }
  if (Node array = node.as("A_ArrayExpr")) {
    for (Node element : array["elements"]) {
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
std::string column_name(Node node) {
  if (Node cast = node.as("TypeCast")) {
    return column_name(cast["arg"]);
  }
  Node fields = node.as("ColumnRef")["fields"];
  if (fields.size() == 0) {
    return {};
  }
  return std::string(fields.at(fields.size() - 1).string_value());  // "" for `t.*`
}

void conjuncts(Node expr, std::vector<Node>& out) {
  Node bool_expr = expr.as("BoolExpr");
  if (bool_expr && bool_expr["boolop"].str() == "AND_EXPR") {
    for (Node arg : bool_expr["args"]) {
      conjuncts(arg, out);
    }
    return;
  }
  out.push_back(expr);
}

std::string_view operator_name(Node a_expr) {
  Node names = a_expr["name"];
  return names.at(names.size() - 1).string_value();
}

class BatchAnalysis {
 public:
  explicit BatchAnalysis(Node with_clause) { learn_ctes(with_clause); }

  bool batched(Node where_clause, Node join_sources) const {
    // A join against a limited source bounds the rows only through a join condition.
    for (Node source : join_sources) {
      if (where_clause && is_limited_source(source)) {
        return true;
      }
    }
    std::vector<Node> parts;
    if (where_clause) {
      conjuncts(where_clause, parts);
    }
    std::map<std::string, int> bounds;  // column -> bit 1: lower bound, bit 2: upper bound
    for (Node part : parts) {
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
  void learn_ctes(Node with_clause) const {
    for (Node cte : with_clause["ctes"]) {
      Node common = cte.as("CommonTableExpr");
      if (is_limited(common["ctequery"])) {
        limited_ctes_.emplace_back(common["ctename"].str());
      }
    }
  }

  // A SELECT with LIMIT (or FETCH FIRST), or one reading from a CTE with LIMIT (its own or the
  // statement's).
  bool is_limited(Node query) const {
    Node select = query.as("SelectStmt");
    if (!select) {
      return false;
    }
    learn_ctes(select["withClause"]);
    // LIMIT ALL is a NULL limit: no bound at all.
    if (Node limit = select["limitCount"]; limit && !limit.as("A_Const")["isnull"].boolean()) {
      return true;
    }
    for (Node source : select["fromClause"]) {
      if (is_limited_source(source)) {
        return true;
      }
    }
    return false;
  }

  bool is_limited_source(Node source) const {
    if (Node subselect = source.as("RangeSubselect")) {
      return is_limited(subselect["subquery"]);
    }
    if (Node range_var = source.as("RangeVar")) {
      if (!range_var["schemaname"].str().empty()) {
        return false;
      }
      for (const std::string& cte : limited_ctes_) {
        if (cte == range_var["relname"].str()) {
          return true;
        }
      }
      return false;
    }
    if (Node join = source.as("JoinExpr")) {
      return is_limited_source(join["larg"]) || is_limited_source(join["rarg"]);
    }
    return false;
  }

  bool is_batch_conjunct(Node part) const {
    if (Node sublink = part.as("SubLink")) {
      // x IN (SELECT ... LIMIT n), x = ANY (SELECT ... LIMIT n); not x > ANY (...)
      Node op = sublink["operName"];
      bool equality = op.size() == 0 || op.at(op.size() - 1).string_value() == "=";
      return sublink["subLinkType"].str() == "ANY_SUBLINK" && equality && is_limited(sublink["subselect"]);
    }
    if (part.is("CurrentOfExpr")) {
      return true;  // WHERE CURRENT OF cursor: one row
    }
    Node expr = part.as("A_Expr");
    if (!expr) {
      return false;
    }
    std::string_view kind = expr["kind"].str();
    Node left = expr["lexpr"];
    Node right = expr["rexpr"];
    if (kind == "AEXPR_OP" && operator_name(expr) == "=") {
      return (!column_name(left).empty() && is_constant(right)) ||
             (!column_name(right).empty() && is_constant(left));
    }
    if (kind == "AEXPR_IN" && operator_name(expr) == "=") {
      Node items = right.as("List")["items"];
      for (Node item : items) {
        if (!is_constant(item)) {
          return false;
        }
      }
      return items.size() > 0 && !column_name(left).empty();
    }
    if (kind == "AEXPR_OP_ANY" && operator_name(expr) == "=") {
      if (is_constant(right)) {
        return !column_name(left).empty();
      }
      // = ANY(ARRAY(SELECT ... LIMIT n))
      Node sublink = right.as("SubLink");
      return sublink && sublink["subLinkType"].str() == "ARRAY_SUBLINK" && is_limited(sublink["subselect"]);
    }
    if (kind == "AEXPR_BETWEEN" || kind == "AEXPR_BETWEEN_SYM") {
      Node range = right.as("List")["items"];
      return !column_name(left).empty() && range.size() == 2 && is_constant(range.at(0)) &&
             is_constant(range.at(1));
    }
    return false;
  }

  static void record_bound(Node part, std::map<std::string, int>& bounds) {
    Node expr = part.as("A_Expr");
    if (!expr || expr["kind"].str() != "AEXPR_OP") {
      return;
    }
    std::string_view op = operator_name(expr);
    bool greater = op == ">" || op == ">=";
    bool less = op == "<" || op == "<=";
    if (!greater && !less) {
      return;
    }
    Node left = expr["lexpr"];
    Node right = expr["rexpr"];
    if (std::string column = column_name(left); !column.empty() && is_constant(right)) {
      bounds[column] |= greater ? 1 : 2;  // id > a: lower bound
    } else if (std::string reversed = column_name(right); !reversed.empty() && is_constant(left)) {
      bounds[reversed] |= greater ? 2 : 1;  // a > id: upper bound
    }
  }

  mutable std::vector<std::string> limited_ctes_;
};

}  // namespace

bool is_batched_dml(Node dml_stmt) {
  BatchAnalysis analysis(dml_stmt["withClause"]);
  Node join_sources = dml_stmt["fromClause"] ? dml_stmt["fromClause"] : dml_stmt["usingClause"];
  return analysis.batched(dml_stmt["whereClause"], join_sources);
}

void check_unbatched_dml(const Statement& statement, const MigrationContext& context, RuleOutput& out,
                         std::string_view verb) {
  Node stmt = statement.body();
  std::string table = statement.relation_name();
  if (context.created_in_file(table) || is_batched_dml(stmt)) {
    return;
  }
  std::string scope = stmt["whereClause"] ? "every row that matches its WHERE clause, in one statement"
                                          : "every row of the table (it has no WHERE clause)";
  std::string held;
  if (context.in_transaction()) {
    if (auto locked = context.access_exclusive_held_on_existing()) {
      held = fmt::format(
          "; it also runs in the same transaction as DDL holding ACCESS EXCLUSIVE on {}, which "
          "stays locked for reads and writes until the {} finishes and the transaction commits",
          quote_name(locked->starts_with("public.") ? locked->substr(7) : *locked), verb);
    }
  }
  out.report(
      statement.span(),
      fmt::format("{} of table {} is not batched: it touches {}, holding ROW EXCLUSIVE on {} and a lock on "
                  "every touched row until the transaction ends{}",
                  verb, quote_name(display_name(stmt["relation"])), scope,
                  quote_name(display_name(stmt["relation"])), held),
      fmt::format("Run the {} in batches outside the schema migration: bound each batch by a key range "
                  "(`WHERE id >= $1 AND id < $2`) or by a subquery with LIMIT (`WHERE id IN (SELECT id ... "
                  "LIMIT 1000 FOR UPDATE SKIP LOCKED)`), committing after each batch.",
                  verb));
}

}  // namespace miglint
