#include "rules/alter_table_support.hpp"

namespace miglint {

namespace {

// ALTER TABLE p DETACH PARTITION c takes ACCESS EXCLUSIVE on both the parent and the partition:
// every query on the partitioned table waits, and queues every later one. From PostgreSQL 14 on,
// DETACH PARTITION ... CONCURRENTLY needs only SHARE UPDATE EXCLUSIVE.
void check(const Statement& statement, const MigrationContext& context, RuleOutput& out) {
  auto alter = statement.as<pg::AlterTableStmt>();
  if (!alter || context.pg_version() < 14) {
    return;
  }
  bool parent_is_new = context.created_in_file(statement.relation_name());
  for (const AlterCommand& command : alter_commands(statement, alter)) {
    auto partition = command.def().as<pg::PartitionCmd>();
    if (command.subtype() == pg::AlterTableType::AT_DetachPartition && !partition.concurrent() &&
        !(parent_is_new && context.created_in_file(qualified_name(partition.name())))) {
      // The lock model's lock on the parent: DETACH without CONCURRENTLY takes the strongest lock,
      // and the same one on the partition.
      out.report(
          command.span(),
          fmt::format("detaching partition {} from {} without CONCURRENTLY takes an {} lock on both tables, "
                      "which blocks every read and write of the partitioned table (and queues every later "
                      "query) until the transaction ends",
                      quote_name(display_name(partition.name())), quote_name(display_name(alter.relation())),
                      lock_mode_name(lock_on(context, statement.relation_name()))),
          "Use `ALTER TABLE ... DETACH PARTITION ... CONCURRENTLY` (PostgreSQL 14+), alone in a migration "
          "that runs outside a transaction; if it is interrupted, finish it with `DETACH PARTITION ... "
          "FINALIZE`.",
          statement_table(statement, false));
    }
  }
}

}  // namespace

extern const Rule kRequireConcurrentPartitionDetach{
    .id = "require-concurrent-partition-detach",
    .severity = Severity::Warning,
    .summary = "DETACH PARTITION without CONCURRENTLY locks the whole partitioned table.",
    .tags = {"lock"},
    .check = check,
    .kinds = {NodeKind::AlterTableStmt},
    .version_dependent = true,
};

}  // namespace miglint
