#include <algorithm>

#include "rules/rule_support.hpp"

namespace miglint {

namespace {

// DROP TABLE loses the data, takes ACCESS EXCLUSIVE (with CASCADE, also on referencing tables and
// views) and breaks every client that still queries the table.
void check(const Statement& statement, const MigrationContext& context, RuleOutput& out) {
  auto drop = statement.as<pg::DropStmt>();
  if (!drop || drop.remove_type() != pg::ObjectType::OBJECT_TABLE) {
    return;
  }
  std::vector<std::string> existing;
  TableRef only_table;  // the finding's table when it drops one existing table (sizes: TableRef)
  LockMode lock = LockMode::None;
  for (pg::AnyNode object : drop.objects()) {
    auto names = object.as<pg::List>().items();
    std::string table = qualified_name_from_list(names);
    if (!context.created_in_file(table)) {
      existing.push_back(quote_name(names[names.size() - 1].as<pg::String>().sval()));
      // A dropped table's rows are lost whatever their number: shown, never lowered.
      only_table = existing.size() == 1 ? table_ref_from_list(names, false) : TableRef{};
      lock = std::max(lock, lock_on(context, table));
    }
  }
  if (existing.empty()) {
    return;
  }
  bool cascade = drop.behavior() == pg::DropBehavior::DROP_CASCADE;
  out.report(
      statement.span(),
      fmt::format("dropping table{} {} loses {} data and takes an {} lock{}", existing.size() == 1 ? "" : "s",
                  fmt::join(existing, ", "), existing.size() == 1 ? "its" : "their", lock_mode_name(lock),
                  cascade ? "; CASCADE also drops the views and foreign keys that depend on it" : ""),
      "Stop every use of the table first, keep a backup, then drop it in a reviewed migration; approve it "
      "with `-- miglint-ignore ban-drop-table -- reason`.",
      only_table);
}

}  // namespace

extern const Rule kBanDropTable{
    .id = "ban-drop-table",
    .severity = Severity::Warning,
    .summary = "Dropping a table loses its data and breaks clients that still use it.",
    .tags = {"destructive"},
    .check = check,
    .kinds = {NodeKind::DropStmt},
};

}  // namespace miglint
