#include "rules/rule_support.hpp"
#include "rules/transaction_hygiene.hpp"

namespace miglint {

namespace {

// A statement waiting for a lock that blocks writes queues every later query on the table behind
// it; without lock_timeout it waits, and they wait, as long as the longest open transaction.
void check(const Statement& statement, const MigrationContext& context, RuleOutput& out) {
  if (context.lock_timeout_set()) {
    return;
  }
  std::optional<RelationEffect> lock = blocking_lock_on_existing(context);
  if (!lock || !out.once("file")) {
    return;
  }
  std::string table = quoted_relation_label(lock->relation);
  out.report(statement.span(),
             fmt::format("this statement takes {} on {} and no lock_timeout is set: while it waits for a "
                         "long-running transaction to release {}, every later query on {} queues behind it",
                         lock_mode_name(lock->lock), table, table, table),
             "Set a short lock_timeout before the first statement that locks an existing table "
             "(`SET lock_timeout = '2s';`, or `SET LOCAL` inside the transaction) and retry the "
             "migration when it times out.");
}

}  // namespace

extern const Rule kRequireLockTimeout{
    .id = "require-lock-timeout",
    .severity = Severity::Warning,
    .summary = "A write-blocking lock on an existing table is requested with no lock_timeout set.",
    .tags = {"lock", "timeout"},
    .check = check,
};

}  // namespace miglint
