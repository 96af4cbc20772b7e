#pragma once

#include <optional>
#include <string_view>

#include "analyzer/model/lock_model.hpp"

namespace miglint {

// PostgreSQL's table of conflicting lock modes (documentation, "Explicit Locking", Table 13.2):
// whether a session asking for `requested` waits for one holding `held`.
bool lock_modes_conflict(LockMode held, LockMode requested);

// Whether a lock held in `mode` makes plain reads (SELECT: ACCESS SHARE) wait.
bool lock_blocks_reads(LockMode mode);
// Whether a lock held in `mode` makes writes (INSERT, UPDATE, DELETE: ROW EXCLUSIVE) wait.
bool lock_blocks_writes(LockMode mode);

// The mode as pg_locks.mode spells it ("AccessExclusiveLock"), or nullopt for other text.
std::optional<LockMode> lock_mode_from_pg_locks(std::string_view mode);

}  // namespace miglint
