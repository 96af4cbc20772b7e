#include "rules/alter_table_support.hpp"

namespace miglint {

namespace {

constexpr std::string_view kHelp =
    "The change itself is instant: set a short `lock_timeout` first (`SET lock_timeout = '2s'`) and retry "
    "on failure, so that waiting for the lock cannot stall the table's traffic, and commit soon after it.";

bool toggles_trigger(pg::Enum<pg::AlterTableType> subtype) {
  using enum pg::AlterTableType;
  switch (subtype.value()) {
    case AT_EnableTrig:
    case AT_EnableAlwaysTrig:
    case AT_EnableReplicaTrig:
    case AT_EnableTrigAll:
    case AT_EnableTrigUser:
    case AT_DisableTrig:
    case AT_DisableTrigAll:
    case AT_DisableTrigUser:
      return true;
    default:
      return false;
  }
}

bool disables_trigger(pg::Enum<pg::AlterTableType> subtype) {
  using enum pg::AlterTableType;
  return subtype == AT_DisableTrig || subtype == AT_DisableTrigAll || subtype == AT_DisableTrigUser;
}

void check_create_trigger(const Statement& statement, pg::CreateTrigStmt trigger,
                          const MigrationContext& context, RuleOutput& out) {
  if (context.created_in_file(statement.relation_name())) {
    return;
  }
  std::string table = quote_name(display_name(trigger.relation()));
  out.report(
      statement.span(),
      fmt::format("{} trigger {} on {} takes a {} lock on {}, which blocks INSERT, "
                  "UPDATE and DELETE until the transaction ends; with no lock_timeout set, every later "
                  "query on {} queues behind it while it waits for the lock",
                  trigger.replace() ? "creating or replacing" : "creating", quote_name(trigger.trigname()),
                  table, lock_mode_name(lock_on(context, statement.relation_name())), table, table),
      std::string(kHelp), statement_table(statement, false));
}

void check_alter_table(const Statement& statement, pg::AlterTableStmt alter, const MigrationContext& context,
                       RuleOutput& out) {
  if (alter.objtype() != pg::ObjectType::OBJECT_TABLE || context.created_in_file(statement.relation_name())) {
    return;
  }
  std::string table = quote_name(display_name(alter.relation()));
  for (const AlterCommand& command : alter_commands(statement, alter)) {
    if (toggles_trigger(command.subtype())) {
      out.report(
          command.span(),
          fmt::format("{} triggers of {} takes a SHARE ROW EXCLUSIVE lock on {}, which blocks INSERT, "
                      "UPDATE and DELETE until the transaction ends; with no lock_timeout set, every "
                      "later query on {} queues behind it while it waits for the lock",
                      disables_trigger(command.subtype()) ? "disabling" : "enabling", table, table, table),
          std::string(kHelp), statement_table(statement, false));
    }
  }
}

// CREATE TRIGGER and ALTER TABLE ... ENABLE/DISABLE TRIGGER take SHARE ROW EXCLUSIVE on the table:
// catalog-only and quick once granted, but writes wait for it, and while it waits in the lock queue
// every later query on the table waits too. A lock_timeout bounds that wait.
void check(const Statement& statement, const MigrationContext& context, RuleOutput& out) {
  if (context.lock_timeout_set()) {
    return;
  }
  if (auto trigger = statement.as<pg::CreateTrigStmt>()) {
    check_create_trigger(statement, trigger, context, out);
  } else if (auto alter = statement.as<pg::AlterTableStmt>()) {
    check_alter_table(statement, alter, context, out);
  }
}

}  // namespace

extern const Rule kCreatingTriggerBlocksWrites{
    .id = "creating-trigger-blocks-writes",
    .severity = Severity::Warning,
    .summary = "CREATE TRIGGER and ENABLE/DISABLE TRIGGER take a lock that blocks writes to the table.",
    .tags = {"lock"},
    .check = check,
    .kinds = {NodeKind::CreateTrigStmt, NodeKind::AlterTableStmt},
};

}  // namespace miglint
