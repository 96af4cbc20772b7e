#include "rules/alter_table_support.hpp"

namespace miglint {

AlterCommands alter_commands(const Statement& statement) {
  return AlterCommands(statement, statement.as<pg::AlterTableStmt>());
}

pg::AlterTableStmt altered_existing_table(const Statement& statement, const MigrationContext& context) {
  auto alter = statement.as<pg::AlterTableStmt>();
  if (!alter || alter.objtype() != pg::ObjectType::OBJECT_TABLE ||
      context.created_in_file(statement.relation_name())) {
    return {};
  }
  return alter;
}

AlterCommands alter_commands_of_existing_table(const Statement& statement, const MigrationContext& context) {
  return AlterCommands(statement, altered_existing_table(statement, context));
}

pg::Constraint column_constraint(pg::ColumnDef column_def, pg::ConstrType type) {
  for (pg::AnyNode item : column_def.constraints()) {
    auto constraint = item.as<pg::Constraint>();
    if (constraint.contype() == type) {
      return constraint;
    }
  }
  return {};
}

pg::AnyNode column_default(pg::ColumnDef column_def) {
  pg::AnyNode expr = column_constraint(column_def, pg::ConstrType::CONSTR_DEFAULT).raw_expr();
  pg::AnyNode value = expr;
  while (auto cast = value.as<pg::TypeCast>()) {
    value = cast.arg();
  }
  if (value.as<pg::A_Const>().isnull()) {
    return {};
  }
  return expr;
}

std::string_view serial_type(pg::ColumnDef column_def) {
  auto names = column_def.type_name().names();
  if (names.size() != 1) {
    return {};  // the grammar qualifies built-in types with pg_catalog; serial never is
  }
  std::string_view name = names[0].as<pg::String>().sval();
  for (std::string_view serial : {"serial", "bigserial", "smallserial", "serial2", "serial4", "serial8"}) {
    if (name == serial) {
      return name;
    }
  }
  return {};
}

std::string constraint_label(pg::Constraint constraint, std::string_view kind) {
  std::string_view name = constraint.conname();
  if (name.empty()) {
    // "an exclusion constraint", "a unique constraint" (said "you-"), "a CHECK constraint".
    bool vowel_sound =
        !kind.empty() && std::string_view("aeioAEIO").find(kind.front()) != std::string_view::npos;
    return fmt::format("{} {} constraint", vowel_sound ? "an" : "a", kind);
  }
  return fmt::format("{} constraint {}", kind, quote_name(name));
}

}  // namespace miglint
