#include "rules/alter_table_support.hpp"

namespace miglint {

namespace {

// ALTER TABLE t ADD CONSTRAINT c CHECK (...) without NOT VALID checks every existing row while the
// ACCESS EXCLUSIVE lock of ADD CONSTRAINT blocks all reads and writes. Foreign keys are
// adding-foreign-key-constraint's: each constraint gets one finding, from the rule for its kind.
void check(const Statement& statement, const MigrationContext& context, RuleOutput& out) {
  Node stmt = alter_of_existing_table(statement, context);
  std::size_t index = 0;
  for (Node item : stmt["cmds"]) {
    Node cmd = item.as("AlterTableCmd");
    Node constraint = cmd["def"].as("Constraint");
    if (cmd["subtype"].str() == "AT_AddConstraint" && constraint["contype"].str() == "CONSTR_CHECK" &&
        !constraint["skip_validation"].boolean()) {
      std::string table = quote_name(display_name(stmt["relation"]));
      out.report(
          statement.subcommand_span(index),
          fmt::format("adding {} to table {} without NOT VALID scans the whole table to check every "
                      "existing row, under an ACCESS EXCLUSIVE lock that blocks every read and write of {}",
                      constraint_label(constraint, "CHECK"), table, table),
          "Add the constraint with NOT VALID (instant; new and updated rows are checked from then on), "
          "then run `ALTER TABLE ... VALIDATE CONSTRAINT ...` in a separate transaction: validation "
          "takes SHARE UPDATE EXCLUSIVE, which lets reads and writes go on.");
    }
    ++index;
  }
}

}  // namespace

extern const Rule kConstraintMissingNotValid{
    .id = "constraint-missing-not-valid",
    .severity = Severity::Warning,
    .summary = "Adding a CHECK constraint without NOT VALID scans the table under ACCESS EXCLUSIVE.",
    .tags = {"lock", "scan"},
    .check = check,
};

}  // namespace miglint
