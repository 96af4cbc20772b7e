#pragma once

// Alembic's layout, for `lint` and (later) the runner: which files are revision files, what each
// one's header says (`revision`, `down_revision`), and the order the revision graph gives. Read
// from the files' text, without Python: directory walks order revisions with it before any lint
// starts, and the runner can vet and apply revisions in this order (alembic_revisions).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "analyzer/text/expected.hpp"

namespace miglint {

// An Alembic project as miglint finds it: the script directory (env.py) and its versions folder.
struct AlembicProject {
  std::string script_directory;    // holds env.py (or is `[alembic] script_location`)
  std::string versions_directory;  // the revision files
  std::string root;                // where alembic.ini is, else the script directory's parent
};

// Script directories named by `[alembic] script_location` in a miglint.toml (absolute), for
// layouts where the versions folder is not beside an env.py. Set while configs are read.
void add_alembic_script_location(const std::string& directory);

// The project a revision file belongs to: its directory is a `versions` folder beside an env.py,
// or the versions folder of a configured script location. nullopt for any other file.
std::optional<AlembicProject> alembic_project_of(std::string_view revision_path);

// Whether `path` is an Alembic revision file (`*.py` in a project's versions folder, not
// `__init__.py`): what directory walks collect of Python files.
bool is_alembic_revision_path(std::string_view path);

// The project whose root is `directory` (an alembic.ini naming script_location, or a `migrations`
// / `alembic` folder with env.py and versions/ below it, or `directory` itself holding env.py).
std::optional<AlembicProject> alembic_project_at(const std::string& directory);

// What a revision file's header says, read as text: `revision = "abc"` and `down_revision =
// "xyz"` (None, a string, or a tuple/list of strings for a merge).
struct RevisionHeader {
  std::string path;
  std::string revision;  // empty: not found
  std::vector<std::string> down_revisions;
  uint32_t revision_line = 1;       // 1-based
  uint32_t down_revision_line = 1;  // 1-based
};
RevisionHeader read_revision_header(std::string path, std::string_view text);

// `headers` in the order the revision graph gives: from the base, each revision after the ones it
// revises (ties, and files without a revision id, by file name). A cycle keeps file-name order for
// the revisions in it.
std::vector<std::size_t> revision_graph_order(const std::vector<RevisionHeader>& headers);

// Orders paths of one directory in place: the revision files of an Alembic versions folder by the
// revision graph (after the directory's other files); other directories are left alone. Reads the
// revision files' headers.
void order_alembic_revisions(std::vector<std::string>& paths);

// The runner's seam: a project's revisions in graph order, each with its file and the SHA-256 of
// its bytes (what approvals bind to), or why they cannot be listed.
struct AlembicRevisionFile {
  RevisionHeader header;
  std::string relative_path;  // from the versions folder
  std::string checksum;       // sha256 hex of the file
};
Expected<std::vector<AlembicRevisionFile>> alembic_revisions(const AlembicProject& project);

}  // namespace miglint
