#include <map>
#include <set>
#include <string>
#include <vector>

#include "analyzer/model/schema.hpp"
#include "rules/column_types.hpp"
#include "rules/rule_support.hpp"

namespace miglint {

namespace {

// ALTER TYPE e ADD VALUE 'x' inside a transaction, then a statement of the same transaction that
// turns the literal 'x' into a value of e: PostgreSQL 12+ refuses the conversion until the
// transaction that added the value commits (enum.c, check_safe_enum_use: SQLSTATE 55P04, "unsafe
// use of new value"), so the statement fails and the migration rolls back. The context records the
// new labels per transaction (MigrationContext::record_enum_change, which knows the versions); this
// rule finds the literals that PostgreSQL converts to an enum: compared with a column or a cast
// value (=, <>, <, IN, BETWEEN, IS DISTINCT FROM, simple CASE), stored (INSERT VALUES and SELECT,
// UPDATE SET, ON CONFLICT DO UPDATE SET), set as a column default, or cast ('x'::e, CAST).

using LabelsByType = std::map<std::string, std::set<std::string>>;

// What a string literal becomes where it stands.
struct Target {
  enum class Kind { None, Unknown, Type };
  Kind kind = Kind::None;  // None: stays text (or is not converted to an enum); Unknown: a column
                           // whose type is not known here
  std::string type;        // Kind::Type: "order_status", "text", "order_status[]"

  static Target none() { return {}; }
  static Target unknown() { return {Kind::Unknown, {}}; }
  static Target of_type(std::string type) { return {Kind::Type, std::move(type)}; }
  bool converts() const { return kind != Kind::None; }
};

// The elements of an array literal '{a,"b c"}' (no nesting needed for labels).
std::vector<std::string> array_elements(std::string_view literal) {
  std::vector<std::string> out;
  if (literal.size() < 2 || literal.front() != '{' || literal.back() != '}') {
    return out;
  }
  std::string current;
  bool quoted = false;
  for (std::size_t i = 1; i + 1 < literal.size(); ++i) {
    char c = literal[i];
    if (c == '\\' && i + 2 < literal.size()) {
      current += literal[++i];
    } else if (c == '"') {
      quoted = !quoted;
    } else if (c == ',' && !quoted) {
      out.push_back(current);
      current.clear();
    } else if (quoted || (c != ' ' && c != '{' && c != '}')) {
      current += c;
    }
  }
  out.push_back(current);
  return out;
}

bool is_comparison(Node a_expr) {
  std::string_view kind = a_expr["kind"].str();
  if (kind == "AEXPR_IN" || kind == "AEXPR_DISTINCT" || kind == "AEXPR_NOT_DISTINCT" ||
      kind == "AEXPR_NULLIF" || kind == "AEXPR_BETWEEN" || kind == "AEXPR_NOT_BETWEEN" ||
      kind == "AEXPR_BETWEEN_SYM" || kind == "AEXPR_NOT_BETWEEN_SYM") {
    return true;
  }
  if (kind != "AEXPR_OP" && kind != "AEXPR_OP_ANY" && kind != "AEXPR_OP_ALL") {
    return false;
  }
  Node names = a_expr["name"];
  std::string_view op = names.at(names.size() - 1).string_value();
  return op == "=" || op == "<>" || op == "!=" || op == "<" || op == ">" || op == "<=" || op == ">=";
}

class LabelUses {
 public:
  LabelUses(const Statement& statement, const MigrationContext& context, const LabelsByType& labels,
            RuleOutput& out)
      : statement_(statement), context_(context), labels_(labels), out_(out) {}

  void run() {
    collect_tables(statement_.ast());
    walk(statement_.ast());
  }

 private:
  struct TableRef {
    std::string reference;  // the alias, or the table's own name, as column references qualify it
    std::string table;      // "public.orders"
  };

  // The tables whose columns the statement's column references can name.
  void collect_tables(Node node) {
    std::string_view kind = node.kind();
    if (kind == "RangeVar") {
      add_table(node.body());
    } else if (kind == "UpdateStmt" || kind == "DeleteStmt" || kind == "InsertStmt" || kind == "CreateStmt" ||
               kind == "AlterTableStmt" || kind == "IndexStmt") {
      add_table(node.body()["relation"]);
    }
    node.for_each_child([&](Node child) { collect_tables(child); });
  }
  void add_table(Node range_var) {
    if (!range_var) {
      return;
    }
    std::string_view alias = range_var["alias"]["aliasname"].str();
    tables_.push_back(
        TableRef{std::string(alias.empty() ? range_var["relname"].str() : alias), qualified_name(range_var)});
  }

