#include "rules/rule_support.hpp"

namespace miglint {

namespace {

// ALTER TABLE t RENAME TO u: instant, but under ACCESS EXCLUSIVE, and every query of the running
// application version that names the old table fails.
void check(const Statement& statement, const MigrationContext& context, RuleOutput& out) {
  auto rename = statement.as<pg::RenameStmt>();
  if (!rename || rename.rename_type() != pg::ObjectType::OBJECT_TABLE) {
    return;
  }
  std::string table = statement.relation_name();
  if (context.created_in_file(table)) {
    return;
  }
  out.report(
      statement.span_from_token(TokenKind::Rename, statement.offset_of(rename.relation())),
      fmt::format("renaming table {} to {} takes an {} lock on it and breaks every client that still "
                  "uses the old name",
                  quote_name(display_name(rename.relation())), quote_name(rename.newname()),
                  lock_mode_name(lock_on(context, table))),
      "Keep the old name, or rename and leave a view with the old name (`CREATE VIEW old AS SELECT * FROM "
      "new`) until no client uses it.",
      statement_table(statement, false));
}

}  // namespace

extern const Rule kRenamingTable{
    .id = "renaming-table",
    .severity = Severity::Warning,
    .summary = "Renaming a table breaks running clients that still use the old name.",
    .tags = {"compatibility", "lock"},
    .check = check,
    .kinds = {NodeKind::RenameStmt},
};

}  // namespace miglint
