#include "rules/rule_support.hpp"

namespace miglint {

namespace {

// ALTER TABLE p DETACH PARTITION c takes ACCESS EXCLUSIVE on both the parent and the partition:
// every query on the partitioned table waits, and queues every later one. From PostgreSQL 14 on,
// DETACH PARTITION ... CONCURRENTLY needs only SHARE UPDATE EXCLUSIVE.
void check(const Statement& statement, const MigrationContext& context, RuleOutput& out) {
  Node stmt = statement.body();
  if (statement.kind() != "AlterTableStmt" || context.pg_version() < 14) {
    return;
  }
  bool parent_is_new = context.created_in_file(statement.relation_name());
  std::size_t index = 0;
  for (Node item : stmt["cmds"]) {
    Node cmd = item.as("AlterTableCmd");
    Node partition = cmd["def"].as("PartitionCmd");
    if (cmd["subtype"].str() == "AT_DetachPartition" && !partition["concurrent"].boolean() &&
        !(parent_is_new && context.created_in_file(qualified_name(partition["name"])))) {
      out.report(
          statement.subcommand_span(index),
          fmt::format("detaching partition {} from {} without CONCURRENTLY takes an ACCESS EXCLUSIVE lock on "
                      "both tables, which blocks every read and write of the partitioned table (and queues "
                      "every later query) until the transaction ends",
                      quote_name(display_name(partition["name"])),
                      quote_name(display_name(stmt["relation"]))),
          "Use `ALTER TABLE ... DETACH PARTITION ... CONCURRENTLY` (PostgreSQL 14+), alone in a migration "
          "that runs outside a transaction; if it is interrupted, finish it with `DETACH PARTITION ... "
          "FINALIZE`.");
    }
    ++index;
  }
}

}  // namespace

extern const Rule kRequireConcurrentPartitionDetach{
    .id = "require-concurrent-partition-detach",
    .severity = Severity::Warning,
    .summary = "DETACH PARTITION without CONCURRENTLY locks the whole partitioned table.",
    .tags = {"lock"},
    .check = check,
    .version_dependent = true,
};

}  // namespace miglint