  void walk(Node node) {
    std::string_view kind = node.kind();
    Node body = node.body();
    if (kind == "TypeCast") {
      use(body["arg"], Target::of_type(normalized_type_name(body["typeName"])));
    } else if (kind == "A_Expr" && is_comparison(body)) {
      comparison(body);
    } else if (kind == "CaseExpr") {
      case_expression(body);
    } else if (kind == "CoalesceExpr" || kind == "MinMaxExpr") {  // COALESCE, GREATEST, LEAST
      Target common = first_typed(body["args"], Node());
      for (Node arg : body["args"]) {
        use(arg, common);
      }
    } else if (kind == "UpdateStmt") {
      assignments(qualified_name(body["relation"]), body["targetList"]);
    } else if (kind == "InsertStmt") {
      insert(body);
    } else if (kind == "AlterTableStmt") {
      std::string table = qualified_name(body["relation"]);
      for (Node item : body["cmds"]) {
        Node cmd = item.as("AlterTableCmd");
        if (cmd["subtype"].str() == "AT_ColumnDefault") {
          use(cmd["def"], column_target(table, std::string(cmd["name"].str())));
        }
      }
    } else if (kind == "ColumnDef") {
      for (Node item : body["constraints"]) {
        Node constraint = item.as("Constraint");
        if (constraint["contype"].str() == "CONSTR_DEFAULT") {
          use(constraint["raw_expr"], Target::of_type(normalized_type_name(body["typeName"])));
        }
      }
    }
    node.for_each_child([&](Node child) { walk(child); });
  }

  void comparison(Node a_expr) {
    Node left = a_expr["lexpr"];
    Node right = a_expr["rexpr"];
    std::string_view kind = a_expr["kind"].str();
    if (kind == "AEXPR_OP_ANY" || kind == "AEXPR_OP_ALL") {
      // x = ANY('{a,b}'): the literal becomes an array of x's type. (ARRAY['a'] is text[], and then
      // fails for another reason.)
      Target element = operand_type(left);
      if (element.kind == Target::Kind::Type) {
        element.type += "[]";
      }
      use(right, element, /*array_literal=*/true);
      return;
    }
    Node left_row = left.as("RowExpr");
    Node right_row = right.as("RowExpr");
    if (left_row && right_row) {  // (status, id) = ('refunded', 1): pairwise
      for (std::size_t i = 0; i < left_row["args"].size() && i < right_row["args"].size(); ++i) {
        use(right_row["args"].at(i), operand_type(left_row["args"].at(i)));
        use(left_row["args"].at(i), operand_type(right_row["args"].at(i)));
      }
      return;
    }
    Target left_type = operand_type(left);
    Target right_type = operand_type(right);
    use(left, right_type);
    use(right, left_type);
  }

  // CASE x WHEN 'a' ...: each WHEN value is compared with x. The results take the type of the
  // first result that has one (a column, a cast); results that are all literals stay text.
  void case_expression(Node case_expr) {
    Target subject = operand_type(case_expr["arg"]);
    std::vector<Node> results;
    for (Node item : case_expr["args"]) {
      Node when = item.as("CaseWhen");
      if (subject.converts()) {
        use(when["expr"], subject);
      }
      results.push_back(when["result"]);
    }
    results.push_back(case_expr["defresult"]);
    Target common;
    for (Node result : results) {
      if (Target type = operand_type(result); type.converts()) {
        common = type;
        break;
      }
    }
    for (Node result : results) {
      use(result, common);
    }
  }

  Target first_typed(Node list, Node extra) {
    for (Node item : list) {
      if (Target type = operand_type(item); type.converts()) {
        return type;
      }
    }
    return operand_type(extra);
  }

  void assignments(const std::string& table, Node target_list) {
    for (Node item : target_list) {
      Node target = item.as("ResTarget");
      use(target["val"], column_target(table, std::string(target["name"].str())));
    }
  }

  void insert(Node insert_stmt) {
    std::string table = qualified_name(insert_stmt["relation"]);
    std::vector<Target> columns;
    for (Node item : insert_stmt["cols"]) {
      columns.push_back(column_target(table, std::string(item.as("ResTarget")["name"].str())));
    }
    // Without a column list the values go to the table's columns in order, which schema facts
    // do not keep: their types are unknown here.
    auto column_at = [&](std::size_t i) { return i < columns.size() ? columns[i] : Target::unknown(); };
    Node select = insert_stmt["selectStmt"].body();
    // A UNION's literals are resolved to text before they reach the table (and then fail to be
    // assigned to an enum column for another reason): only VALUES and a plain SELECT convert them.
    if (select["op"].str() == "SETOP_NONE" || !select["op"]) {
      for (Node row : select["valuesLists"]) {
        std::size_t i = 0;
        for (Node value : row.as("List")["items"]) {
          use(value, column_at(i++));
        }
      }
      std::size_t i = 0;
      for (Node item : select["targetList"]) {
        use(item.as("ResTarget")["val"], column_at(i++));
      }
    }
    assignments(table, insert_stmt["onConflictClause"]["targetList"]);
  }

