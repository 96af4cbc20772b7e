#include <algorithm>
#include <string>
#include <vector>

#include "rules/rule_support.hpp"

namespace miglint {

namespace {

// DROP INDEX without CONCURRENTLY takes ACCESS EXCLUSIVE on the index's table. The drop itself is
// quick, but waiting for the lock queues every later query, reads included.
void check(const Statement& statement, const MigrationContext& context, RuleOutput& out) {
  auto drop = statement.as<pg::DropStmt>();
  if (!drop || drop.remove_type() != pg::ObjectType::OBJECT_INDEX || drop.concurrent()) {
    return;
  }
  std::vector<std::string> existing;
  // The lock model locks the index's table in the mode it locks the index (it names the table only
  // when it knows it from the schema): the index's lock is the table's.
  LockMode lock = LockMode::None;
  // The table the finding is about (for the sizes of --stats-from): the first dropped index's whose
  // table the schema facts know (an index created by an earlier migration).
  TableRef table;
  for (pg::AnyNode object : drop.objects()) {
    auto names = object.as<pg::List>().items();
    std::string index = qualified_name_from_list(names);
    if (!context.created_in_file(index)) {
      existing.push_back(quote_name(names[names.size() - 1].as<pg::String>().sval()));
      lock = std::max(lock, lock_on(context, index));
      if (std::optional<std::string> owner = context.table_of_index(index); owner && table.empty()) {
        // An index lives in its table's schema: a name written unqualified leaves the table's to
        // the database's search_path too, as the other rules' unqualified tables are.
        std::size_t dot = owner->find('.');
        std::string schema = names.size() >= 2 && dot != std::string::npos ? owner->substr(0, dot) : "";
        // A brief lock: the hazard is the queue behind it, whatever the size (the size is shown,
        // the severity kept).
        table = TableRef{schema, dot == std::string::npos ? *owner : owner->substr(dot + 1), false};
      }
    }
  }
  if (existing.empty()) {
    return;
  }
  out.report(
      statement.span(),
      fmt::format("dropping index {} without CONCURRENTLY takes an {} lock on its table, which blocks reads "
                  "and writes (and queues every later query) until the drop completes",
                  fmt::join(existing, ", "), lock_mode_name(lock)),
      "Use `DROP INDEX CONCURRENTLY` (one index per statement) in a migration that runs outside a "
      "transaction.",
      table);
}

}  // namespace

extern const Rule kRequireConcurrentIndexDeletion{
    .id = "require-concurrent-index-deletion",
    .severity = Severity::Warning,
    .summary = "DROP INDEX without CONCURRENTLY takes an ACCESS EXCLUSIVE lock on the table.",
    .tags = {"lock"},
    .check = check,
    .kinds = {NodeKind::DropStmt},
};

}  // namespace miglint
