#include "rules/alter_table_support.hpp"

namespace miglint {

namespace {

// ALTER TABLE t ADD CONSTRAINT c EXCLUDE USING gist (...): the index behind it is built and every
// row checked against the others under ACCESS EXCLUSIVE, and unlike UNIQUE there is no way to build
// the index concurrently and attach it afterwards.
void check(const Statement& statement, const MigrationContext& context, RuleOutput& out) {
  Node stmt = alter_of_existing_table(statement, context);
  std::size_t index = 0;
  for (Node item : stmt["cmds"]) {
    Node cmd = item.as("AlterTableCmd");
    Node constraint = cmd["def"].as("Constraint");
    if (cmd["subtype"].str() == "AT_AddConstraint" && constraint["contype"].str() == "CONSTR_EXCLUSION") {
      std::string table = quote_name(display_name(stmt["relation"]));
      out.report(
          statement.subcommand_span(index),
          fmt::format("adding {} to table {} builds its index and checks every row under an ACCESS "
                      "EXCLUSIVE lock, blocking every read and write of {} for the whole build; an "
                      "exclusion constraint cannot be built concurrently",
                      constraint_label(constraint, "exclusion"), table, table),
          "Declare exclusion constraints when the table is created; on a large existing table, build a "
          "new table with the constraint, copy the rows over in batches and swap the tables, or run "
          "the ALTER off-peak with a short lock_timeout.");
    }
    ++index;
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
};

}  // namespace miglint
