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

// `miglint status`: one line per migration on disk, then the applied versions no file has.
struct StatusMigrationView {
  std::string_view status;  // "applied", "pending", "partial", "CHANGED"
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
};
struct StatusMissingView {
  std::string_view version;
  std::string_view name;
};
struct StatusView {
  std::string_view directory;
  int server_major = 0;
  std::string_view schema;
  std::string_view history_table;
  std::vector<StatusMigrationView> migrations;
  std::vector<StatusMissingView> missing_on_disk;  // applied, but the file is gone
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
  std::string_view label;
  const StatementLocks* locks = nullptr;  // what the lock model says it takes (null: unknown)
};
struct PlanSegmentView {
  std::string_view kind;  // segment_kind_name
  std::size_t first = 0;  // 1-based, inclusive
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
struct PlanView {
  PlanTimeouts timeouts;
  std::string_view directory;
  std::vector<PlanMigrationView> migrations;  // the ones with a plan; none: "nothing to do"
};
void write_plan(std::ostream& out, const PlanView& plan);

// "ACCESS EXCLUSIVE public.t (rewrite, scan), ROW SHARE public.u"
std::string describe_locks(const StatementLocks& statement);

// `miglint run`'s last line.
void write_nothing_to_do(std::ostream& out, std::size_t applied, std::string_view directory);
void write_applied(std::ostream& out, std::size_t applied);

}  // namespace miglint
