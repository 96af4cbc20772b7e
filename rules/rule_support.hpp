#pragma once

// What rule files share: the context, the lock model, names, and message helpers.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <string>

#include "analyzer/model/context.hpp"
#include "analyzer/model/lock_model.hpp"
#include "analyzer/model/rule.hpp"
#include "analyzer/sql/pg_nodes.hpp"
#include "analyzer/sql/relation.hpp"
#include "analyzer/sql/statement.hpp"

namespace miglint {

// `"name"` for messages.
inline std::string quote_name(std::string_view name) {
  // Concatenated, not formatted: messages quote several names each, and fmt's parsing of the
  // format string cost more than the copy.
  std::string quoted;
  quoted.reserve(name.size() + 2);
  quoted.append(1, '"').append(name).append(1, '"');
  return quoted;
}

// The lock the lock model says the current statement takes on `relation` (a qualified name, as
// Statement::relation_name() and qualified_name() give it), for messages: they then name the lock
// as `miglint locks` and `plan` do. A statement's lock on a table is the strongest of its commands'.
inline LockMode lock_on(const MigrationContext& context, const std::string& relation) {
  LockMode lock = LockMode::None;
  for (const RelationEffect& effect : context.effects()) {
    if (effect.relation == relation) {
      lock = effect.lock;
    }
  }
  return lock;
}

// The table a finding is about (Finding::table), as a RangeVar names it. `scales_with_size` false:
// the table's size is shown but a small table does not lower the finding (TableRef).
inline TableRef table_ref(pg::RangeVar relation, bool scales_with_size = true) {
  return TableRef{std::string(relation.schemaname()), std::string(relation.relname()), scales_with_size};
}
// The table of the statement's `relation` field, the one Statement::relation_name() names.
inline TableRef statement_table(const Statement& statement, bool scales_with_size = true) {
  return table_ref(statement.relation(), scales_with_size);
}
// A name list (DROP's objects: [schema,] name).
inline TableRef table_ref_from_list(pg::Repeated<pg::AnyNode> names, bool scales_with_size = true) {
  std::size_t count = names.size();
  if (count == 0) {
    return {};
  }
  return TableRef{count >= 2 ? std::string(names[count - 2].as<pg::String>().sval()) : std::string(),
                  std::string(names[count - 1].as<pg::String>().sval()), scales_with_size};
}

}  // namespace miglint
