#include "lsp/lock_hover.hpp"

#include <fmt/format.h>

#include <vector>

namespace miglint::lsp {

std::string_view what_lock_blocks(LockMode mode) {
  switch (mode) {
    case LockMode::None:
      return "nothing";
    case LockMode::AccessShare:
      return "only ACCESS EXCLUSIVE locks (DROP, most ALTER TABLE, VACUUM FULL); reads and writes go on";
    case LockMode::RowShare:
      return "EXCLUSIVE and ACCESS EXCLUSIVE locks; reads and writes go on";
    case LockMode::RowExclusive:
      return "SHARE and stronger locks (CREATE INDEX without CONCURRENTLY, most ALTER TABLE); reads and "
             "writes go on";
    case LockMode::ShareUpdateExclusive:
      return "VACUUM, ANALYZE, CREATE INDEX CONCURRENTLY and other schema changes; reads and writes go on";
    case LockMode::Share:
      return "writes (INSERT, UPDATE, DELETE) and schema changes; reads go on";
    case LockMode::ShareRowExclusive:
      return "writes (INSERT, UPDATE, DELETE), SELECT ... FOR UPDATE/SHARE and schema changes; reads go on";
    case LockMode::Exclusive:
      return "writes and SELECT ... FOR UPDATE/SHARE; only plain reads go on";
    case LockMode::AccessExclusive:
      return "every read and write of the table (even SELECT)";
  }
  return "nothing";
}

std::string lock_hover_markdown(const StatementLocks& statement) {
  std::string text = "**miglint locks**\n\n";
  if (statement.relations.empty()) {
    text += "No table locks.\n";
  }
  for (const RelationEffect& effect : statement.relations) {
    std::vector<std::string> extras;
    if (effect.rewrite) {
      extras.emplace_back("rewrites the table");
    }
    if (effect.scan) {
      extras.emplace_back("reads the whole table");
    }
    text += fmt::format("- `{}`: **{}**{}{} — blocks {}\n", effect.relation, lock_mode_name(effect.lock),
                        extras.empty() ? "" : ", ", fmt::join(extras, ", "), what_lock_blocks(effect.lock));
  }
  if (!statement.held.empty()) {
    std::vector<std::string> held;
    for (const HeldLock& lock : statement.held) {
      held.push_back(fmt::format("`{}` {}", lock.relation, lock_mode_name(lock.lock)));
    }
    text += fmt::format("\nHeld in the transaction after it: {}\n", fmt::join(held, ", "));
  }
  return text;
}

}  // namespace miglint::lsp
