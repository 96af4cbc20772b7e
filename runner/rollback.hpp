#pragma once

// `miglint rollback [--to VERSION | --steps N] [DIR]` (docs/runner.md, "Rolling back"): applies the
// down migrations of the last applied migrations, newest first, with what `run` has: vetting (a down
// migration's destructive statements need an approval, `miglint approve` on the down file), the runner
// lock, the timeouts, the retries on a lock timeout, and history bookkeeping. A migration rolled back
// loses its row in miglint_schema_migrations (`status` shows it pending again); the rollback is kept in
// miglint_schema_rollbacks, which also holds the progress of a down migration that runs in several
// transactions, so that an interrupted rollback resumes. A missing down migration refuses the rollback
// before anything is changed.
#include <iosfwd>
#include <optional>
#include <string>

#include "runner/applier.hpp"
#include "runner/down_files.hpp"
#include "runner/runner.hpp"
#include "runner/state.hpp"

namespace miglint::runner {

struct RollbackRequest {
  std::optional<std::string> to;  // roll back every applied migration after this version
  std::optional<int> steps;       // else this many (default 1)
};

int rollback_migrations(const RunSettingsResolved& settings, const RollbackRequest& request,
                        std::ostream& out, std::ostream& err);

// The down migration of an applied migration as the applier runs it: its file, planned (a dbmate
// file's down section), with the progress of an interrupted rollback when `progress` has one. The
// error is one refusal line (no down migration, cannot be read or planned).
Expected<MigrationState> down_migration_state(const SetState& state, const MigrationState& up, int pg_major);

// Vets a down migration as `run` vets an up one (the migrations before it for their schema facts);
// fills down.unapproved.
void vet_down_migration(const SetState& state, const MigrationState& up, MigrationState& down,
                        const RunSettingsResolved& settings);

// CREATE TABLE IF NOT EXISTS miglint_schema_rollbacks; an empty string, or the error.
std::string ensure_rollbacks_table(PgSession& session, const std::string& schema);

// Applies a down migration: the applier's execution, with a bookkeeping of its own. Progress goes
// to miglint_schema_rollbacks; with the last statement (inside its transaction when it has one) the
// up migration's history row is deleted and the rollback marked finished.
class DownApplier : public Applier {
 public:
  DownApplier(const RunSettingsResolved& settings, PgSession& work, PgSession& watch, std::ostream& out,
              std::ostream& err, std::string run_id, std::string up_checksum)
      : Applier(settings, work, watch, out, err, std::move(run_id)), up_checksum_(std::move(up_checksum)) {}

 protected:
  StepResult record(const MigrationState& migration, std::size_t applied,
                    std::optional<int> running) override;

 private:
  std::string up_checksum_;  // the history row's checksum: only that row is deleted
};

}  // namespace miglint::runner
