#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "analyzer/text/expected.hpp"

// Migration layouts, for `lint` and the runner alike: which files of a directory are migrations, their
// versions and names, which are down (or undo) migrations, the migration set a file belongs to, and
// (order.hpp) the order they run in. No database here: `miglint lint` never loads libpq.
namespace miglint {

// One migration the runner can apply: its version as written in its file name and where it is.
struct MigrationFile {
  std::string version;        // "3.1" (Flyway V3.1__x), "0003" (0003_x.up.sql), "2024-01-15-100000" (diesel)
  std::string name;           // "add_users"; may be empty
  std::string path;           // on disk
  std::string relative_path;  // from the migrations directory, '/'-separated (approvals use it)
};

// What a file name says: a migration's version and name, a file to skip (down/undo migrations),
// or why it is not a migration the runner understands.
struct NameReading {
  enum class Kind { Migration, Skip, Invalid } kind = Kind::Invalid;
  std::string version;
  std::string name;
  std::string why;  // for Invalid and Skip
};

// Reads a path relative to the migrations directory:
//   Flyway          V3__add_users.sql, V3.1__x.sql       (U…: undo, skipped; R__: not supported)
//   golang-migrate  0003_add_users.up.sql                (.down.sql skipped)
//   diesel          2024-01-15-100000_add_users/up.sql   (down.sql skipped)
//   dbmate / plain  20240115100000_add_users.sql, 001-add_users.sql, 7.sql
NameReading read_migration_name(std::string_view relative_path);

// The migrations of a directory (recursively, `*.sql`), in migration order: versions compare with
// the order key `lint` uses (digit runs as numbers), so V3 < V3.1 < V10. Two files with the same
// version (also `3` and `0003`), or a `.sql` file whose name has no version, are errors naming them.
struct MigrationDirectory {
  std::string directory;
  std::vector<MigrationFile> migrations;
  std::vector<std::string> skipped;  // down/undo migrations, relative paths
};
Expected<MigrationDirectory> discover_migrations(const std::string& directory);

// The migrations directory a file belongs to: its directory, or for diesel's `<version>/up.sql`
// the directory above ("." for a file in the current directory).
std::string migrations_directory_of(const std::string& file);

// The migration set of a path, as text: its directory, or for diesel's `<version>/up.sql` (and
// down.sql) the directory above; "" for a file in the current directory. Schema facts stay within
// a set.
std::string_view migration_set_of(std::string_view path);

// diesel's layout: a migration is a directory holding `up.sql` and `down.sql`.
bool is_diesel_step(std::string_view path);

// Down migrations (`down.sql`, `*.down.sql`, `*_down.sql`): `lint` reads them but learns no schema
// facts from them; the runner does not run them.
bool is_down_migration_path(std::string_view path);

}  // namespace miglint
