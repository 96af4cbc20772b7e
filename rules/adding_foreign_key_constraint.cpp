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
  Node stmt = statement.body();
  if (statement.kind() != "AlterTableStmt" || stmt["objtype"].str() != "OBJECT_TABLE" ||
      context.created_empty_in_file(statement.relation_name())) {
    return;
  }
  std::string table = quote_name(display_name(stmt["relation"]));
  std::size_t index = 0;
  for (Node item : stmt["cmds"]) {
    Node cmd = item.as("AlterTableCmd");
    std::string_view subtype = cmd["subtype"].str();
    Node constraint = cmd["def"].as("Constraint");
    if (subtype == "AT_AddConstraint" && constraint["contype"].str() == "CONSTR_FOREIGN" &&
        !constraint["skip_validation"].boolean()) {
      std::string referenced = quote_name(display_name(constraint["pktable"]));
      out.report(
          statement.subcommand_span(index),
          fmt::format("adding foreign key {}to table {} without NOT VALID takes SHARE ROW EXCLUSIVE "
                      "locks on {} and {}, blocking writes to both while every row of {} is checked",
                      constraint["conname"].str().empty() ? std::string()
                                                          : quote_name(constraint["conname"].str()) + " ",
                      table, table, referenced, table),
          std::string(kHelp));
    } else if (subtype == "AT_AddColumn") {
      Node def = cmd["def"].as("ColumnDef");
      Node reference = column_constraint(def, "CONSTR_FOREIGN");
      if (reference) {
        std::string referenced = quote_name(display_name(reference["pktable"]));
        out.report(
            statement.subcommand_span(index),
            fmt::format("adding column {} to table {} with REFERENCES {} validates the new foreign key "
                        "at once: it takes SHARE ROW EXCLUSIVE on {}, blocking writes to it, while every "
                        "row of {} is checked under the ACCESS EXCLUSIVE lock of ADD COLUMN",
                        quote_name(def["colname"].str()), table, referenced, referenced, table),
            "Add the column without REFERENCES, then add the foreign key with `ADD CONSTRAINT ... "
            "FOREIGN KEY ... NOT VALID` and VALIDATE it in a separate transaction (SHARE UPDATE "
            "EXCLUSIVE, writes go on).");
      }
    }
    ++index;
  }
}

}  // namespace

extern const Rule kAddingForeignKeyConstraint{
    .id = "adding-foreign-key-constraint",
    .severity = Severity::Warning,
    .summary = "Adding a validated foreign key blocks writes to both tables while the table is scanned.",
    .tags = {"lock", "scan"},
    .check = check,
};

}  // namespace miglint