  // The type an operand gives a literal it is compared with: a column's, or a cast's.
  Target operand_type(Node operand) {
    if (Node cast = operand.as("TypeCast")) {
      return Target::of_type(normalized_type_name(cast["typeName"]));
    }
    Node column_ref = operand.as("ColumnRef");
    if (!column_ref) {
      return Target::none();
    }
    Node fields = column_ref["fields"];
    std::string column(fields.at(fields.size() - 1).string_value());
    if (column.empty()) {
      return Target::none();  // t.*
    }
    std::string_view qualifier = fields.size() >= 2 ? fields.at(fields.size() - 2).string_value() : "";
    for (const TableRef& ref : tables_) {
      if (!qualifier.empty() && ref.reference != qualifier) {
        continue;
      }
      if (Target type = column_target(ref.table, column); type.kind == Target::Kind::Type) {
        return type;
      }
    }
    // Not a column of a table the statement names with a known type: a column of a table from
    // elsewhere, of a subquery or a CTE, or an output name. Unknown, not "not an enum".
    return Target::unknown();
  }

  // A column's type: declared by this statement (CREATE TABLE, ADD COLUMN), or known from earlier
  // statements and migrations.
  Target column_target(const std::string& table, const std::string& column) {
    for (const TypedColumn& typed : typed_columns(statement_)) {
      if (typed.column == column && qualified_name(typed.relation) == table) {
        return Target::of_type(normalized_type_name(typed.type_name));
      }
    }
    if (std::optional<std::string> type = context_.column_type(table, column)) {
      return Target::of_type(*type);
    }
    return Target::unknown();
  }

  // A literal converted to `target`: reported when it is a label new in this transaction.
  // `array_literal`: the literal is an array ('{a,b}') even where the target's type is unknown.
  void use(Node operand, const Target& target, bool array_literal = false) {
    if (!target.converts()) {
      return;
    }
    if (Node list = operand.as("List")) {  // IN (...), BETWEEN a AND b
      for (Node item : list["items"]) {
        use(item, target);
      }
      return;
    }
    Node constant = operand.as("A_Const");
    if (!constant || !constant["sval"]) {
      return;
    }
    std::string_view text = constant["sval"]["sval"].str();
    if (target.kind == Target::Kind::Unknown) {
      std::vector<std::string> values =
          array_literal ? array_elements(text) : std::vector<std::string>{std::string(text)};
      for (const std::string& value : values) {
        for (const auto& [type, labels] : labels_) {
          if (labels.contains(value)) {
            report(constant, value, type, false);
            return;
          }
        }
      }
      return;
    }
    std::string type = target.type;
    bool is_array = type.ends_with("[]");
    type = type.substr(0, type.find_first_of("[("));
    auto labels = labels_.find(type);
    if (labels == labels_.end()) {
      return;
    }
    std::vector<std::string> values =
        is_array ? array_elements(text) : std::vector<std::string>{std::string(text)};
    for (const std::string& value : values) {
      if (labels->second.contains(value)) {
        report(constant, value, type, true);
        return;
      }
    }
  }

  void report(Node constant, std::string_view label, const std::string& type, bool type_known) {
    uint32_t at = statement_.offset_of(constant);
    if (!reported_.insert(at).second) {
      return;
    }
    ByteSpan span = statement_.span();
    for (const Token& token : statement_.tokens()) {
      if (token.begin >= at) {
        span = ByteSpan{token.begin, token.end};
        break;
      }
    }
    out_.report(
        span,
        fmt::format(
            "'{}' was added to enum {} by ALTER TYPE ... ADD VALUE earlier in this transaction, and "
            "PostgreSQL refuses to use a new enum value before the transaction that added it commits: "
            "this statement fails with SQLSTATE 55P04 (unsafe use of new value \"{}\") and the "
            "migration rolls back{}",
            label, quote_name(type), label,
            type_known ? "" : " (the type of the column it meets is not known here; the label matches)"),
        "Commit the new value before using it: end the transaction after `ALTER TYPE ... ADD VALUE` (COMMIT, "
        "or a migration file of its own when the tool wraps each file in a transaction) and use the value in "
        "a "
        "later transaction.");
  }

  const Statement& statement_;
  const MigrationContext& context_;
  const LabelsByType& labels_;
  RuleOutput& out_;
  std::vector<TableRef> tables_;
  std::set<uint32_t> reported_;
};

void check(const Statement& statement, const MigrationContext& context, RuleOutput& out) {
  const LabelsByType& labels = context.transaction().uncommitted_enum_labels;
  if (labels.empty() || !context.in_transaction()) {
    return;
  }
  LabelUses(statement, context, labels, out).run();
}

}  // namespace

extern const Rule kEnumValueUsedInSameTransaction{
    .id = "enum-value-used-in-same-transaction",
    .severity = Severity::Error,
    .summary = "A new enum value used in the transaction that added it fails until that transaction commits.",
    .tags = {"correctness", "transaction"},
    .check = check,
    .version_dependent = true,
};

}  // namespace miglint
