#include <algorithm>
#include <set>

#include "rules/alter_table_support.hpp"

namespace miglint {

namespace {

// The strongest lock this transaction takes on `table` up to and including this statement (at least
// the one ADD CONSTRAINT took).
LockMode lock_held(const MigrationContext& context, const std::string& table) {
  LockMode mode = LockMode::None;
  for (const HeldLock& held : context.held_locks()) {
    if (held.relation == table) {
      mode = std::max(mode, held.lock);
    }
  }
  for (const RelationEffect& effect : context.effects()) {
    if (effect.relation == table) {
      mode = std::max(mode, effect.lock);
    }
  }
  return mode;
}

// ALTER TABLE t VALIDATE CONSTRAINT c in the transaction that added c NOT VALID: NOT VALID makes the
// ADD instant so that its strong lock is released at once, and VALIDATE then scans under a weak one.
// In one transaction the strong lock is still held during the scan, so the split buys nothing.
void check(const Statement& statement, const MigrationContext& context, RuleOutput& out) {
  auto alter = altered_existing_table(statement, context);
  if (!alter) {
    return;
  }
  std::string table = qualified_name(alter.relation());
  // Constraints added NOT VALID by earlier sub-commands of this statement count too.
  std::set<std::string> not_valid = context.transaction().not_valid_constraints;
  for (const AlterCommand& command : alter_commands(statement, alter)) {
    auto subtype = command.subtype();
    auto constraint = command.def().as<pg::Constraint>();
    if (subtype == pg::AlterTableType::AT_AddConstraint && constraint.skip_validation()) {
      not_valid.insert(table + "." + std::string(constraint.conname()));
    } else if (subtype == pg::AlterTableType::AT_ValidateConstraint &&
               not_valid.contains(table + "." + std::string(command.name())) &&
               out.once("tx" + std::to_string(context.transaction().id))) {
      LockMode mode = lock_held(context, table);
      std::string name = quote_name(display_name(alter.relation()));
      out.report(
          command.span(),
          fmt::format("validating constraint {} of table {} in the transaction that added it NOT VALID "
                      "wastes the split: the transaction still holds the {} lock it took on {} until commit, "
                      "so {} of {} stay blocked for the whole validation scan",
                      quote_name(command.name()), name, lock_mode_name(mode), name,
                      mode == LockMode::AccessExclusive ? "reads and writes" : "writes", name),
          "Commit after adding the constraint NOT VALID, and run VALIDATE CONSTRAINT in a transaction "
          "of its own (a later migration, or after COMMIT): it then takes only SHARE UPDATE EXCLUSIVE, "
          "which lets reads and writes go on.",
          statement_table(statement));
    }
  }
}

}  // namespace

extern const Rule kValidateInSameTransaction{
    .id = "validate-in-same-transaction",
    .severity = Severity::Warning,
    .summary = "VALIDATE CONSTRAINT in the transaction that added the constraint NOT VALID keeps its lock.",
    .tags = {"lock", "transaction"},
    .check = check,
    .kinds = {NodeKind::AlterTableStmt},
};

}  // namespace miglint
