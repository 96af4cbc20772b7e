#pragma once

// What `miglint run` and `plan` say about an Alembic project beyond what they say about SQL files:
// the revision being applied through Alembic, how a failed revision left the database (a revision
// whose autocommit_block() had committed part of it is partial and is not retried), and the plan of
// the revisions to apply. Status and the JSON documents are the SQL runner's (runner_report.hpp).
#include <ostream>
#include <string_view>
#include <vector>

#include "analyzer/report/runner_report.hpp"

namespace miglint {

// `applying REV NAME (PATH) through Alembic[, with an autocommit_block()]`.
struct AlembicApplyingView {
  std::string_view revision;
  std::string_view name;
  std::string_view display_path;
  bool autocommit_block = false;
};
void write_alembic_applying(std::ostream& out, const AlembicApplyingView& view);

// A revision that failed: the error (SQLSTATE, the call in the revision file, the statement), then
// what it left: nothing (its transaction rolled back) or, past an autocommit_block(), a partial
// revision with what to check before running again.
struct AlembicFailureView {
  std::string_view revision;
  std::string_view display_path;
  std::string_view error;
  std::string_view sqlstate;
  std::string_view where;      // the revision file's line, when known
  std::string_view statement;  // the failing SQL, when known
  bool partial = false;        // an autocommit_block() had committed part of the revision
  bool lock_timeout = false;
  int retries = 0;       // retries made before giving up (lock timeouts)
  std::string_view log;  // Alembic's last log lines, when the error says little
};
void write_alembic_failure(std::ostream& out, const AlembicFailureView& view);

// `plan` on an Alembic project: the timeouts, then each revision `run` applies, in graph order.
struct AlembicPlanRevisionView {
  std::string_view revision;
  std::string_view name;
  std::string_view display_path;
  bool autocommit_block = false;
  std::vector<UnapprovedView> unapproved;
  // The statements upgrade() emits (Alembic's offline SQL, as `lint` reads it), each at the line of
  // its `op.` call, with the locks the lock model predicts, in runs inside and outside a transaction.
  std::vector<PlanSegmentView> segments;
  std::size_t statements = 0;
  std::string_view statements_unknown;  // why they could not be read (the revision's lint error)
};
struct AlembicPlanView {
  PlanTimeouts timeouts;
  std::string_view project;
  std::string_view current;  // alembic_version's revisions, comma-separated ("" before the first)
  std::vector<AlembicPlanRevisionView> revisions;
  std::optional<std::string_view> target;
};
void write_alembic_plan(std::ostream& out, const AlembicPlanView& plan);

// `baseline --version REV` on an Alembic project: alembic_version stamped, nothing run.
void write_alembic_stamped(std::ostream& out, std::string_view revision, std::string_view previous);

// `repair` on an Alembic project: the partial revisions it forgets (after they were cleaned up by
// hand), or that there are none.
struct AlembicPartialView {
  std::string_view revision;
  std::string_view failed_at;
  std::string_view error;
};
void write_alembic_partials(std::ostream& out, const std::vector<AlembicPartialView>& partials, bool cleared);

}  // namespace miglint
