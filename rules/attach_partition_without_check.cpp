#include "rules/alter_table_support.hpp"

namespace miglint {

namespace {

// Whether a validated CHECK constraint, other than a bare `col IS NOT NULL`, is known on the table.
// PostgreSQL skips the scan only when such a constraint implies the partition bound; miglint does not
// compare expressions, so any validated check is taken as the one written for the bound.
bool has_validated_bound_check(const TableFacts& facts) {
  for (const auto& [name, check] : facts.checks) {
    if (check.validated && check.not_null_column.empty()) {
      return true;
    }
  }
  return false;
}

// ALTER TABLE p ATTACH PARTITION c FOR VALUES ... scans all of c to prove that every row fits the
// bound, holding ACCESS EXCLUSIVE on c for the whole scan, unless a validated CHECK constraint on c
// already implies the bound.
void check(const Statement& statement, const MigrationContext& context, RuleOutput& out) {
  auto alter = statement.as<pg::AlterTableStmt>();
  if (!alter || alter.objtype() != pg::ObjectType::OBJECT_TABLE) {
    return;
  }
  // The locks as the lock model (and so `miglint locks` and `plan`) says them.
  LockMode parent_lock = lock_on(context, qualified_name(alter.relation()));
  for (const AlterCommand& command : alter_commands(statement, alter)) {
    pg::RangeVar partition = command.def().as<pg::PartitionCmd>().name();
    std::string qualified = qualified_name(partition);
    if (command.subtype() == pg::AlterTableType::AT_AttachPartition && !context.created_in_file(qualified) &&
        !has_validated_bound_check(context.table_facts(qualified))) {
      out.report(
          command.span(),
          fmt::format("attaching {} as a partition of {} scans all of {} to check its rows against the "
                      "partition bound, holding an {} lock on {} (and {} on {}) for the whole scan; no "
                      "validated CHECK constraint on {} is known that would let PostgreSQL skip it",
                      quote_name(display_name(partition)), quote_name(display_name(alter.relation())),
                      quote_name(display_name(partition)), lock_mode_name(lock_on(context, qualified)),
                      quote_name(display_name(partition)), lock_mode_name(parent_lock),
                      quote_name(display_name(alter.relation())), quote_name(display_name(partition))),
          "First add a CHECK constraint matching the bound with `NOT VALID`, then `VALIDATE CONSTRAINT` it "
          "(SHARE UPDATE EXCLUSIVE, reads and writes continue); the attach then skips the scan. Drop the "
          "CHECK afterwards.",
          table_ref(partition));
    }
  }
}

}  // namespace

extern const Rule kAttachPartitionWithoutCheck{
    .id = "attach-partition-without-check",
    .severity = Severity::Warning,
    .summary =
        "ATTACH PARTITION scans the new partition under ACCESS EXCLUSIVE unless a CHECK proves its bound.",
    .tags = {"lock"},
    .check = check,
    .kinds = {NodeKind::AlterTableStmt},
    .version_dependent = true,
};

}  // namespace miglint
