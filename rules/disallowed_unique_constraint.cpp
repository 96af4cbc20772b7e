#include "rules/alter_table_support.hpp"

namespace miglint {

namespace {

// ALTER TABLE t ADD CONSTRAINT u UNIQUE (c), or ADD COLUMN c ... UNIQUE: the unique index is built
// inside ALTER TABLE, under its ACCESS EXCLUSIVE lock, so the table is unreadable for the whole
// build. `UNIQUE USING INDEX` adopts an index built beforehand (CONCURRENTLY) and is instant.
void check(const Statement& statement, const MigrationContext& context, RuleOutput& out) {
  auto alter = altered_existing_table(statement, context);
  if (!alter) {
    return;
  }
  std::string table = quote_name(display_name(alter.relation()));
  for (const AlterCommand& command : alter_commands(statement, alter)) {
    if (command.subtype() == pg::AlterTableType::AT_AddConstraint) {
      auto constraint = command.def().as<pg::Constraint>();
      if (constraint.contype() == pg::ConstrType::CONSTR_UNIQUE && constraint.indexname().empty()) {
        out.report(command.span(),
                   fmt::format("adding {} to table {} builds its unique index under an {} lock, blocking "
                               "every read and write of {} for the whole build",
                               constraint_label(constraint, "UNIQUE"), table,
                               lock_mode_name(lock_on(context, statement.relation_name())), table),
                   "Build the index first with `CREATE UNIQUE INDEX CONCURRENTLY i ON t (c)` in a migration "
                   "that runs outside a transaction, then attach it instantly with `ALTER TABLE t ADD "
                   "CONSTRAINT u UNIQUE USING INDEX i`.",
                   statement_table(statement));
      }
    } else if (command.subtype() == pg::AlterTableType::AT_AddColumn) {
      auto def = command.def().as<pg::ColumnDef>();
      if (column_constraint(def, pg::ConstrType::CONSTR_UNIQUE)) {
        out.report(command.span(),
                   fmt::format("adding column {} to table {} as UNIQUE builds a unique index under the {} "
                               "lock of ADD COLUMN, blocking every read and write of {} for the whole build",
                               quote_name(def.colname()), table,
                               lock_mode_name(lock_on(context, statement.relation_name())), table),
                   "Add the column without UNIQUE, build the index with `CREATE UNIQUE INDEX CONCURRENTLY` "
                   "outside a transaction, then attach it with `ADD CONSTRAINT u UNIQUE USING INDEX i`.",
                   statement_table(statement));
      }
    }
  }
}

}  // namespace

extern const Rule kDisallowedUniqueConstraint{
    .id = "disallowed-unique-constraint",
    .severity = Severity::Warning,
    .summary = "Adding a UNIQUE constraint builds its index under ACCESS EXCLUSIVE.",
    .tags = {"lock", "index"},
    .check = check,
    .kinds = {NodeKind::AlterTableStmt},
};

}  // namespace miglint
