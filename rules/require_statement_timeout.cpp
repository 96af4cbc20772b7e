#include "rules/rule_support.hpp"
#include "rules/transaction_hygiene.hpp"

namespace miglint {

namespace {

// A statement holding a lock that blocks writes keeps it for as long as it runs (a scan, a
// rewrite, an index build); without statement_timeout nothing bounds that time.
void check(const Statement& statement, const MigrationContext& context, RuleOutput& out) {
  if (context.statement_timeout_set()) {
    return;
  }
  std::optional<RelationEffect> lock = blocking_lock_on_existing(context);
  if (!lock || !out.once("file")) {
    return;
  }
  std::string table = quoted_relation_label(lock->relation);
  std::string blocked = lock->lock == LockMode::AccessExclusive
                            ? fmt::format("every query on {}, reads included, waits", table)
                            : fmt::format("writes to {} stay blocked", table);
  out.report(statement.span(),
             fmt::format("this statement takes {} on {} and no statement_timeout is set: if it runs longer "
                         "than expected (a scan, a rewrite, an index build), {} until it ends",
                         lock_mode_name(lock->lock), table, blocked),
             "Set a statement_timeout that bounds how long the migration may block the table "
             "(`SET statement_timeout = '5min';`, or `SET LOCAL` inside the transaction).");
}

}  // namespace

extern const Rule kRequireStatementTimeout{
    .id = "require-statement-timeout",
    .severity = Severity::Warning,
    .summary = "A write-blocking lock on an existing table is taken with no statement_timeout set.",
    .tags = {"lock", "timeout"},
    .check = check,
};

}  // namespace miglint
