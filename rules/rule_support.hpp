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

// Names of a typed RangeVar, as relation.hpp gives them for its Node.
inline std::string display_name(pg::RangeVar relation) {
  return display_name(relation.node());
}
inline std::string qualified_name(pg::RangeVar relation) {
  return qualified_name(relation.node());
}
inline std::string qualified_name_from_list(pg::Repeated<pg::AnyNode> names) {
  return qualified_name_from_list(names.node());
}

}  // namespace miglint
