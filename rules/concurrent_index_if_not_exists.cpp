#include "rules/rule_support.hpp"

namespace miglint {

namespace {

// A CREATE INDEX CONCURRENTLY that fails (a deadlock, a unique violation, a cancelled statement)
// leaves an INVALID index behind under the requested name. A retry with IF NOT EXISTS finds that
// name and does nothing: the migration "succeeds" and the index is never used.
void check(const Statement& statement, const MigrationContext& context, RuleOutput& out) {
  auto create = statement.as<pg::IndexStmt>();
  if (!create || !create.concurrent() || !create.if_not_exists() ||
      context.created_in_file(statement.relation_name())) {
    return;
  }
  std::string index = quote_name(create.idxname());
  out.report(
      statement.span(),
      fmt::format("CREATE INDEX CONCURRENTLY IF NOT EXISTS {} does nothing when an earlier, failed build "
                  "left an INVALID index named {}: the migration succeeds, and the index is never used",
                  index, index),
      "Drop any leftover first, `DROP INDEX CONCURRENTLY IF EXISTS ...`, then `CREATE INDEX "
      "CONCURRENTLY` without IF NOT EXISTS; or check `pg_index.indisvalid` after the build.");
}

}  // namespace

extern const Rule kConcurrentIndexIfNotExists{
    .id = "concurrent-index-if-not-exists",
    .severity = Severity::Warning,
    .summary =
        "CREATE INDEX CONCURRENTLY IF NOT EXISTS silently keeps an INVALID index left by a failed build.",
    .tags = {"correctness"},
    .check = check,
    .kinds = {NodeKind::IndexStmt},
};

}  // namespace miglint
