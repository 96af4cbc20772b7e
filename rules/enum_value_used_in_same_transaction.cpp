#include <map>
#include <set>
#include <string>
#include <vector>

#include "analyzer/model/schema.hpp"
#include "rules/alter_table_support.hpp"
#include "rules/column_types.hpp"

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

bool is_comparison(pg::A_Expr a_expr) {
  using enum pg::A_Expr_Kind;
  switch (a_expr.kind().value()) {
    case AEXPR_IN:
    case AEXPR_DISTINCT:
    case AEXPR_NOT_DISTINCT:
    case AEXPR_NULLIF:
    case AEXPR_BETWEEN:
    case AEXPR_NOT_BETWEEN:
    case AEXPR_BETWEEN_SYM:
    case AEXPR_NOT_BETWEEN_SYM:
      return true;
    case AEXPR_OP:
    case AEXPR_OP_ANY:
    case AEXPR_OP_ALL: {
      auto names = a_expr.name();
      std::string_view op = names[names.size() - 1].as<pg::String>().sval();
      return op == "=" || op == "<>" || op == "!=" || op == "<" || op == ">" || op == "<=" || op == ">=";
    }
    default:
      return false;
  }
}

class LabelUses {
 public:
  LabelUses(const Statement& statement, const MigrationContext& context, const LabelsByType& labels,
            RuleOutput& out)
      : statement_(statement), context_(context), labels_(labels), out_(out) {}

  void run() {
    collect_tables(statement_.root());
    walk(statement_.root());
  }

 private:
  struct TableRef {
    std::string reference;  // the alias, or the table's own name, as column references qualify it
    std::string table;      // "public.orders"
  };

  // The tables whose columns the statement's column references can name. The walks visit every
  // node of the statement (a literal can stand in any expression); they look at the kinds below.
  void collect_tables(pg::AnyNode any) {
    switch (any.kind()) {
      case NodeKind::RangeVar:
        add_table(any.as<pg::RangeVar>());
        break;
      case NodeKind::UpdateStmt:
        add_table(any.as<pg::UpdateStmt>().relation());
        break;
      case NodeKind::DeleteStmt:
        add_table(any.as<pg::DeleteStmt>().relation());
        break;
      case NodeKind::InsertStmt:
        add_table(any.as<pg::InsertStmt>().relation());
        break;
      case NodeKind::CreateStmt:
        add_table(any.as<pg::CreateStmt>().relation());
        break;
      case NodeKind::AlterTableStmt:
        add_table(any.as<pg::AlterTableStmt>().relation());
        break;
      case NodeKind::IndexStmt:
        add_table(any.as<pg::IndexStmt>().relation());
        break;
      default:
        break;
    }
    any.for_each_child([&](pg::AnyNode child) { collect_tables(child); });
  }
  void add_table(pg::RangeVar range_var) {
    if (!range_var) {
      return;
    }
    std::string_view alias = range_var.alias().aliasname();
    tables_.push_back(
        TableRef{std::string(alias.empty() ? range_var.relname() : alias), qualified_name(range_var)});
  }

  void walk(pg::AnyNode any) {
    switch (any.kind()) {
      case NodeKind::TypeCast: {
        auto cast = any.as<pg::TypeCast>();
        use(cast.arg(), Target::of_type(normalized_type_name(cast.type_name())));
        break;
      }
      case NodeKind::A_Expr:
        if (auto a_expr = any.as<pg::A_Expr>(); is_comparison(a_expr)) {
          comparison(a_expr);
        }
        break;
      case NodeKind::CaseExpr:
        case_expression(any.as<pg::CaseExpr>());
        break;
      case NodeKind::CoalesceExpr:
        common_type(any.as<pg::CoalesceExpr>().args());
        break;
      case NodeKind::MinMaxExpr:  // GREATEST, LEAST
        common_type(any.as<pg::MinMaxExpr>().args());
        break;
      case NodeKind::UpdateStmt: {
        auto update = any.as<pg::UpdateStmt>();
        assignments(qualified_name(update.relation()), update.target_list());
        break;
      }
      case NodeKind::InsertStmt:
        insert(any.as<pg::InsertStmt>());
        break;
      case NodeKind::AlterTableStmt: {
        auto alter = any.as<pg::AlterTableStmt>();
        std::string table = qualified_name(alter.relation());
        for (const AlterCommand& command : alter_commands(statement_, alter)) {
          if (command.subtype() == pg::AlterTableType::AT_ColumnDefault) {
            use(command.def(), column_target(table, std::string(command.name())));
          }
        }
        break;
      }
      case NodeKind::ColumnDef: {
        auto column_def = any.as<pg::ColumnDef>();
        for (pg::AnyNode item : column_def.constraints()) {
          auto constraint = item.as<pg::Constraint>();
          if (constraint.contype() == pg::ConstrType::CONSTR_DEFAULT) {
            use(constraint.raw_expr(), Target::of_type(normalized_type_name(column_def.type_name())));
          }
        }
        break;
      }
      default:
        break;
    }
    any.for_each_child([&](pg::AnyNode child) { walk(child); });
  }

  // COALESCE, GREATEST, LEAST: the literals among the arguments take the type of the first
  // argument that has one.
  void common_type(pg::Repeated<pg::AnyNode> args) {
    Target common = first_typed(args);
    for (pg::AnyNode arg : args) {
      use(arg, common);
    }
  }

