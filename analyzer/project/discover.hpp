#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "analyzer/model/finding.hpp"
#include "analyzer/text/expected.hpp"

namespace miglint {

// One file to lint: the name reported to the user and, unless it is stdin, where to read it.
struct LintInput {
  std::string display_path;
  std::string filesystem_path;
  std::optional<std::string> contents;  // set for stdin
  bool report = true;                   // false: read only for the schema facts it teaches (--with-history)
  // Set instead of `contents` by the runner, which has read, hashed and planned these bytes: linted
  // as they are, sharing them (analyzer/text/source_file.hpp), not from a copy.
  std::shared_ptr<const std::string> shared_contents = nullptr;
};

struct DiscoveredInputs {
  std::vector<LintInput> inputs;   // in migration order
  std::vector<InputError> errors;  // paths that do not exist or cannot be listed
  // Entries of a walked directory named like inputs that are not linted (walked_file): notes, not
  // errors.
  std::vector<InputError> skipped;
};

// Expands command-line paths: files as given, directories recursively (`*.sql` and files ending in
// one of `other_extensions`, e.g. C++ sources, sorted), `-` for
// stdin named `stdin_name`. Reported paths are the given path joined with the path found below it,
// normalised (no `./`, no `//`). The result is in migration order (see order.hpp), without duplicates.
DiscoveredInputs discover_inputs(const std::vector<std::string>& paths, const std::string& stdin_name,
                                 const std::vector<std::string>& other_extensions = {});

// Adds, for every reported file on disk, the migrations before it in its migration directory (the
// file's directory; for diesel's `<version>/up.sql` layout, the directory above) as inputs that are
// read for schema facts only, so that a file lints the same alone as with its history.
void add_history(DiscoveredInputs& discovered);

// Changed migration files according to git, for --since and --staged. `paths` filters them (files
// or directories, as given). With `staged`, each input carries the staged contents. Files ending in
// one of `other_extensions` (C++ sources) count as well as `*.sql`.
Expected<std::vector<LintInput>> changed_inputs(const std::vector<std::string>& paths,
                                                const std::optional<std::string>& since_ref, bool staged,
                                                const std::vector<std::string>& other_extensions = {});

// The last component of a directory entry's path (`dir/name`), read from the path's text: cheaper
// than std::filesystem's decomposition, which walking a large tree paid per entry.
std::string_view entry_name(const std::filesystem::directory_entry& entry);

// What a directory walk makes of an entry found below a command-line directory (directories aside,
// which the walk enters unless they are symbolic links). An entry named like an input (`*.sql`, or
// ending in one of `other_extensions`) is an input when it is a regular file, or a symbolic link to
// a regular file inside `tree` (the walked directory, canonical). Anything else so named is skipped,
// with the reason: a named pipe, a device or a socket (never opened: reading one could block or
// never end), a broken link, a link loop, a link to a file outside the walked tree (which a pull
// request could point at a secret on the machine that lints it; name such a file on the command
// line to lint it).
struct WalkedFile {
  bool input = false;
  std::string skipped;  // why an entry named like an input is not one; empty otherwise
};
WalkedFile walked_file(const std::filesystem::directory_entry& entry, const std::string& tree,
                       const std::vector<std::string>& other_extensions = {});

// The canonical form of a walked directory, as walked_file takes it ("" when it cannot be had:
// then no symbolic link is followed).
std::string canonical_tree(const std::string& directory);

// Sorts inputs into migration order (stable), computing each path's order key once.
void sort_in_migration_order(std::vector<LintInput>& inputs);

// "a//b/./c.sql" -> "a/b/c.sql"
std::string normalize_display_path(const std::string& path);

}  // namespace miglint
