#include <algorithm>

#include "rules/rule_support.hpp"

namespace miglint {

namespace {

// TRUNCATE ... CASCADE also empties every table that references the named ones through a foreign
// key, recursively, under ACCESS EXCLUSIVE: data loss far beyond what the statement names.
void check(const Statement& statement, const MigrationContext& context, RuleOutput& out) {
  auto truncate = statement.as<pg::TruncateStmt>();
  if (!truncate || truncate.behavior() != pg::DropBehavior::DROP_CASCADE) {
    return;
  }
  std::vector<std::string> existing;
  LockMode lock = LockMode::None;
  for (pg::AnyNode relation : truncate.relations()) {
    auto range_var = relation.as<pg::RangeVar>();
    std::string table = qualified_name(range_var);
    if (!context.created_in_file(table)) {
      existing.push_back(quote_name(display_name(range_var)));
      lock = std::max(lock, lock_on(context, table));
    }
  }
  if (existing.empty()) {
    return;
  }
  out.report(
      statement.span(),
      fmt::format("TRUNCATE {} CASCADE also empties every table with a foreign key to {}, recursively, and "
                  "takes an {} lock on each of them",
                  fmt::join(existing, ", "), existing.size() == 1 ? "it" : "them", lock_mode_name(lock)),
      "Name every table to empty explicitly, without CASCADE, so that the statement says what it deletes.");
}

}  // namespace

extern const Rule kBanTruncateCascade{
    .id = "ban-truncate-cascade",
    .severity = Severity::Warning,
    .summary = "TRUNCATE CASCADE silently empties every table that references the named ones.",
    .tags = {"destructive"},
    .check = check,
    .kinds = {NodeKind::TruncateStmt},
};

}  // namespace miglint
