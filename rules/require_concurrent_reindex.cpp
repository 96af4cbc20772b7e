#include "rules/rule_support.hpp"

namespace miglint {

namespace {

bool has_concurrently(pg::Repeated<pg::AnyNode> params) {
  for (pg::AnyNode param : params) {
    if (param.as<pg::DefElem>().defname() == "concurrently") {
      return true;
    }
  }
  return false;
}

// The finding's message. The lock on the statement's relation (the index, or the table) is the lock
// model's; the locks on relations the model does not list (each index of a table) stay written out.
std::string message(const Statement& statement, const MigrationContext& context, pg::ReindexStmt reindex) {
  auto kind = reindex.kind();
  if (kind == pg::ReindexObjectType::REINDEX_OBJECT_INDEX) {
    // The index's table is in the lock model only when the schema knows it: its SHARE stays written.
    return fmt::format(
        "rebuilding index {} without CONCURRENTLY takes a SHARE lock on its table, which blocks INSERT, "
        "UPDATE and DELETE, and an {} lock on the index, which blocks every query that would use it, for "
        "the whole rebuild",
        quote_name(display_name(reindex.relation())),
        lock_mode_name(lock_on(context, statement.relation_name())));
  }
  if (kind == pg::ReindexObjectType::REINDEX_OBJECT_TABLE) {
    std::string table = quote_name(display_name(reindex.relation()));
    return fmt::format(
        "rebuilding the indexes of table {} without CONCURRENTLY takes a {} lock on {}, which blocks "
        "INSERT, UPDATE and DELETE, and an ACCESS EXCLUSIVE lock on each index, which blocks every query "
        "that would use it, for the whole rebuild",
        table, lock_mode_name(lock_on(context, statement.relation_name())), table);
  }
  return fmt::format(
      "rebuilding every index of {} {} without CONCURRENTLY takes, table by table, a SHARE lock on the "
      "table, which blocks INSERT, UPDATE and DELETE, and an ACCESS EXCLUSIVE lock on each of its indexes, "
      "which blocks every query that would use them",
      kind == pg::ReindexObjectType::REINDEX_OBJECT_SCHEMA ? "schema" : "database",
      quote_name(reindex.name()));
}

// REINDEX without CONCURRENTLY holds SHARE on the table (writes wait) and ACCESS EXCLUSIVE on each
// index it rebuilds (every query that would use the index waits, reads included) for the whole
// rebuild. From PostgreSQL 12 on, REINDEX ... CONCURRENTLY does the same work without them.
void check(const Statement& statement, const MigrationContext& context, RuleOutput& out) {
  auto reindex = statement.as<pg::ReindexStmt>();
  if (!reindex || context.pg_version() < 12 || has_concurrently(reindex.params())) {
    return;
  }
  // REINDEX SYSTEM has no concurrent form: system catalogs cannot be reindexed concurrently.
  if (reindex.kind() == pg::ReindexObjectType::REINDEX_OBJECT_SYSTEM) {
    return;
  }
  if (reindex.relation() && context.created_in_file(statement.relation_name())) {
    return;
  }
  out.report(statement.span(), message(statement, context, reindex),
             "Use `REINDEX ... CONCURRENTLY` (PostgreSQL 12+) in a migration that runs outside a "
             "transaction; a failed concurrent rebuild leaves an INVALID `..._ccnew` index to drop before "
             "retrying.",
             statement_table(statement));
}

}  // namespace

extern const Rule kRequireConcurrentReindex{
    .id = "require-concurrent-reindex",
    .severity = Severity::Warning,
    .summary =
        "REINDEX without CONCURRENTLY blocks writes to the table and reads through the rebuilt indexes.",
    .tags = {"lock"},
    .check = check,
    .kinds = {NodeKind::ReindexStmt},
    .version_dependent = true,
};

}  // namespace miglint
