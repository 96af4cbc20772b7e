#include "rules/alter_table_support.hpp"

namespace miglint {

namespace {

constexpr std::string_view kHelp =
    "Add the foreign key with NOT VALID (it is enforced for new rows at once), then run `ALTER TABLE ... "
    "VALIDATE CONSTRAINT ...` in a separate transaction: validation takes SHARE UPDATE EXCLUSIVE on the "
    "referencing table and ROW SHARE on the referenced one, so writes go on.";

// A foreign key added to an existing table and validated at once: SHARE ROW EXCLUSIVE on both
// tables (writes to either are blocked) while every row of the referencing table is looked up.
// Written as ADD CONSTRAINT ... FOREIGN KEY, or as REFERENCES in ADD COLUMN, which has no NOT VALID.
// A table created empty in the same file has no row to check; one filled by CREATE TABLE AS has,
// and the referenced (existing) table stays locked while they are checked.
void check(const Statement& statement, const MigrationContext& context, RuleOutput& out) {
  auto alter = statement.as<pg::AlterTableStmt>();
  if (!alter || alter.objtype() != pg::ObjectType::OBJECT_TABLE ||
      context.created_empty_in_file(statement.relation_name())) {
    return;
  }
  std::string table = quote_name(display_name(alter.relation()));
  for (const AlterCommand& command : alter_commands(statement)) {
    auto constraint = command.def().as<pg::Constraint>();
    if (command.subtype() == pg::AlterTableType::AT_AddConstraint &&
        constraint.contype() == pg::ConstrType::CONSTR_FOREIGN && !constraint.skip_validation()) {
      std::string referenced = quote_name(display_name(constraint.pktable()));
      out.report(
          command.span(),
          fmt::format("adding foreign key {}to table {} without NOT VALID takes SHARE ROW EXCLUSIVE "
                      "locks on {} and {}, blocking writes to both while every row of {} is checked",
                      constraint.conname().empty() ? std::string() : quote_name(constraint.conname()) + " ",
                      table, table, referenced, table),
          std::string(kHelp), statement_table(statement));
    } else if (command.subtype() == pg::AlterTableType::AT_AddColumn) {
      auto def = command.def().as<pg::ColumnDef>();
      if (auto reference = column_constraint(def, pg::ConstrType::CONSTR_FOREIGN)) {
        std::string referenced = quote_name(display_name(reference.pktable()));
        out.report(
            command.span(),
            fmt::format("adding column {} to table {} with REFERENCES {} validates the new foreign key "
                        "at once: it takes SHARE ROW EXCLUSIVE on {}, blocking writes to it, while every "
                        "row of {} is checked under the {} lock of ADD COLUMN",
                        quote_name(def.colname()), table, referenced, referenced, table,
                        lock_mode_name(lock_on(context, statement.relation_name()))),
            "Add the column without REFERENCES, then add the foreign key with `ADD CONSTRAINT ... "
            "FOREIGN KEY ... NOT VALID` and VALIDATE it in a separate transaction (SHARE UPDATE "
            "EXCLUSIVE, writes go on).",
            statement_table(statement));
      }
    }
  }
}

}  // namespace

extern const Rule kAddingForeignKeyConstraint{
    .id = "adding-foreign-key-constraint",
    .severity = Severity::Warning,
    .summary = "Adding a validated foreign key blocks writes to both tables while the table is scanned.",
    .tags = {"lock", "scan"},
    .check = check,
    .kinds = {NodeKind::AlterTableStmt},
};

}  // namespace miglint
