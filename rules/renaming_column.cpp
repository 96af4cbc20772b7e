#include "rules/rule_support.hpp"

namespace miglint {

namespace {

// ALTER TABLE t RENAME COLUMN a TO b: instant, but under ACCESS EXCLUSIVE, and every client that
// still uses the old name fails from the moment it commits.
void check(const Statement& statement, const MigrationContext& context, RuleOutput& out) {
  auto rename = statement.as<pg::RenameStmt>();
  if (!rename || rename.rename_type() != pg::ObjectType::OBJECT_COLUMN ||
      rename.relation_type() != pg::ObjectType::OBJECT_TABLE) {
    return;
  }
  std::string table = statement.relation_name();
  if (context.created_in_file(table)) {
    return;
  }
  out.report(
      statement.span_from_token(TokenKind::Rename, statement.offset_of(rename.relation())),
      fmt::format("renaming column {} of table {} to {} takes an {} lock on {} and breaks every client "
                  "that still uses the old name",
                  quote_name(rename.subname()), quote_name(display_name(rename.relation())),
                  quote_name(rename.newname()), lock_mode_name(lock_on(context, table)),
                  quote_name(display_name(rename.relation()))),
      "Keep the old name (map it in the application), or expand and contract: add the new column, "
      "write both, backfill in batches, move readers over, then drop the old column in a later release.",
      statement_table(statement, false));
}

}  // namespace

extern const Rule kRenamingColumn{
    .id = "renaming-column",
    .severity = Severity::Warning,
    .summary = "Renaming a column breaks running clients that still use the old name.",
    .tags = {"compatibility", "lock"},
    .check = check,
    .kinds = {NodeKind::RenameStmt},
};

}  // namespace miglint
