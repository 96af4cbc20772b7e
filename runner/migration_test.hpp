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

#include "runner/runner.hpp"

namespace miglint::runner {

struct MigrationTestRequest {
  bool allow_nonempty = false;
  std::string format = "text";  // text, json, sarif
};

// 0 passed, 1 a problem found or refused, 2 usage error or the database unreachable.
int test_migrations(const RunSettingsResolved& settings, const MigrationTestRequest& request,
                    std::ostream& out, std::ostream& err);

}  // namespace miglint::runner
