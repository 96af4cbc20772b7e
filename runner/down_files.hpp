#pragma once

// The down migration of an up migration, for `miglint rollback` and `miglint test`, in each layout
// that has them (analyzer/project/migration_layout.hpp): golang-migrate `0003_x.down.sql` beside
// `0003_x.up.sql`, diesel `<version>_x/down.sql` beside `up.sql`, Flyway `U3__x.sql` for `V3__x.sql`,
// and dbmate's `-- migrate:down` section of the migration's own file. A plain layout has none.
#include <optional>
#include <string>
#include <string_view>

#include "analyzer/text/expected.hpp"
#include "analyzer/text/source_file.hpp"
#include "runner/layout.hpp"

namespace miglint::runner {

struct DownFile {
  std::string path;           // on disk
  std::string relative_path;  // from the migrations directory
  std::string bytes;          // the whole file
  // What the planner reads: the file itself, or for a dbmate section the file with everything but
  // the down section blanked (same offsets, same lines), its marker's `transaction:false` kept as
  // `-- miglint-no-transaction`.
  std::string planned_text;
  ByteSpan executed;  // the part that runs: the whole file, or the dbmate down section
};

// Where the down migration of `up` would be, and why none is (`expected`, for the message):
// nullopt with `expected` empty when the layout has no down migrations at all.
struct DownLookup {
  std::optional<DownFile> found;
  std::string expected;  // "migrations/0003_x.down.sql", "a -- migrate:down section in ..."
  std::string error;     // the down file exists but cannot be read
};
DownLookup find_down_migration(const std::string& directory, const MigrationFile& up,
                               const std::string& up_bytes);

// A dbmate file's down section `down` as the planner reads it: DownFile::planned_text.
std::string dbmate_down_planned_text(std::string_view bytes, ByteSpan down);

}  // namespace miglint::runner
