#include "rules/rule_support.hpp"

namespace miglint {

namespace {

// ALTER TABLE t DROP COLUMN c: instant under ACCESS EXCLUSIVE, but the data is gone and every
// client (and ORM column cache) that still names the column fails.
void check(const Statement& statement, const MigrationContext& context, RuleOutput& out) {
  Node stmt = statement.body();
  if (statement.kind() != "AlterTableStmt" || context.created_in_file(statement.relation_name())) {
    return;
  }
  std::size_t index = 0;
  for (Node item : stmt["cmds"]) {
    Node cmd = item.as("AlterTableCmd");
    if (cmd["subtype"].str() == "AT_DropColumn") {
      out.report(
          statement.subcommand_span(index),
          fmt::format("dropping column {} from table {} loses its data and takes an ACCESS EXCLUSIVE lock; "
                      "clients that still read or write it fail",
                      quote_name(cmd["name"].str()), quote_name(display_name(stmt["relation"]))),
          "First deploy code that no longer uses the column (and clear ORM column caches), then drop it "
          "in a later, reviewed migration; approve it with `-- miglint-ignore ban-drop-column -- reason`.");
    }
    ++index;
  }
}

}  // namespace

extern const Rule kBanDropColumn{
    .id = "ban-drop-column",
    .severity = Severity::Warning,
    .summary = "Dropping a column loses data and breaks clients that still use it.",
    .tags = {"destructive"},
    .check = check,
};

}  // namespace miglint
