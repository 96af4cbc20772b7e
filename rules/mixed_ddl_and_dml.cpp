#include <algorithm>

#include "rules/rule_support.hpp"
#include "rules/transaction_hygiene.hpp"

namespace miglint {

namespace {

// The strongest lock this transaction already holds on a relation that existed before the file.
std::optional<HeldLock> strongest_held_on_existing(const MigrationContext& context) {
  std::optional<HeldLock> strongest;
  for (const HeldLock& held : context.held_locks()) {
    if (held.existing && (!strongest || held.lock > strongest->lock)) {
      strongest = held;
    }
  }
  return strongest;
}

// A transaction that both changes the schema of tables in use and writes their rows: the DDL's
// locks last as long as the data change, the row locks last as long as the DDL waits, and one
// failure undoes both.
void check(const Statement& statement, const MigrationContext& context, RuleOutput& out) {
  const TransactionSummary& transaction = context.transaction();
  bool completes = (transaction.ddl_on_existing && context.is_dml_on_existing(statement)) ||
                   (transaction.dml_on_existing && context.is_ddl_on_existing(statement));
  if (!completes || !out.once(transaction_key(context))) {
    return;
  }
  std::string held;
  if (std::optional<HeldLock> lock = strongest_held_on_existing(context)) {
    held = fmt::format(" (it already holds {} on {})", lock_mode_name(lock->lock),
                       quoted_relation_label(lock->relation));
  }
  std::string_view what = context.is_dml_on_existing(statement)
                              ? "this statement writes rows of an existing table in a transaction that "
                                "already changed the schema of an existing table"
                              : "this statement changes the schema of an existing table in a transaction "
                                "that already wrote rows of an existing table";
  out.report(statement.span(),
             fmt::format("{}{}: the schema change's locks stay held while the rows are written, the row "
                         "locks stay held while the schema change waits for its lock, and a failure of "
                         "either rolls back both",
                         what, held),
             "Put schema changes and data changes in separate migrations (or at least separate "
             "transactions): first the DDL, committed, then the data change in batches.");
}

}  // namespace

extern const Rule kMixedDdlAndDml{
    .id = "mixed-ddl-and-dml",
    .severity = Severity::Warning,
    .summary = "One transaction both changes the schema of existing tables and writes their rows.",
    .tags = {"lock", "transaction"},
    .check = check,
};

}  // namespace miglint
