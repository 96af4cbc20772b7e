#pragma once

// Down migrations in `lint` ([lint] down_migrations): an Alembic revision's `downgrade()`, a golang-migrate
// `*.down.sql`, diesel's `down.sql` (migration_layout.hpp, is_down_migration_path) and dbmate's `--
// migrate:down` section are the way back, run by hand when a deploy goes wrong; their `DROP TABLE`s are what
// they are for. By default their findings are notes that never fail the build.
#include <memory>

#include "analyzer/engine/linter.hpp"
#include "analyzer/project/config.hpp"

namespace miglint {

// The byte ranges of a file that are down migrations: the whole file for a down migration path,
// dbmate's `-- migrate:down` sections otherwise (none for most files).
std::vector<ByteSpan> down_migration_spans(const SourceFile& source);

// Applies the policy to a file's findings: Note makes every finding in a down migration (but a
// syntax error) a note that never fails the build (Finding::never_fails; SARIF level "note"), with
// a word in its message; Skip drops them (a dbmate file's down section; down files are not read at all);
// Report leaves them.
void apply_down_migration_policy(const SourceFile& source, FileResult& result, DownMigrations policy);

// `inner` (may be null) followed by the policy, as one review of a file.
std::shared_ptr<FileReview> with_down_migration_policy(std::shared_ptr<FileReview> inner,
                                                       DownMigrations policy);

}  // namespace miglint
