#pragma once

// The hover of a statement: the locks it takes (the lock model's view, as `miglint locks` prints
// it) and what each blocks while it is held.
#include <string>
#include <string_view>

#include "analyzer/engine/linter.hpp"
#include "analyzer/model/lock_model.hpp"

namespace miglint::lsp {

// What other sessions a lock of this mode keeps waiting ("reads and writes", "writes (INSERT,
// UPDATE, DELETE) and schema changes"...), from PostgreSQL's table of conflicting lock modes.
std::string_view what_lock_blocks(LockMode mode);

// Markdown for the statement's hover: one line per relation (lock, rewrite, scan, what it
// blocks) and the locks held in the transaction after it.
std::string lock_hover_markdown(const StatementLocks& statement);

}  // namespace miglint::lsp
