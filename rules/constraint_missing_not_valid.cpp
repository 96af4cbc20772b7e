#include "rules/alter_table_support.hpp"

namespace miglint {

namespace {

// ALTER TABLE t ADD CONSTRAINT c CHECK (...) without NOT VALID checks every existing row while the
// ACCESS EXCLUSIVE lock of ADD CONSTRAINT blocks all reads and writes. Foreign keys are
// adding-foreign-key-constraint's: each constraint gets one finding, from the rule for its kind.
void check(const Statement& statement, const MigrationContext& context, RuleOutput& out) {
  auto alter = altered_existing_table(statement, context);
  for (const AlterCommand& command : alter_commands(statement, alter)) {
    auto constraint = command.def().as<pg::Constraint>();
    if (command.subtype() == pg::AlterTableType::AT_AddConstraint &&
        constraint.contype() == pg::ConstrType::CONSTR_CHECK && !constraint.skip_validation()) {
      std::string table = quote_name(display_name(alter.relation()));
      out.report(
          command.span(),
          fmt::format("adding {} to table {} without NOT VALID scans the whole table to check every "
                      "existing row, under an {} lock that blocks every read and write of {}",
                      constraint_label(constraint, "CHECK"), table,
                      lock_mode_name(lock_on(context, statement.relation_name())), table),
          "Add the constraint with NOT VALID (instant; new and updated rows are checked from then on), "
          "then run `ALTER TABLE ... VALIDATE CONSTRAINT ...` in a separate transaction: validation "
          "takes SHARE UPDATE EXCLUSIVE, which lets reads and writes go on.",
          statement_table(statement));
    }
  }
}

}  // namespace

extern const Rule kConstraintMissingNotValid{
    .id = "constraint-missing-not-valid",
    .severity = Severity::Warning,
    .summary = "Adding a CHECK constraint without NOT VALID scans the table under ACCESS EXCLUSIVE.",
    .tags = {"lock", "scan"},
    .check = check,
    .kinds = {NodeKind::AlterTableStmt},
};

}  // namespace miglint
