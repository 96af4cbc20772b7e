#include "rules/alter_table_support.hpp"

namespace miglint {

namespace {

// Whether PostgreSQL fills the new column of existing rows itself: a default, an identity, a
// generated expression or a serial's sequence.
bool fills_existing_rows(pg::ColumnDef def) {
  return column_default(def) || column_constraint(def, pg::ConstrType::CONSTR_IDENTITY) ||
         column_constraint(def, pg::ConstrType::CONSTR_GENERATED) || !serial_type(def).empty();
}

// ALTER TABLE t ADD COLUMN c ... NOT NULL with nothing to put in the existing rows: PostgreSQL gives
// them NULL, which the constraint rejects, so the migration fails on any table that has a row (it
// passes on an empty development database and breaks in production).
void check(const Statement& statement, const MigrationContext& context, RuleOutput& out) {
  for (const AlterCommand& command : alter_commands_of_existing_table(statement, context)) {
    auto def = command.def().as<pg::ColumnDef>();
    if (command.subtype() == pg::AlterTableType::AT_AddColumn && !fills_existing_rows(def)) {
      std::string_view declared = column_constraint(def, pg::ConstrType::CONSTR_NOTNULL) ? "NOT NULL"
                                  : column_constraint(def, pg::ConstrType::CONSTR_PRIMARY)
                                      ? "PRIMARY KEY (hence NOT NULL)"
                                      : "";
      if (!declared.empty()) {
        out.report(
            command.span(),
            fmt::format("adding column {} to table {} as {} without a DEFAULT fails as soon as the "
                        "table has a row: the existing rows would get NULL",
                        quote_name(def.colname()),
                        quote_name(display_name(statement.as<pg::AlterTableStmt>().relation())), declared),
            "Give the column a DEFAULT (a constant default is instant from PostgreSQL 11 on), or add it "
            "nullable, backfill it in batches, then add `CHECK (c IS NOT NULL) NOT VALID`, VALIDATE "
            "it in a separate transaction, and SET NOT NULL.",
            statement_table(statement, false));
      }
    }
  }
}

}  // namespace

extern const Rule kAddingRequiredField{
    .id = "adding-required-field",
    .severity = Severity::Error,
    .summary = "Adding a NOT NULL column without a default fails on a table that has rows.",
    .tags = {"correctness"},
    .check = check,
    .kinds = {NodeKind::AlterTableStmt},
};

}  // namespace miglint
