#include "rules/alter_table_support.hpp"

namespace miglint {

namespace {

// ALTER TABLE t ADD CONSTRAINT u UNIQUE (c), or ADD COLUMN c ... UNIQUE: the unique index is built
// inside ALTER TABLE, under its ACCESS EXCLUSIVE lock, so the table is unreadable for the whole
// build. `UNIQUE USING INDEX` adopts an index built beforehand (CONCURRENTLY) and is instant.
void check(const Statement& statement, const MigrationContext& context, RuleOutput& out) {
  Node stmt = alter_of_existing_table(statement, context);
  std::string table = quote_name(display_name(stmt["relation"]));
  std::size_t index = 0;
  for (Node item : stmt["cmds"]) {
    Node cmd = item.as("AlterTableCmd");
    std::string_view subtype = cmd["subtype"].str();
    Node constraint = cmd["def"].as("Constraint");
    Node def = cmd["def"].as("ColumnDef");
    if (subtype == "AT_AddConstraint" && constraint["contype"].str() == "CONSTR_UNIQUE" &&
        constraint["indexname"].str().empty()) {
      out.report(statement.subcommand_span(index),
                 fmt::format("adding {} to table {} builds its unique index under an ACCESS EXCLUSIVE lock, "
                             "blocking every read and write of {} for the whole build",
                             constraint_label(constraint, "UNIQUE"), table, table),
                 "Build the index first with `CREATE UNIQUE INDEX CONCURRENTLY i ON t (c)` in a migration "
                 "that runs outside a transaction, then attach it instantly with `ALTER TABLE t ADD "
                 "CONSTRAINT u UNIQUE USING INDEX i`.");
    } else if (subtype == "AT_AddColumn" && column_constraint(def, "CONSTR_UNIQUE")) {
      out.report(
          statement.subcommand_span(index),
          fmt::format("adding column {} to table {} as UNIQUE builds a unique index under the ACCESS "
                      "EXCLUSIVE lock of ADD COLUMN, blocking every read and write of {} for the whole "
                      "build",
                      quote_name(def["colname"].str()), table, table),
          "Add the column without UNIQUE, build the index with `CREATE UNIQUE INDEX CONCURRENTLY` "
          "outside a transaction, then attach it with `ADD CONSTRAINT u UNIQUE USING INDEX i`.");
    }
    ++index;
  }
}

}  // namespace

extern const Rule kDisallowedUniqueConstraint{
    .id = "disallowed-unique-constraint",
    .severity = Severity::Warning,
    .summary = "Adding a UNIQUE constraint builds its index under ACCESS EXCLUSIVE.",
    .tags = {"lock", "index"},
    .check = check,
};

}  // namespace miglint
