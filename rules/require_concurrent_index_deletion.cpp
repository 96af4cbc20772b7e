#include "rules/rule_support.hpp"

namespace miglint {

namespace {

// DROP INDEX without CONCURRENTLY takes ACCESS EXCLUSIVE on the index's table. The drop itself is
// quick, but waiting for the lock queues every later query, reads included.
void check(const Statement& statement, const MigrationContext& context, RuleOutput& out) {
  Node stmt = statement.body();
  if (statement.kind() != "DropStmt" || stmt["removeType"].str() != "OBJECT_INDEX" ||
      stmt["concurrent"].boolean()) {
    return;
  }
  std::vector<std::string> existing;
  for (Node object : stmt["objects"]) {
    Node names = object.as("List")["items"];
    if (!context.created_in_file(qualified_name_from_list(names))) {
      existing.push_back(quote_name(names.at(names.size() - 1).string_value()));
    }
  }
  if (existing.empty()) {
    return;
  }
  out.report(
      statement.span(),
      fmt::format("dropping index {} without CONCURRENTLY takes an ACCESS EXCLUSIVE lock on its table, which "
                  "blocks reads and writes (and queues every later query) until the drop completes",
                  fmt::join(existing, ", ")),
      "Use `DROP INDEX CONCURRENTLY` (one index per statement) in a migration that runs outside a "
      "transaction.");
}

}  // namespace

extern const Rule kRequireConcurrentIndexDeletion{
    .id = "require-concurrent-index-deletion",
    .severity = Severity::Warning,
    .summary = "DROP INDEX without CONCURRENTLY takes an ACCESS EXCLUSIVE lock on the table.",
    .tags = {"lock"},
    .check = check,
};

}  // namespace miglint
