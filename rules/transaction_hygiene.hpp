#pragma once

// What the transaction-level rules share: names for messages, statements that take no lock of
// their own, and the first write-blocking lock a statement takes on an existing relation.
#include <optional>
#include <string>
#include <string_view>

#include "rules/rule_support.hpp"

namespace miglint {

// "users" for "public.users" (the default schema), "billing.invoices" otherwise.
std::string relation_label(std::string_view qualified_relation);
// The same quoted ("\"users\""), or for a set of relations its description ("every table of the
// database", lock_model.hpp): how messages name what a lock is on.
std::string quoted_relation_label(std::string_view qualified_relation);

// BEGIN/COMMIT/SAVEPOINT/..., SET/RESET, and `SELECT set_config(...)`: statements that manage the
// session or the transaction and take no lock on a relation.
bool is_session_control(const Statement& statement);

// The first relation that existed before this file and that the statement locks in SHARE or a
// stronger mode (a mode that blocks writes), with its effect.
std::optional<RelationEffect> blocking_lock_on_existing(const MigrationContext& context);

// "tx<id>": the key for RuleOutput::once() of a rule that reports once per transaction.
std::string transaction_key(const MigrationContext& context);

}  // namespace miglint
