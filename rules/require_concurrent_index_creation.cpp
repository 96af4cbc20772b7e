#include "rules/rule_support.hpp"

namespace miglint {

namespace {

// CREATE INDEX without CONCURRENTLY holds SHARE on the table for the whole build: every INSERT,
// UPDATE and DELETE waits, for minutes to hours on a large table.
void check(const Statement& statement, const MigrationContext& context, RuleOutput& out) {
  auto index = statement.as<pg::IndexStmt>();
  if (!index || index.concurrent()) {
    return;
  }
  const std::string& table = statement.relation_name();
  if (context.created_in_file(table)) {
    return;
  }
  std::string_view name = index.idxname();
  std::string relation = quote_name(display_name(index.relation()));
  out.report(
      statement.span(),
      fmt::format("creating {}index {}on table {} without CONCURRENTLY takes a {} lock on {}, which blocks "
                  "INSERT, UPDATE and DELETE for the whole index build",
                  index.unique() ? "unique " : "", name.empty() ? std::string() : quote_name(name) + " ",
                  relation, lock_mode_name(lock_on(context, table)), relation),
      "Use `CREATE INDEX CONCURRENTLY` in a migration that runs outside a transaction; afterwards check "
      "`pg_index.indisvalid`, and drop and rebuild an index a failed build left INVALID.",
      statement_table(statement));
}

}  // namespace

extern const Rule kRequireConcurrentIndexCreation{
    .id = "require-concurrent-index-creation",
    .severity = Severity::Warning,
    .summary = "CREATE INDEX without CONCURRENTLY blocks writes to the table for the whole build.",
    .tags = {"lock"},
    .check = check,
    .kinds = {NodeKind::IndexStmt},
};

}  // namespace miglint
