#include "rules/alter_table_support.hpp"

namespace miglint {

namespace {

// ALTER TABLE t ADD CONSTRAINT c EXCLUDE USING gist (...): the index behind it is built and every
// row checked against the others under ACCESS EXCLUSIVE, and unlike UNIQUE there is no way to build
// the index concurrently and attach it afterwards.
void check(const Statement& statement, const MigrationContext& context, RuleOutput& out) {
  for (const AlterCommand& command : alter_commands_of_existing_table(statement, context)) {
    auto constraint = command.def().as<pg::Constraint>();
    if (command.subtype() == pg::AlterTableType::AT_AddConstraint &&
        constraint.contype() == pg::ConstrType::CONSTR_EXCLUSION) {
      std::string table = quote_name(display_name(statement.as<pg::AlterTableStmt>().relation()));
      out.report(
          command.span(),
          fmt::format("adding {} to table {} builds its index and checks every row under an {} lock, "
                      "blocking every read and write of {} for the whole build; an exclusion constraint "
                      "cannot be built concurrently",
                      constraint_label(constraint, "exclusion"), table,
                      lock_mode_name(lock_on(context, statement.relation_name())), table),
          "Declare exclusion constraints when the table is created; on a large existing table, build a "
          "new table with the constraint, copy the rows over in batches and swap the tables, or run "
          "the ALTER off-peak with a short lock_timeout.",
          statement_table(statement));
    }
  }
}

}  // namespace

extern const Rule kAddingExclusionConstraint{
    .id = "adding-exclusion-constraint",
    .severity = Severity::Warning,
    .summary =
        "Adding an exclusion constraint builds its index under ACCESS EXCLUSIVE, with no concurrent path.",
    .tags = {"lock", "index"},
    .check = check,
    .kinds = {NodeKind::AlterTableStmt},
};

}  // namespace miglint
