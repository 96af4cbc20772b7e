#include "rules/alter_table_support.hpp"

namespace miglint {

namespace {

// ALTER TABLE t DROP COLUMN c: instant under ACCESS EXCLUSIVE, but the data is gone and every
// client (and ORM column cache) that still names the column fails.
void check(const Statement& statement, const MigrationContext& context, RuleOutput& out) {
  auto alter = statement.as<pg::AlterTableStmt>();
  if (!alter || context.created_in_file(statement.relation_name())) {
    return;
  }
  for (const AlterCommand& command : alter_commands(statement, alter)) {
    if (command.subtype() == pg::AlterTableType::AT_DropColumn) {
      out.report(
          command.span(),
          fmt::format("dropping column {} from table {} loses its data and takes an {} lock; clients that "
                      "still read or write it fail",
                      quote_name(command.name()), quote_name(display_name(alter.relation())),
                      lock_mode_name(lock_on(context, statement.relation_name()))),
          "First deploy code that no longer uses the column (and clear ORM column caches), then drop it "
          "in a later, reviewed migration; approve it with `-- miglint-ignore ban-drop-column -- reason`.",
          statement_table(statement, false));
    }
  }
}

}  // namespace

extern const Rule kBanDropColumn{
    .id = "ban-drop-column",
    .severity = Severity::Warning,
    .summary = "Dropping a column loses data and breaks clients that still use it.",
    .tags = {"destructive"},
    .check = check,
    .kinds = {NodeKind::AlterTableStmt},
};

}  // namespace miglint
