#include "rules/alter_table_support.hpp"

namespace miglint {

namespace {

// ALTER TABLE t ALTER COLUMN c DROP NOT NULL: instant under ACCESS EXCLUSIVE, but code and reports
// written against the column's promise that it is never NULL start seeing NULLs.
void check(const Statement& statement, const MigrationContext& context, RuleOutput& out) {
  Node stmt = alter_of_existing_table(statement, context);
  std::size_t index = 0;
  for (Node item : stmt["cmds"]) {
    Node cmd = item.as("AlterTableCmd");
    if (cmd["subtype"].str() == "AT_DropNotNull") {
      out.report(
          statement.subcommand_span(index),
          fmt::format("dropping NOT NULL from column {} of table {} takes an ACCESS EXCLUSIVE lock, and "
                      "clients that rely on the column never being NULL may break once NULLs appear",
                      quote_name(cmd["name"].str()), quote_name(display_name(stmt["relation"]))),
          "Make sure every reader handles NULL before the constraint goes (or keep it and write a "
          "sentinel value instead), then approve the change with "
          "`-- miglint-ignore ban-drop-not-null -- reason`.");
    }
    ++index;
  }
}

}  // namespace

extern const Rule kBanDropNotNull{
    .id = "ban-drop-not-null",
    .severity = Severity::Warning,
    .summary = "Dropping NOT NULL lets NULLs reach clients that assume there are none.",
    .tags = {"compatibility", "lock"},
    .check = check,
};

}  // namespace miglint
