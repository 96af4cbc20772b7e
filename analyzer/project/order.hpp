#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "analyzer/project/migration_layout.hpp"  // is_down_migration_path

namespace miglint {

// Migration order, shared by `lint` and the runner. A leading timestamp written with dashes
// (diesel's `2017-08-31-143022_x`) compares as its digits; otherwise runs of digits compare as
// numbers (`v1.2` before `v1.10`, `9_x` before `10_x`); ties are broken by the bytes. A down
// migration sorts right after its up migration (it runs after it, so it sees the schema it made).
bool migration_order_less(std::string_view a, std::string_view b);

// The same order as a precomputed key, for sorting many paths (segmenting once per path).
class MigrationOrderKey {
 public:
  explicit MigrationOrderKey(std::string_view path);
  // Equal keys are paths that differ only in leading zeros: callers break the tie by the bytes.
  friend bool operator<(const MigrationOrderKey& a, const MigrationOrderKey& b);
  friend bool operator==(const MigrationOrderKey& a, const MigrationOrderKey& b);

  // A number (its significant digits), or a run of other bytes. Runs compare as byte strings,
  // which is the same as comparing them byte by byte with a number sorting before any byte.
  struct Segment {
    bool numeric = false;
    std::string text;
  };

 private:
  // The segments encoded in one byte string whose byte order is the migration order: a number is
  // 0x01, its length in two bytes and its digits (shorter numbers first); any other byte is itself
  // (bytes 0-2 escaped as 0x02 and the byte); then 0x00 and the down flag. So the key compares as
  // the sequence of numbers and bytes, a number before any byte and the end before both, with no
  // marker between segments: the key of a path is decided component by component, which lets a
  // directory walk sort one directory at a time (input_source.cpp). One string per path keeps
  // sorting 10,000s of paths cheap in time and memory.
  std::string encoded_;
};

}  // namespace miglint
