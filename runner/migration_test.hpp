#pragma once

// `miglint test [DIR]` (docs/runner.md, "Testing migrations up, down and up"): on a throwaway
// database (a DSN, or --ephemeral), applies every migration, rolls every one back, applies them all
// again; then, from an empty schema again, takes each migration up, down and up, comparing the schema
// after the down with the schema before the up (runner/schema_snapshot.hpp). It stops at the first
// problem: a down that does not restore the schema (with the difference), a down that fails, an up
// that fails (the first time, or again after its own down), a migration without a down migration.
// The migrations run through the runner's applier (its timeouts, retries and history bookkeeping) but
// are not vetted: the database is a throwaway one, nothing needs an approval. A database that already
// holds tables is refused unless --allow-nonempty; no other database is touched.
#include <iosfwd>
#include <string>

#include "analyzer/report/down_report.hpp"
#include "runner/database.hpp"
#include "runner/runner.hpp"

namespace miglint::runner {

struct MigrationTestRequest {
  bool allow_nonempty = false;
  std::string format = "text";  // text, json, sarif
};

// 0 passed, 1 a problem found or refused, 2 usage error or the database unreachable. An Alembic
// project is tested through Alembic (runner/alembic_migration_test.hpp).
int test_migrations(const RunSettingsResolved& settings, const MigrationTestRequest& request,
                    std::ostream& out, std::ostream& err);

// Shared with the Alembic test: the test's document in the requested format; and the refusal of a
// database that holds tables (empty when it holds none or --allow-nonempty), or why they cannot be read.
void write_test_view(std::ostream& out, const TestView& view, const std::string& format);
Expected<std::string> nonempty_database_refusal(PgSession& session, bool allow_nonempty);

}  // namespace miglint::runner
