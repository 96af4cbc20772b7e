#include "rules/transaction_hygiene.hpp"

namespace miglint {

std::string relation_label(std::string_view qualified_relation) {
  constexpr std::string_view kDefaultSchema = "public.";
  if (qualified_relation.starts_with(kDefaultSchema)) {
    qualified_relation.remove_prefix(kDefaultSchema.size());
  }
  return std::string(qualified_relation);
}

std::string quoted_relation_label(std::string_view qualified_relation) {
  if (is_relation_set(qualified_relation)) {
    return relation_set_label(qualified_relation);
  }
  return quote_name(relation_label(qualified_relation));
}

bool is_session_control(const Statement& statement) {
  switch (statement.node_kind()) {
    case NodeKind::TransactionStmt:
    case NodeKind::VariableSetStmt:
      return true;
    case NodeKind::SelectStmt:
      break;
    default:
      return false;
  }
  // SELECT set_config('lock_timeout', '2s', true): a SET spelled as a function call.
  auto select = statement.as<pg::SelectStmt>();
  if (!select.from_clause().empty() || select.target_list().empty()) {
    return false;
  }
  for (pg::AnyNode target : select.target_list()) {
    auto names = target.as<pg::ResTarget>().val().as<pg::FuncCall>().funcname();
    if (names.empty() || names[names.size() - 1].as<pg::String>().sval() != "set_config") {
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
