#include "rules/rule_support.hpp"

namespace miglint {

namespace {

// DROP DATABASE destroys everything in it and cannot run inside a transaction.
void check(const Statement& statement, const MigrationContext& /*context*/, RuleOutput& out) {
  auto drop = statement.as<pg::DropdbStmt>();
  if (!drop) {
    return;
  }
  out.report(
      statement.span(),
      fmt::format("dropping database {} destroys all of its data", quote_name(drop.dbname())),
      "Databases are not dropped by migrations; do it by hand, after a backup, if it is really meant.");
}

}  // namespace

extern const Rule kBanDropDatabase{
    .id = "ban-drop-database",
    .severity = Severity::Error,
    .summary = "Dropping a database destroys all of its data.",
    .tags = {"destructive"},
    .check = check,
    .kinds = {NodeKind::DropdbStmt},
};

}  // namespace miglint
