#pragma once

#include <iosfwd>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "analyzer/model/finding.hpp"
#include "analyzer/report/runner_report.hpp"
#include "analyzer/text/expected.hpp"
#include "runner/activity.hpp"
#include "runner/backfill_table.hpp"
#include "runner/database.hpp"
#include "runner/failures.hpp"
#include "runner/layout.hpp"
#include "runner/runner.hpp"
#include "runner/script.hpp"

namespace miglint::runner {

inline constexpr const char* kHistoryTable = "miglint_schema_migrations";
// Rollbacks, finished and in progress (runner/rollback.hpp).
inline constexpr const char* kRollbacksTable = "miglint_schema_rollbacks";

// The migrations on disk, the history table, and what is pending.

struct HistoryRow {
  std::string version;
  std::string name;
  std::string checksum;
  bool success = false;
  int statements_applied = 0;
  int statements_total = 0;
  // The 1-based number of a statement the runner started outside a transaction and whose end it
  // has not recorded (its intent, committed before the statement was sent): the next run checks
  // the catalog for what it left. Empty for rows of earlier releases and between statements.
  std::optional<int> running_statement;
  std::string applied_at;  // ISO 8601, UTC (2026-12-05T04:01:02Z); the time of the row's last write
  std::optional<long long> duration_ms;
};

// A rollback that started and did not finish: its down migration ran in several transactions (or
// outside one) and was interrupted after some of them committed. The migration is neither applied
// nor pending: `rollback` resumes it, `run` refuses until then.
struct RollbackInProgress {
  std::string down_file;  // relative to the migrations directory
  std::string down_checksum;
  int statements_applied = 0;
  int statements_total = 0;
  std::optional<int> running_statement;  // 1-based, started outside a transaction, end not recorded
};

// A finding that keeps a migration from running until someone approves it.
struct Unapproved {
  Finding finding;
  std::string why;
};

struct MigrationState {
  MigrationFile file;
  std::string display_path;  // directory joined with the relative path
  // The file as read (hashed, sent to the server), read once: the SourceFile that plans it and the
  // lint that vets it share these bytes (a 20 MB migration is held once, not once per use).
  std::shared_ptr<const std::string> bytes;
  std::string sha256;
  enum class Status { Applied, Pending, Partial, Changed } status = Status::Pending;
  std::optional<HistoryRow> row;
  std::optional<MigrationScript> script;  // for pending and partial migrations
  std::string script_error;
  std::vector<Unapproved> unapproved;
  // Pending, but a later version is already applied (a branch merged late): it runs, and says so.
  bool out_of_order = false;
  std::size_t order = 0;  // position in the directory's migration order
  // Within `--target` (every migration without one): run applies it when it is pending.
  bool in_scope = true;
  std::optional<FailedAttempt> failure;      // the latest failed attempt, no success since
  std::optional<RunningMigration> running;   // another runner applies it now (status and plan)
  std::optional<BackfillProgress> backfill;  // a backfill of it in progress (runner/backfill.cpp)
  // Applied, but its rollback started and was interrupted (miglint_schema_rollbacks).
  std::optional<RollbackInProgress> rollback;
};

// The state a migration is shown in (docs/runner.md): "applied", "pending", "running", "partial",
// "failed", "out_of_order", "modified", "partly_rolled_back".
std::string_view state_name(const MigrationState& migration);
// Whether `run` has work to do for it: pending, partial, failed, out of order or running.
bool waits_to_run(const MigrationState& migration);

// The first migration that refuses a run by its own content (not vetted, cannot be planned,
// unreadable), and the pending migration before it that `--target` could stop at.
struct FirstRefused {
  std::size_t order = 0;
  std::string version;
  std::string display_path;
  std::optional<std::string> target_before;  // the last pending version before it, if any
  std::size_t pending_before = 0;
};

struct SetState {
  std::string directory;
  std::vector<MigrationState> migrations;
  std::vector<HistoryRow> missing_on_disk;  // applied, but the file is gone
  std::vector<std::string> refusals;        // one line each
  int server_major = 15;
  int server_version = 0;             // PQserverVersion: 150004
  std::optional<std::string> target;  // `--target`: the version the run stops at
  std::optional<std::size_t> target_order;
  // Whether a refusal concerns the whole set (drift, a missing file): then `--target` cannot help.
  bool refused_as_a_whole = false;
  std::optional<FirstRefused> first_refused;

  bool refused() const { return !refusals.empty(); }
  // A refusal of the whole set (drift, history problems).
  void refuse(std::string line);
  // A refusal because of one file's own content (the file at `order`, version `version`).
  void refuse_file(std::size_t order, const std::string& version, const std::string& display_path,
                   std::string line);
  // Whether the migration at `order` is within --target.
  bool within_target(std::size_t order) const { return !target_order || order <= *target_order; }
};

// "public".miglint_schema_migrations, quoted for SQL.
std::string history_table(const std::string& schema);
std::string short_hash(const std::string& sha256);

// Reads the directory and the history, classifies every migration, plans and vets the pending ones.
// Writes nothing.
// With settings.target, only the migrations up to it are vetted and only their own problems refuse.
Expected<SetState> load_state(const RunSettingsResolved& settings, PgSession& session);

// For `status` and `plan`: marks the migrations another runner applies right now (`running`).
// Returns an error message, or an empty string.
std::string mark_running(SetState& state, PgSession& session, const std::string& schema);

// Refuses the set while a rollback is interrupted half-way (`run`, and what `status` and `plan` say
// `run` would do): applying migrations on top of a half-undone one, or taking it for applied, would
// both be wrong. `rollback` does not call it: it resumes the rollback.
void refuse_partly_rolled_back(SetState& state);

// "public".miglint_schema_rollbacks, quoted for SQL.
std::string rollbacks_table(const std::string& schema);

// The rollbacks started and not finished, by version (none when the table does not exist yet).
Expected<std::map<std::string, RollbackInProgress>> read_rollbacks_in_progress(PgSession& session,
                                                                               const std::string& schema);

// Fills `first_refused` (with its `--target` hint) once refusals are known.
void find_first_refused(SetState& state);

// Vetting (runner/verdict.hpp, which `miglint lint` shares): the same lint as `miglint lint`, with
// the transaction mode `run` uses, the server's version and the timeout rules off for the timeouts
// the runner sets; findings at or above fail_on (and every finding of a destructive rule) need an
// inline ignore with a reason or an entry in miglint.approvals.toml. Fills each pending migration's
// `unapproved` and the set's refusals. Applied migrations after the last pending one are not read.
void vet(SetState& state, const RunSettingsResolved& settings);

void print_unapproved(const MigrationState& migration, std::ostream& out, const std::string& indent);
// The migration's unapproved findings as the report layer writes them (they borrow from `migration`).
std::vector<UnapprovedView> unapproved_views(const MigrationState& migration);

// Refusals for the CREATE INDEX CONCURRENTLY statements of `migration` not applied yet that name
// no index: an interrupted build could not be found by name and finished (see docs/runner.md).
std::vector<std::string> unnamed_concurrent_builds(const MigrationState& migration);

// Creates the history table (and its schema) when missing, and adds the columns of this release to
// a table an earlier release created.
bool ensure_history_table(PgSession& session, const std::string& schema, std::ostream& err);

}  // namespace miglint::runner
