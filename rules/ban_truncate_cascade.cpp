#include "rules/rule_support.hpp"

namespace miglint {

namespace {

// TRUNCATE ... CASCADE also empties every table that references the named ones through a foreign
// key, recursively, under ACCESS EXCLUSIVE: data loss far beyond what the statement names.
void check(const Statement& statement, const MigrationContext& context, RuleOutput& out) {
  Node stmt = statement.body();
  if (statement.kind() != "TruncateStmt" || stmt["behavior"].str() != "DROP_CASCADE") {
    return;
  }
  std::vector<std::string> existing;
  for (Node relation : stmt["relations"]) {
    Node range_var = relation.as("RangeVar");
    if (!context.created_in_file(qualified_name(range_var))) {
      existing.push_back(quote_name(display_name(range_var)));
    }
  }
  if (existing.empty()) {
    return;
  }
  out.report(
      statement.span(),
      fmt::format("TRUNCATE {} CASCADE also empties every table with a foreign key to {}, recursively, and "
                  "takes an ACCESS EXCLUSIVE lock on each of them",
                  fmt::join(existing, ", "), existing.size() == 1 ? "it" : "them"),
      "Name every table to empty explicitly, without CASCADE, so that the statement says what it deletes.");
}

}  // namespace

extern const Rule kBanTruncateCascade{
    .id = "ban-truncate-cascade",
    .severity = Severity::Warning,
    .summary = "TRUNCATE CASCADE silently empties every table that references the named ones.",
    .tags = {"destructive"},
    .check = check,
};

}  // namespace miglint
