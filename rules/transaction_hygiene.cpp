#include "rules/transaction_hygiene.hpp"

namespace miglint {

std::string relation_label(std::string_view qualified_relation) {
  constexpr std::string_view kDefaultSchema = "public.";
  if (qualified_relation.starts_with(kDefaultSchema)) {
    qualified_relation.remove_prefix(kDefaultSchema.size());
  }
  return std::string(qualified_relation);
}

bool is_session_control(const Statement& statement) {
  std::string_view kind = statement.kind();
  if (kind == "TransactionStmt" || kind == "VariableSetStmt") {
    return true;
  }
  if (kind != "SelectStmt") {
    return false;
  }
  // SELECT set_config('lock_timeout', '2s', true): a SET spelled as a function call.
  Node select = statement.body();
  if (select["fromClause"].size() > 0 || select["targetList"].size() == 0) {
    return false;
  }
  for (Node target : select["targetList"]) {
    Node names = target.as("ResTarget")["val"].as("FuncCall")["funcname"];
    if (names.size() == 0 || names.at(names.size() - 1).string_value() != "set_config") {
      return false;
    }
  }
  return true;
}

std::optional<RelationEffect> blocking_lock_on_existing(const MigrationContext& context) {
  for (const RelationEffect& effect : context.effects()) {
    if (effect.lock >= LockMode::Share && !context.created_in_file(effect.relation)) {
      return effect;
    }
  }
  return std::nullopt;
}

std::string transaction_key(const MigrationContext& context) {
  return "tx" + std::to_string(context.transaction().id);
}

}  // namespace miglint
