#pragma once

// `miglint run`, `status` and `plan` on an Alembic project (docs/alembic.md, "The runner"): the
// revisions are vetted like SQL migrations (the Alembic front end's findings, approvals bound to the
// revision file's checksum, ignores with reasons), then applied through Alembic itself, one revision
// at a time in the revision graph's order, so that Alembic's alembic_version table is the record of
// what is applied. The runner lock serializes these runs with every other `miglint run` on the
// database.
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "analyzer/project/alembic_layout.hpp"
#include "runner/database.hpp"
#include "runner/runner.hpp"

namespace miglint::runner {

// The Alembic project the runner's directory is (alembic.ini, a script directory with env.py and
// versions/, or a folder holding one), or nullopt for a directory of SQL migrations.
std::optional<AlembicProject> alembic_project_for_run(const RunSettingsResolved& settings);

// alembic_version's rows (none when the table does not exist yet: nothing applied).
Expected<std::vector<std::string>> recorded_alembic_revisions(PgSession& session);

// A revision's name: its file name without the revision id and `.py`.
std::string alembic_revision_name(const AlembicRevisionFile& file);

// The Python interpreter `[alembic] python` names for `path` (empty: the usual search).
std::string alembic_python_for(const RunSettingsResolved& settings, const std::string& path);

int run_alembic(const AlembicProject& project, const RunSettingsResolved& settings, std::ostream& out,
                std::ostream& err);
int show_alembic_status(const AlembicProject& project, const RunSettingsResolved& settings, std::ostream& out,
                        std::ostream& err);
int show_alembic_plan(const AlembicProject& project, const RunSettingsResolved& settings, std::ostream& out,
                      std::ostream& err);

}  // namespace miglint::runner