  void comparison(pg::A_Expr a_expr) {
    pg::AnyNode left = a_expr.lexpr();
    pg::AnyNode right = a_expr.rexpr();
    pg::Enum<pg::A_Expr_Kind> kind = a_expr.kind();
    if (kind == pg::A_Expr_Kind::AEXPR_OP_ANY || kind == pg::A_Expr_Kind::AEXPR_OP_ALL) {
      // x = ANY('{a,b}'): the literal becomes an array of x's type. (ARRAY['a'] is text[], and then
      // fails for another reason.)
      Target element = operand_type(left);
      if (element.kind == Target::Kind::Type) {
        element.type += "[]";
      }
      use(right, element, /*array_literal=*/true);
      return;
    }
    auto left_row = left.as<pg::RowExpr>();
    auto right_row = right.as<pg::RowExpr>();
    if (left_row && right_row) {  // (status, id) = ('refunded', 1): pairwise
      auto left_args = left_row.args();
      auto right_args = right_row.args();
      for (std::size_t i = 0; i < left_args.size() && i < right_args.size(); ++i) {
        use(right_args[i], operand_type(left_args[i]));
        use(left_args[i], operand_type(right_args[i]));
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
  void case_expression(pg::CaseExpr case_expr) {
    Target subject = operand_type(case_expr.arg());
    std::vector<pg::AnyNode> results;
    for (pg::AnyNode item : case_expr.args()) {
      auto when = item.as<pg::CaseWhen>();
      if (subject.converts()) {
        use(when.expr(), subject);
      }
      results.push_back(when.result());
    }
    results.push_back(case_expr.defresult());
    Target common;
    for (pg::AnyNode result : results) {
      if (Target type = operand_type(result); type.converts()) {
        common = type;
        break;
      }
    }
    for (pg::AnyNode result : results) {
      use(result, common);
    }
  }

  // The type of the first item that has one, else none.
  Target first_typed(pg::Repeated<pg::AnyNode> list) {
    for (pg::AnyNode item : list) {
      if (Target type = operand_type(item); type.converts()) {
        return type;
      }
    }
    return Target::none();
  }

  void assignments(const std::string& table, pg::Repeated<pg::AnyNode> target_list) {
    for (pg::AnyNode item : target_list) {
      auto target = item.as<pg::ResTarget>();
      use(target.val(), column_target(table, std::string(target.name())));
    }
  }

  void insert(pg::InsertStmt insert_stmt) {
    std::string table = qualified_name(insert_stmt.relation());
    std::vector<Target> columns;
    for (pg::AnyNode item : insert_stmt.cols()) {
      columns.push_back(column_target(table, std::string(item.as<pg::ResTarget>().name())));
    }
    // Without a column list the values go to the table's columns in order, which schema facts
    // do not keep: their types are unknown here.
    auto column_at = [&](std::size_t i) { return i < columns.size() ? columns[i] : Target::unknown(); };
    // The query of INSERT ... VALUES / SELECT (none for DEFAULT VALUES).
    auto select = insert_stmt.select_stmt().as<pg::SelectStmt>();
    // A UNION's literals are resolved to text before they reach the table (and then fail to be
    // assigned to an enum column for another reason): only VALUES and a plain SELECT convert them.
    if (select.op() == pg::SetOperation::SETOP_NONE ||
        select.op() == pg::SetOperation::SET_OPERATION_UNDEFINED) {
      for (pg::AnyNode row : select.values_lists()) {
        std::size_t i = 0;
        for (pg::AnyNode value : row.as<pg::List>().items()) {
          use(value, column_at(i++));
        }
      }
      std::size_t i = 0;
      for (pg::AnyNode item : select.target_list()) {
        use(item.as<pg::ResTarget>().val(), column_at(i++));
      }
    }
    assignments(table, insert_stmt.on_conflict_clause().target_list());
  }

  // The type an operand gives a literal it is compared with: a column's, or a cast's.
  Target operand_type(pg::AnyNode operand) {
    if (auto cast = operand.as<pg::TypeCast>()) {
      return Target::of_type(normalized_type_name(cast.type_name()));
    }
    auto column_ref = operand.as<pg::ColumnRef>();
    if (!column_ref) {
      return Target::none();
    }
    auto fields = column_ref.fields();
    std::string column(fields[fields.size() - 1].as<pg::String>().sval());
    if (column.empty()) {
      return Target::none();  // t.*
    }
    std::string_view qualifier = fields.size() >= 2 ? fields[fields.size() - 2].as<pg::String>().sval() : "";
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
  void use(pg::AnyNode operand, const Target& target, bool array_literal = false) {
    if (!target.converts()) {
      return;
    }
    if (auto list = operand.as<pg::List>()) {  // IN (...), BETWEEN a AND b
      for (pg::AnyNode item : list.items()) {
        use(item, target);
      }
      return;
    }
    auto constant = operand.as<pg::A_Const>();
    if (!constant || !constant.sval()) {  // not a string literal
      return;
    }
    std::string_view text = constant.sval().sval();
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

  void report(pg::A_Const constant, std::string_view label, const std::string& type, bool type_known) {
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
