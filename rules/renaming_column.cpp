#include "rules/rule_support.hpp"

namespace miglint {

namespace {

// ALTER TABLE t RENAME COLUMN a TO b: instant, but under ACCESS EXCLUSIVE, and every client that
// still uses the old name fails from the moment it commits.
void check(const Statement& statement, const MigrationContext& context, RuleOutput& out) {
  Node stmt = statement.body();
  if (statement.kind() != "RenameStmt" || stmt["renameType"].str() != "OBJECT_COLUMN" ||
      stmt["relationType"].str() != "OBJECT_TABLE") {
    return;
  }
  std::string table = statement.relation_name();
  if (context.created_in_file(table)) {
    return;
  }
  out.report(
      statement.span_from_token(TokenKind::Rename, statement.offset_of(stmt["relation"])),
      fmt::format("renaming column {} of table {} to {} takes an ACCESS EXCLUSIVE lock on {} and breaks "
                  "every client that still uses the old name",
                  quote_name(stmt["subname"].str()), quote_name(display_name(stmt["relation"])),
                  quote_name(stmt["newname"].str()), quote_name(display_name(stmt["relation"]))),
      "Keep the old name (map it in the application), or expand and contract: add the new column, "
      "write both, backfill in batches, move readers over, then drop the old column in a later release.");
}

}  // namespace

extern const Rule kRenamingColumn{
    .id = "renaming-column",
    .severity = Severity::Warning,
    .summary = "Renaming a column breaks running clients that still use the old name.",
    .tags = {"compatibility", "lock"},
    .check = check,
};

}  // namespace miglint
