#include "rules/rule_support.hpp"

namespace miglint {

namespace {

// DROP TABLE loses the data, takes ACCESS EXCLUSIVE (with CASCADE, also on referencing tables and
// views) and breaks every client that still queries the table.
void check(const Statement& statement, const MigrationContext& context, RuleOutput& out) {
  Node stmt = statement.body();
  if (statement.kind() != "DropStmt" || stmt["removeType"].str() != "OBJECT_TABLE") {
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
  bool cascade = stmt["behavior"].str() == "DROP_CASCADE";
  out.report(
      statement.span(),
      fmt::format("dropping table{} {} loses {} data and takes an ACCESS EXCLUSIVE lock{}",
                  existing.size() == 1 ? "" : "s", fmt::join(existing, ", "),
                  existing.size() == 1 ? "its" : "their",
                  cascade ? "; CASCADE also drops the views and foreign keys that depend on it" : ""),
      "Stop every use of the table first, keep a backup, then drop it in a reviewed migration; approve it "
      "with `-- miglint-ignore ban-drop-table -- reason`.");
}

}  // namespace

extern const Rule kBanDropTable{
    .id = "ban-drop-table",
    .severity = Severity::Warning,
    .summary = "Dropping a table loses its data and breaks clients that still use it.",
    .tags = {"destructive"},
    .check = check,
};

}  // namespace miglint
