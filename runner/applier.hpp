#pragma once

#include <chrono>
#include <iosfwd>
#include <optional>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "runner/database.hpp"
#include "runner/runner.hpp"
#include "runner/script.hpp"
#include "runner/state.hpp"

namespace miglint::runner {

// ---------------------------------------------------------------------------------------------
// Applying.

class Applier {
 public:
  // `run_id`: the run's id (application_name `miglint/<run id>`); while a file is applied, the
  // session running statements is named after it, this process's pid and the file's version
  // (runner/activity.hpp), and a failed attempt is recorded with it.
  Applier(const RunSettingsResolved& settings, PgSession& work, PgSession& watch, std::ostream& out,
          std::ostream& err, std::string run_id = {})
      : settings_(settings),
        work_(work),
        watch_(watch),
        out_(out),
        err_(err),
        table_(history_table(settings.schema)),
        run_id_(std::move(run_id)) {}
  virtual ~Applier() = default;

  // Applies one migration (resuming a partial one). Returns kExitDone, kExitRefused or kExitError.
  int apply(MigrationState& migration);

  // Waits until no earlier runner's session can still write (a killed runner's backends, or the
  // sessions of a runner whose lock session ended), taking the work lock, and cancels and then
  // terminates them past --lock-wait. Call it before reading the history. kExitDone, or the exit
  // status after a message (interrupted, the database lost).
  int wait_for_leftovers();

  // The failed attempt the last apply() ended with (a statement's error), as recorded in
  // miglint_schema_migrations_failures; nullopt when it ended otherwise.
  const std::optional<FailedAttempt>& last_failure() const { return last_failure_; }

 protected:
  // A subclass writes other bookkeeping (runner/rollback.cpp: a down migration's progress) by
  // overriding record(); the members it needs are protected.
  struct StepResult {
    bool ok = true;
    PgError error;
    bool history_conflict = false;  // a history write matched nothing: another runner changed the row
    std::optional<std::size_t> statement = std::nullopt;  // the statement that failed (0-based), when one did
  };

  // The history row of the migration being applied, as this runner read it or last wrote it: every
  // write is conditional on it (no blind upserts).
  struct HistoryMark {
    bool exists = false;
    int applied = 0;
    std::optional<int> running;  // running_statement
  };

  // Managed backfills (runner/backfill.cpp, docs/runner.md "Managed backfills"): the key of every
  // backfill not done yet checked against the catalog before anything of the file runs; a backfill
  // run in key-range batches, each its own transaction with its progress record.
  int check_backfill_keys(const MigrationState& migration, std::size_t done);
  int run_backfill(MigrationState& migration, const Segment& segment);
  // Why the key of a backfill cannot be used ("" when it can), from the catalog.
  std::string backfill_key_problem(const ScriptStatement& statement, bool& connection_lost);

  StepResult run_statement(const MigrationState& migration, std::size_t index);
  StepResult run_segment(MigrationState& migration, const Segment& segment);
  // Statements [first, last) in the runner's own transaction, with their progress record.
  StepResult run_in_own_transaction(MigrationState& migration, const Segment& segment);
  // A statement that cannot run in a transaction: its intent recorded first, reconciled when it
  // may have been sent before, its end recorded after.
  StepResult run_unwrapped(MigrationState& migration, const Segment& segment);
  // Records progress (`running`: the intent before an unwrapped statement): inside the open transaction
  // when there is one (it commits with it), else on its own. Conditional on mark_.
  virtual StepResult record(const MigrationState& migration, std::size_t applied, std::optional<int> running);
  // COMMIT, and what was recorded inside the transaction becomes mark_; ROLLBACK forgets it.
  StepResult commit();
  void rollback();
  StepResult exec(const std::string& sql);
  StepResult set_timeouts(bool local, bool concurrent);
  // The indexes of the table a CREATE INDEX CONCURRENTLY builds on, before it runs (an array of
  // OIDs): the index a failed build leaves is the one not among them, named or not.
  StepResult indexes_before(const ScriptStatement& statement, std::string& oids);
  // Drops the invalid indexes a build left on its table; `found`: there were some.
  StepResult drop_new_invalid_indexes(const ScriptStatement& statement, const std::string& before,
                                      bool& found);
  // Drops the invalid indexes an earlier attempt could not drop.
  StepResult drop_left_invalid();
  // Before sending again a statement that may have been sent before: `finished` when the catalog shows
  // it is done; its leftovers (an invalid index, _ccnew copies) are dropped, a pending detach finalized.
  StepResult reconcile(const ScriptStatement& statement, bool& finished);
  // Drops the _ccnew/_ccold copies an interrupted REINDEX CONCURRENTLY left on the indexes that
  // `originals` (a condition on pg_index o, with $1) selects.
  StepResult drop_reindex_leftovers(const std::string& originals, const std::string& target);
  void describe_blockers();
  // Whether the lock session still holds the runner lock; checked before every statement.
  StepResult check_runner_lock();
  // The runner lock is lost: stop before statement `at` (exit 2), nothing more applied.
  int stop_without_lock(const MigrationState& migration, std::size_t at, std::size_t applied,
                        const std::string& why);
  std::string where(const MigrationState& migration, std::size_t index) const;

  const RunSettingsResolved& settings_;
  PgSession& work_;
  PgSession& watch_;
  std::ostream& out_;
  std::ostream& err_;
  std::string table_;
  std::chrono::steady_clock::time_point started_;
  std::vector<std::string> blockers_;      // the sessions that blocked the last statement, as last seen
  std::vector<std::string> waiting_for_;   // the sessions blocking the running statement now, in detail
  bool lock_lost_ = false;                 // the lock session ended or lost the runner lock
  std::vector<std::string> left_invalid_;  // invalid indexes failed builds left that could not be dropped
  std::mt19937 random_{std::random_device{}()};
  HistoryMark mark_;                   // the applied migration's history row, as read or written
  bool mark_written_ = false;          // this runner has written that row
  std::optional<HistoryMark> staged_;  // written inside the open transaction, not committed yet
  std::string run_id_;
  std::optional<FailedAttempt> last_failure_;
  // Records the failed attempt (after the rollback, on the session that ran it) and keeps it.
  void record_failed_attempt(const MigrationState& migration, const StepResult& result);
};

// The advisory lock: one runner at a time per history table, polled with pg_try_advisory_lock on
// its own session until --lock-wait. `connection_lost` tells a lost server from a refusal.
bool acquire_runner_lock(PgSession& session, const RunSettingsResolved& settings, std::ostream& out,
                         std::ostream& err, bool& connection_lost);
// The key text hashed into the advisory lock key.
std::string lock_key_text(const std::string& schema);
// The work lock's key text: held by the session that runs statements, for its whole life, so that
// the next runner waits for it even when this runner's lock session ended first.
std::string work_lock_key_text(const std::string& schema);

// A waiting statement is reported after this long, then every kWaitReportEvery.
inline constexpr std::chrono::seconds kFirstWaitReport{5};
inline constexpr std::chrono::seconds kWaitReportEvery{30};

}  // namespace miglint::runner
