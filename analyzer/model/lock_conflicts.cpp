#include "analyzer/model/lock_conflicts.hpp"

#include <array>
#include <utility>

namespace miglint {

namespace {

// Row: the mode held; bit k: conflicts with the mode whose LockMode value is k (None is bit 0 and
// conflicts with nothing).
constexpr unsigned bit(LockMode mode) {
  return 1U << static_cast<unsigned>(mode);
}

constexpr std::array<unsigned, 9> kConflicts = {
    0,                                                          // None
    bit(LockMode::AccessExclusive),                             // ACCESS SHARE
    bit(LockMode::Exclusive) | bit(LockMode::AccessExclusive),  // ROW SHARE
    bit(LockMode::Share) | bit(LockMode::ShareRowExclusive) |   // ROW EXCLUSIVE
        bit(LockMode::Exclusive) | bit(LockMode::AccessExclusive),
    bit(LockMode::ShareUpdateExclusive) | bit(LockMode::Share) |  // SHARE UPDATE EXCLUSIVE
        bit(LockMode::ShareRowExclusive) | bit(LockMode::Exclusive) | bit(LockMode::AccessExclusive),
    bit(LockMode::RowExclusive) | bit(LockMode::ShareUpdateExclusive) |  // SHARE
        bit(LockMode::ShareRowExclusive) | bit(LockMode::Exclusive) | bit(LockMode::AccessExclusive),
    bit(LockMode::RowExclusive) | bit(LockMode::ShareUpdateExclusive) |  // SHARE ROW EXCLUSIVE
        bit(LockMode::Share) | bit(LockMode::ShareRowExclusive) | bit(LockMode::Exclusive) |
        bit(LockMode::AccessExclusive),
    bit(LockMode::RowShare) | bit(LockMode::RowExclusive) |  // EXCLUSIVE
        bit(LockMode::ShareUpdateExclusive) | bit(LockMode::Share) | bit(LockMode::ShareRowExclusive) |
        bit(LockMode::Exclusive) | bit(LockMode::AccessExclusive),
    bit(LockMode::AccessShare) | bit(LockMode::RowShare) |  // ACCESS EXCLUSIVE
        bit(LockMode::RowExclusive) | bit(LockMode::ShareUpdateExclusive) | bit(LockMode::Share) |
        bit(LockMode::ShareRowExclusive) | bit(LockMode::Exclusive) | bit(LockMode::AccessExclusive),
};

}  // namespace

bool lock_modes_conflict(LockMode held, LockMode requested) {
  return (kConflicts[static_cast<std::size_t>(held)] & bit(requested)) != 0;
}

bool lock_blocks_reads(LockMode mode) {
  return lock_modes_conflict(mode, LockMode::AccessShare);
}

bool lock_blocks_writes(LockMode mode) {
  return lock_modes_conflict(mode, LockMode::RowExclusive);
}

std::optional<LockMode> lock_mode_from_pg_locks(std::string_view mode) {
  static constexpr std::array<std::pair<std::string_view, LockMode>, 8> kNames = {{
      {"AccessShareLock", LockMode::AccessShare},
      {"RowShareLock", LockMode::RowShare},
      {"RowExclusiveLock", LockMode::RowExclusive},
      {"ShareUpdateExclusiveLock", LockMode::ShareUpdateExclusive},
      {"ShareLock", LockMode::Share},
      {"ShareRowExclusiveLock", LockMode::ShareRowExclusive},
      {"ExclusiveLock", LockMode::Exclusive},
      {"AccessExclusiveLock", LockMode::AccessExclusive},
  }};
  for (const auto& [name, lock] : kNames) {
    if (name == mode) {
      return lock;
    }
  }
  return std::nullopt;
}

}  // namespace miglint
