#pragma once

// `miglint trace` (docs/trace.md): what each statement of a migration did on a scratch database, as
// text, JSON, a markdown table per file (for a pull-request comment) or SARIF (its findings). The
// runner (runner/trace.cpp) fills these views; nothing here talks to a database.
#include <cstddef>
#include <ostream>
#include <string>
#include <vector>

#include "analyzer/model/finding.hpp"
#include "analyzer/model/lock_model.hpp"
#include "analyzer/text/source_file.hpp"

namespace miglint {

// One relation lock of the tracing session (pg_locks), its relation resolved through pg_class.
struct TraceLockView {
  std::string relation;  // "public.users"
  std::string kind;      // table, partitioned table, index, sequence, toast table, view, ...
  LockMode mode = LockMode::None;
  // Created by the transaction (or, for a statement run alone, by the statement): nobody else can
  // see it yet, so its locks block nobody.
  bool created = false;
};

// A constraint the statement added (a pg_constraint row that was not there before), or one it
// validated (convalidated turned true).
struct TraceConstraintView {
  std::string name;
  std::string on;    // "public.users", or "domain public.email"
  std::string type;  // check, foreign key, unique, primary key, exclusion, not null, trigger
  bool valid = false;
  bool validated_now = false;  // existed NOT VALID before the statement, valid after it
};

// The static lock model's view of the same statement (what `miglint locks` prints).
struct TraceModelView {
  std::vector<RelationEffect> relations;
  // The traced locks and rewrites of the tables that existed before the statement are those the
  // model predicts (see docs/trace.md, "Agreement with the static model").
  bool agrees = true;
};

struct TraceStatementView {
  Position start;
  std::string label;  // the statement, shortened to one line (as `miglint plan` shows it)
  // Ran alone, outside a transaction: its locks were sampled from a second session while it ran
  // (a lock held for less than the sampling interval can be missed).
  bool sampled = false;
  std::vector<TraceLockView> locks;  // taken by this statement
  std::vector<TraceLockView> held;   // still held from earlier statements of the transaction
  std::vector<TraceLockView> rewritten;
  std::vector<TraceConstraintView> constraints;
  double duration_ms = 0;
  std::string error;  // the server's error, when the statement failed (its effects are undone)
  TraceModelView model;
};

struct TraceFileView {
  std::string path;
  // How the file ran: "rolled back", "committed", or why it was not traced.
  std::string outcome;
  bool traced = false;
  std::vector<TraceStatementView> statements;
  std::vector<Finding> findings;  // the trace findings (rules tagged `trace`)
};

struct TraceView {
  int server_version = 0;  // 150004
  bool commit = false;
  std::vector<TraceFileView> files;
  // Statements traced, and of those, the ones whose locks and rewrites the static model predicted.
  std::size_t compared = 0;
  std::size_t agreed = 0;
};

void write_trace_text(std::ostream& out, const TraceView& view);
void write_trace_json(std::ostream& out, const TraceView& view);
// A `### path` heading and a table per file: statement, locks, blocks reads?, blocks writes?,
// rewrite?, duration; then the findings.
void write_trace_markdown(std::ostream& out, const TraceView& view);
// The findings as one SARIF 2.1.0 run (sarif/trace_sarif.cpp).
void write_trace_sarif(std::ostream& out, const TraceView& view);

}  // namespace miglint
