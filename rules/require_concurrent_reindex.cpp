#include "rules/rule_support.hpp"

namespace miglint {

namespace {

bool has_concurrently(Node params) {
  for (Node param : params) {
    if (param.as("DefElem")["defname"].str() == "concurrently") {
      return true;
    }
  }
  return false;
}

std::string message(Node stmt) {
  std::string_view kind = stmt["kind"].str();
  if (kind == "REINDEX_OBJECT_INDEX") {
    return fmt::format(
        "rebuilding index {} without CONCURRENTLY takes a SHARE lock on its table, which blocks INSERT, "
        "UPDATE and DELETE, and an ACCESS EXCLUSIVE lock on the index, which blocks every query that would "
        "use it, for the whole rebuild",
        quote_name(display_name(stmt["relation"])));
  }
  if (kind == "REINDEX_OBJECT_TABLE") {
    std::string table = quote_name(display_name(stmt["relation"]));
    return fmt::format(
        "rebuilding the indexes of table {} without CONCURRENTLY takes a SHARE lock on {}, which blocks "
        "INSERT, UPDATE and DELETE, and an ACCESS EXCLUSIVE lock on each index, which blocks every query "
        "that would use it, for the whole rebuild",
        table, table);
  }
  return fmt::format(
      "rebuilding every index of {} {} without CONCURRENTLY takes, table by table, a SHARE lock on the "
      "table, which blocks INSERT, UPDATE and DELETE, and an ACCESS EXCLUSIVE lock on each of its indexes, "
      "which blocks every query that would use them",
      kind == "REINDEX_OBJECT_SCHEMA" ? "schema" : "database", quote_name(stmt["name"].str()));
}

// REINDEX without CONCURRENTLY holds SHARE on the table (writes wait) and ACCESS EXCLUSIVE on each
// index it rebuilds (every query that would use the index waits, reads included) for the whole
// rebuild. From PostgreSQL 12 on, REINDEX ... CONCURRENTLY does the same work without them.
void check(const Statement& statement, const MigrationContext& context, RuleOutput& out) {
  Node stmt = statement.body();
  if (statement.kind() != "ReindexStmt" || context.pg_version() < 12 || has_concurrently(stmt["params"])) {
    return;
  }
  std::string_view kind = stmt["kind"].str();
  // REINDEX SYSTEM has no concurrent form: system catalogs cannot be reindexed concurrently.
  if (kind == "REINDEX_OBJECT_SYSTEM") {
    return;
  }
  if (stmt["relation"] && context.created_in_file(statement.relation_name())) {
    return;
  }
  out.report(statement.span(), message(stmt),
             "Use `REINDEX ... CONCURRENTLY` (PostgreSQL 12+) in a migration that runs outside a "
             "transaction; a failed concurrent rebuild leaves an INVALID `..._ccnew` index to drop before "
             "retrying.");
}

}  // namespace

extern const Rule kRequireConcurrentReindex{
    .id = "require-concurrent-reindex",
    .severity = Severity::Warning,
    .summary =
        "REINDEX without CONCURRENTLY blocks writes to the table and reads through the rebuilt indexes.",
    .tags = {"lock"},
    .check = check,
    .version_dependent = true,
};

}  // namespace miglint
