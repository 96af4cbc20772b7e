#pragma once

// What `miglint rollback`, `miglint test` and `--ephemeral` say (docs/runner.md): plain views the
// runner fills in, written here as text, JSON and (for `test`) SARIF. No database here.
#include <cstddef>
#include <optional>
#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace miglint {

// `--ephemeral`, on standard error: where the server is, and that it is gone.
void write_ephemeral_started(std::ostream& err, std::string_view version, std::string_view directory,
                             int port);
void write_ephemeral_removed(std::ostream& err, std::string_view directory, bool interrupted);

// ---------------------------------------------------------------------------------------------
// rollback

struct RolledBackView {
  std::string version;
  std::string name;
  std::string down_path;  // the down migration's display path
  long long duration_ms = 0;
  std::size_t statements = 0;
};

struct RollbackErrorView {
  std::string message;
  std::string sqlstate;
  std::string version;
  std::string file;
  std::optional<int> statement;
};

struct RollbackView {
  std::string directory;
  std::string schema;
  std::string history_table;
  std::optional<int> server_version;
  std::optional<std::string> to;  // --to
  std::size_t steps = 0;          // the migrations this rollback set out to revert
  std::string outcome;            // done, refused, failed
  std::vector<RolledBackView> rolled_back;
  std::vector<std::string> refusals;
  std::optional<RollbackErrorView> error;
};

// `rolling back V NAME: PATH` before the applier's own lines.
void write_rolling_back(std::ostream& out, std::string_view version, std::string_view name,
                        std::string_view down_path);
// `rolled back N migrations; version V is now the last applied` (or none left, or nothing to do).
void write_rollback_done(std::ostream& out, const RollbackView& view,
                         std::optional<std::string_view> now_last);
void write_rollback_json(std::ostream& out, const RollbackView& view);

// ---------------------------------------------------------------------------------------------
// test

// One difference between two schema snapshots: an object present before and gone, new, or changed.
struct SchemaDifferenceView {
  std::string object;                 // "index public.items_kind_idx"
  std::optional<std::string> before;  // its definition before the up; nullopt: it did not exist
  std::optional<std::string> after;   // after the down; nullopt: it is gone
};

// What went wrong with one migration.
struct TestProblemView {
  enum class Kind {
    NotRestored,    // the down left the schema other than before the up
    DownFailed,     // the down migration failed
    UpFailed,       // the up failed (first application)
    UpFailedAgain,  // the up failed after its own down (not re-runnable)
    MissingDown,    // no down migration
  } kind = Kind::NotRestored;
  std::string version;
  std::string name;
  std::string file;   // the offending file's display path (the down file; the up file for up failures)
  std::string phase;  // "apply all", "roll back all", "apply all again", "up/down/up"
  std::string error;  // the error line (failures)
  std::vector<SchemaDifferenceView> differences;
};

struct TestView {
  std::string directory;
  std::optional<int> server_version;
  std::string outcome;  // passed, failed, refused
  std::size_t migrations = 0;
  std::vector<std::string> phases_done;  // "apply all: 6 migrations", ...
  std::vector<std::string> refusals;
  std::optional<TestProblemView> problem;  // the first problem (test stops there)
};

std::string_view test_problem_rule(TestProblemView::Kind kind);

// A line per phase as it completes.
void write_test_phase(std::ostream& out, std::string_view phase);
void write_test_result(std::ostream& out, const TestView& view);
void write_test_json(std::ostream& out, const TestView& view);
// The rules of `miglint test`, as SARIF describes them.
struct TestRule {
  TestProblemView::Kind kind;
  std::string_view id;
  std::string_view summary;
  std::string_view help;
};
std::span<const TestRule> test_rules();
// The problem as the text report describes it, with the schema diff below it.
std::string test_problem_text(const TestProblemView& problem);
// SARIF 2.1.0: one run, the three rules of `test`, a result for the problem pointing at its file
// (sarif/test_sarif.cpp, beside the other SARIF writer).
void write_test_sarif(std::ostream& out, const TestView& view);

}  // namespace miglint
