#include "rules/alter_table_support.hpp"

namespace miglint {

Node alter_of_existing_table(const Statement& statement, const MigrationContext& context) {
  Node stmt = statement.body();
  if (statement.kind() != "AlterTableStmt" || stmt["objtype"].str() != "OBJECT_TABLE" ||
      context.created_in_file(statement.relation_name())) {
    return Node();
  }
  return stmt;
}

Node column_constraint(Node column_def, std::string_view contype) {
  for (Node item : column_def["constraints"]) {
    Node constraint = item.as("Constraint");
    if (constraint["contype"].str() == contype) {
      return constraint;
    }
  }
  return Node();
}

Node column_default(Node column_def) {
  Node expr = column_constraint(column_def, "CONSTR_DEFAULT")["raw_expr"];
  Node value = expr;
  while (Node cast = value.as("TypeCast")) {
    value = cast["arg"];
  }
  if (value.as("A_Const")["isnull"].boolean()) {
    return Node();
  }
  return expr;
}

std::string_view serial_type(Node column_def) {
  Node names = column_def["typeName"]["names"];
  if (names.size() != 1) {
    return {};  // the grammar qualifies built-in types with pg_catalog; serial never is
  }
  std::string_view name = names.at(0).string_value();
  for (std::string_view serial : {"serial", "bigserial", "smallserial", "serial2", "serial4", "serial8"}) {
    if (name == serial) {
      return name;
    }
  }
  return {};
}

std::string constraint_label(Node constraint, std::string_view kind) {
  std::string_view name = constraint["conname"].str();
  if (name.empty()) {
    return fmt::format("a {} constraint", kind);
  }
  return fmt::format("{} constraint {}", kind, quote_name(name));
}

}  // namespace miglint
