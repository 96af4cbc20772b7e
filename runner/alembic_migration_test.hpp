#pragma once

// `miglint test` on an Alembic project (docs/alembic.md, "Testing revisions up, down and up"):
// through Alembic itself (miglint_alembic_upgrade.py, as `run` applies revisions), on a throwaway
// database: every revision up in graph order, every one down (newest first), every one up again and
// down again; then each revision up, down, up, comparing the schema after its downgrade() with the
// schema before its upgrade() (runner/schema_snapshot.hpp, alembic_version left out). It stops at
// the first problem, reported as the SQL test reports it (runner/migration_test.hpp).
#include <iosfwd>

#include "analyzer/project/alembic_layout.hpp"
#include "runner/migration_test.hpp"

namespace miglint::runner {

int test_alembic_migrations(const AlembicProject& project, const RunSettingsResolved& settings,
                            const MigrationTestRequest& request, std::ostream& out, std::ostream& err);

}  // namespace miglint::runner
