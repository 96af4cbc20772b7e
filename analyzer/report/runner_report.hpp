#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "analyzer/engine/linter.hpp"
#include "analyzer/engine/table_sizes.hpp"
#include "analyzer/model/finding.hpp"

namespace miglint {

// What `miglint status`, `plan` and `run` print, written from plain views that the runner fills in
// from its state: the report layer knows nothing of the database (it must not load libpq).

// A finding that keeps a migration from running until someone approves it, and why.
struct UnapprovedView {
  const Finding* finding = nullptr;
  std::string_view why;
};

// Each unapproved finding of the migration at `display_path` (`INDENT path:line:col: severity [rule]
// message`, then `INDENT  (why)`), then how to approve them; nothing when there are none.
void write_unapproved(std::ostream& out, std::string_view indent, std::string_view display_path,
                      std::span<const UnapprovedView> items);

// `HEADING\n` then `  REFUSAL\n` per refusal.
void write_refusals(std::ostream& out, std::string_view heading, std::span<const std::string> refusals);

// The first migration that refuses a run by its own content, and the `--target` that applies the
// pending migrations before it (when there are any).
struct FirstRefusedView {
  std::string_view version;
  std::string_view display_path;
  std::optional<std::string_view> target_before;
  std::size_t pending_before = 0;
};
// `  the first refused migration is PATH (version V): `miglint run --target T` applies the N pending
// migrations before it` (nothing about --target when none is pending before it).
void write_first_refused(std::ostream& out, const FirstRefusedView& first);

// Another runner applying a migration now.
struct RunningView {
  int runner_pid = 0;   // the miglint process
  int backend_pid = 0;  // its server backend
};
// The latest failed attempt of a migration, with no success since.
struct FailureView {
  std::string_view time;  // ISO 8601, UTC
  std::string_view error;
  std::string_view sqlstate;
  std::optional<int> statement;  // 1-based
};

// `miglint status`: one line per migration on disk, then the applied versions no file has.
// A backfill in progress (docs/runner.md, "Managed backfills").
struct BackfillStatusView {
  int statement = 0;  // 1-based
  long long rows_done = 0;
  std::optional<long long> rows_total;
  bool rows_total_estimated = false;
  std::optional<long long> last_key;   // done up to this key
  std::optional<long long> upper_key;  // the keys it covers
};
// A rollback interrupted half-way (`status`): the down migration's progress.
struct RollbackStatusView {
  std::string_view down_file;  // relative to the migrations directory
  int statements_applied = 0;
  int statements_total = 0;
  std::optional<int> interrupted_statement;
};
struct StatusMigrationView {
  std::string_view status;  // the text's word: "applied", "pending", "partial", "CHANGED", "running",
                            // "failed", "partly rolled back"
  // The machine-readable state: applied, pending, running, partial, failed, out_of_order, modified,
  // partly_rolled_back.
  std::string_view state{};
  std::string_view checksum{};           // SHA-256 of the file on disk
  std::string_view recorded_checksum{};  // the history's, when it has a row
  std::string_view applied_at{};         // ISO 8601 UTC, when the history records a success
  std::optional<long long> duration_ms{};
  std::optional<RunningView> running{};
  std::optional<FailureView> failure{};
  bool would_run = false;  // `run` (within --target) applies it
  std::string_view version;
  std::string_view name;
  std::string_view display_path;
  // Partial: statements applied, of how many; and the statement it was interrupted in, if known.
  std::optional<std::pair<int, int>> statements_applied;
  std::optional<int> interrupted_statement;
  // Changed: the checksum applied and the one on disk (short forms).
  std::optional<std::pair<std::string, std::string>> checksums;
  std::string_view script_error;  // why it cannot run, if it cannot
  std::vector<UnapprovedView> unapproved;
  bool out_of_order = false;  // pending, but older than an applied migration
  std::optional<BackfillStatusView> backfill{};
  std::optional<RollbackStatusView> rollback{};
};
struct StatusMissingView {
  std::string_view version;
  std::string_view name;
  std::string_view recorded_checksum{};
  std::string_view applied_at{};
  std::optional<long long> duration_ms{};
};
struct StatusView {
  std::string_view directory;
  int server_major = 0;
  std::string_view schema;
  std::string_view history_table;
  std::vector<StatusMigrationView> migrations;
  std::vector<StatusMissingView> missing_on_disk;  // applied, but the file is gone
  // For the JSON document (the text shows these through write_refusals).
  int server_version = 0;  // 150004
  std::optional<std::string_view> target{};
  std::size_t pending = 0;  // migrations `run` would apply
  std::span<const std::string> refusals{};
  std::optional<FirstRefusedView> first_refused{};
};
void write_status(std::ostream& out, const StatusView& status);

// `miglint plan`: the timeouts `run` sets, then per pending migration its segments and statements
// with the locks each takes.
struct PlanTimeouts {
  std::chrono::milliseconds lock_timeout{0};
  std::chrono::milliseconds concurrent_lock_timeout{0};
  std::chrono::milliseconds statement_timeout{0};
  std::chrono::milliseconds concurrent_statement_timeout{0};
  int retries = 0;
};
struct PlanStatementView {
  Position start;
  std::string_view label;                 // empty: made from `sql` when written (plan_statement_label)
  const StatementLocks* locks = nullptr;  // what the lock model says it takes (null: unknown)
  // The statement as written, for a label made when the plan is written rather than held for each
  // of a file's hundreds of thousands of statements.
  std::string_view sql;
};
// The label shown for a statement of the plan: its own, or its text shortened (statement_label).
std::string plan_statement_label(const PlanStatementView& statement);
struct PlanSegmentView {
  std::string_view kind;       // segment_kind_name
  bool transactional = false;  // runs in a transaction (the runner's or the file's own)
  std::size_t first = 0;       // 1-based, inclusive
  std::size_t last = 0;
  std::optional<std::string> lock_timeout;  // set around a wrapped segment, as PostgreSQL writes it
  std::vector<PlanStatementView> statements;
};
struct PlanMigrationView {
  std::string_view version;
  std::string_view name;
  std::string_view display_path;
  std::string_view mode;  // script_mode_name
  std::size_t statements = 0;
  std::size_t resuming_after = 0;  // statements already applied (0: none)
  std::vector<PlanSegmentView> segments;
  std::vector<UnapprovedView> unapproved;
};
// With table sizes (docs/table-sizes.md): one statement's lock on one relation and the relation's size.
// One per planned lock on a relation whose size was read: a file of hundreds of thousands of
// statements has as many, so each points at its effect and at the size (PlanView::table_sizes).
struct PlanRiskView {
  std::string_view display_path;
  Position start;
  const RelationEffect* effect = nullptr;
  const TableSize* size = nullptr;  // never null
};
struct PlanView {
  PlanTimeouts timeouts;
  // The locks of the planned statements, riskiest first (order_by_risk); empty when the sizes could
  // not be read.
  std::vector<PlanRiskView> risks;
  TableSizes table_sizes;  // what `risks` point at
  std::string_view directory;
  std::vector<PlanMigrationView> migrations;  // the ones with a plan; none: "nothing to do"
  std::optional<std::string_view> target{};   // `plan --target`
};
void write_plan(std::ostream& out, const PlanView& plan);

// The risk of a lock on a relation: the lock's level (1 ACCESS SHARE ... 8 ACCESS EXCLUSIVE) times the
// relation's bytes (0 for a new table or an unknown size).
double plan_risk(const PlanRiskView& risk);
// Sorts by plan_risk, highest first; ties by rows, then by place in the plan.
void order_by_risk(std::vector<PlanRiskView>& risks);
// `riskiest first (lock level x size):` then `  PATH:LINE:COL  LOCK RELATION (rewrite): SIZE`, the
// first `limit`, then how many more; nothing when there are none.
void write_plan_risks(std::ostream& out, const std::vector<PlanRiskView>& risks, std::size_t limit = 20);

// "ACCESS EXCLUSIVE public.t (rewrite, scan), ROW SHARE public.u"
std::string describe_locks(const StatementLocks& statement);

// The machine-readable documents of `status`, `plan` and `run` (docs/runner.md, "Machine-readable
// output"): one JSON object with "schema_version": 1, then a newline.
inline constexpr int kRunnerJsonSchemaVersion = 1;
void write_status_json(std::ostream& out, const StatusView& status);
// `plan`: every migration as `status` has it, those `run` applies with their segments and statements.
void write_plan_json(std::ostream& out, const StatusView& status, const PlanView& plan);

// What `miglint run` did, for its JSON document.
struct AppliedView {
  std::string_view version;
  std::string_view name;
  std::string_view display_path;
  long long duration_ms = 0;
  std::size_t statements = 0;  // statements the file has
};
struct RunErrorView {
  std::string message;
  std::string sqlstate;
  std::string version;  // the migration it happened in, if any
  std::string display_path;
  std::optional<int> statement;  // 1-based
};
struct RunUnapprovedView {
  std::string_view version;
  std::string_view display_path;
  std::vector<UnapprovedView> unapproved;
};
struct RunView {
  std::string_view directory;
  std::string_view schema;
  std::string_view history_table;
  int server_version = 0;  // 0: not connected
  std::optional<std::string_view> target;
  std::string_view outcome;  // "done", "refused", "failed"
  std::size_t pending = 0;   // migrations it set out to apply
  std::vector<AppliedView> applied;
  std::span<const std::string> refusals;
  std::optional<FirstRefusedView> first_refused;
  std::vector<RunUnapprovedView> unapproved;
  std::optional<RunErrorView> error;
};
void write_run_json(std::ostream& out, const RunView& run);

// `miglint run`'s last line.
void write_nothing_to_do(std::ostream& out, std::size_t applied, std::string_view directory);
// `run --target V` when V is applied and nothing before it is pending.
void write_target_applied(std::ostream& out, std::string_view version);
void write_applied(std::ostream& out, std::size_t applied);

}  // namespace miglint
