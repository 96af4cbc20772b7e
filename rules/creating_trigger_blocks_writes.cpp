#include "rules/rule_support.hpp"

namespace miglint {

namespace {

constexpr std::string_view kHelp =
    "The change itself is instant: set a short `lock_timeout` first (`SET lock_timeout = '2s'`) and retry "
    "on failure, so that waiting for the lock cannot stall the table's traffic, and commit soon after it.";

bool toggles_trigger(std::string_view subtype) {
  return subtype.starts_with("AT_EnableTrig") || subtype.starts_with("AT_DisableTrig") ||
         subtype == "AT_EnableAlwaysTrig" || subtype == "AT_EnableReplicaTrig";
}

void check_create_trigger(const Statement& statement, const MigrationContext& context, RuleOutput& out) {
  Node stmt = statement.body();
  if (context.created_in_file(statement.relation_name())) {
    return;
  }
  std::string table = quote_name(display_name(stmt["relation"]));
  out.report(
      statement.span(),
      fmt::format("{} trigger {} on {} takes a SHARE ROW EXCLUSIVE lock on {}, which blocks INSERT, "
                  "UPDATE and DELETE until the transaction ends; with no lock_timeout set, every later "
                  "query on {} queues behind it while it waits for the lock",
                  stmt["replace"].boolean() ? "creating or replacing" : "creating",
                  quote_name(stmt["trigname"].str()), table, table, table),
      std::string(kHelp));
}

void check_alter_table(const Statement& statement, const MigrationContext& context, RuleOutput& out) {
  Node stmt = statement.body();
  if (stmt["objtype"].str() != "OBJECT_TABLE" || context.created_in_file(statement.relation_name())) {
    return;
  }
  std::string table = quote_name(display_name(stmt["relation"]));
  std::size_t index = 0;
  for (Node item : stmt["cmds"]) {
    std::string_view subtype = item.as("AlterTableCmd")["subtype"].str();
    if (toggles_trigger(subtype)) {
      out.report(
          statement.subcommand_span(index),
          fmt::format("{} triggers of {} takes a SHARE ROW EXCLUSIVE lock on {}, which blocks INSERT, "
                      "UPDATE and DELETE until the transaction ends; with no lock_timeout set, every "
                      "later query on {} queues behind it while it waits for the lock",
                      subtype.starts_with("AT_Disable") ? "disabling" : "enabling", table, table, table),
          std::string(kHelp));
    }
    ++index;
  }
}

// CREATE TRIGGER and ALTER TABLE ... ENABLE/DISABLE TRIGGER take SHARE ROW EXCLUSIVE on the table:
// catalog-only and quick once granted, but writes wait for it, and while it waits in the lock queue
// every later query on the table waits too. A lock_timeout bounds that wait.
void check(const Statement& statement, const MigrationContext& context, RuleOutput& out) {
  if (context.lock_timeout_set()) {
    return;
  }
  if (statement.kind() == "CreateTrigStmt") {
    check_create_trigger(statement, context, out);
  } else if (statement.kind() == "AlterTableStmt") {
    check_alter_table(statement, context, out);
  }
}

}  // namespace

extern const Rule kCreatingTriggerBlocksWrites{
    .id = "creating-trigger-blocks-writes",
    .severity = Severity::Warning,
    .summary = "CREATE TRIGGER and ENABLE/DISABLE TRIGGER take a lock that blocks writes to the table.",
    .tags = {"lock"},
    .check = check,
};

}  // namespace miglint
