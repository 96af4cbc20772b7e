#pragma once

#include <CLI/CLI.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "settings/run_settings.hpp"

namespace miglint {

struct ApproveFlags {
  std::string file;
  std::vector<std::string> rules;  // --rule A --rule B, --rule A,B
  bool all_findings = false;
  std::string reason;
  std::string by;
  std::string config;
  bool down = false;  // --down: a dbmate file's `-- migrate:down` section
};

// `baseline` (docs/runner.md, "Adopting a database migrated by another tool").
struct BaselineFlags {
  RunFlags run;
  std::string version;
  std::string from;
  std::string from_table;
  bool force = false;
};

// `repair` (docs/runner.md, "Repairing checksums").
struct RepairFlags {
  RunFlags run;
  bool yes = false;
};

// `--ephemeral [--pg-bin DIR]` (run, status, plan, rollback, test): a temporary server
// (runner/ephemeral_server.hpp).
struct EphemeralFlags {
  bool enabled = false;
  std::string pg_bin;
};

// `rollback` (docs/runner.md, "Rolling back").
struct RollbackFlags {
  std::string to;
  std::optional<int> steps;
};

// `test` (docs/runner.md, "Testing migrations up, down and up").
struct TestFlags {
  bool allow_nonempty = false;
  std::string format;  // text, json, sarif
};

// `trace` (docs/trace.md).
struct TraceFlags {
  std::vector<std::string> paths;
  bool commit = false;
  std::string format;  // text, json, markdown, sarif
};

// The runner's subcommands, defined once for `miglint` (help, flag checks) and `miglint-runner`
// (which does the work).
struct RunnerCommands {
  RunFlags run_flags;
  ApproveFlags approve_flags;
  BaselineFlags baseline_flags;
  RepairFlags repair_flags;
  EphemeralFlags ephemeral;
  RollbackFlags rollback_flags;
  TestFlags test_flags;
  TraceFlags trace_flags;
  CLI::App* run = nullptr;
  CLI::App* status = nullptr;
  CLI::App* plan = nullptr;
  CLI::App* approve = nullptr;
  CLI::App* baseline = nullptr;
  CLI::App* repair = nullptr;
  CLI::App* rollback = nullptr;
  CLI::App* test = nullptr;
  CLI::App* trace = nullptr;
};

// Defines the runner's subcommands and their flags (miglint-runner's command line).
void add_runner_commands(CLI::App& app, RunnerCommands& commands);

// Whether `word` names one of the runner's subcommands (run, status, plan, approve, baseline, repair,
// rollback, test, trace).
bool is_runner_command(std::string_view word);

// Lists the runner's subcommands in miglint's help, without their flags: miglint hands a runner
// command line to miglint-runner (exec_runner) before it builds its own, so that a one-file lint
// does not pay for defining flags it never parses; miglint-runner checks them.
void add_runner_command_stubs(CLI::App& app);

// The runner subcommand the command line chose, or nullptr.
CLI::App* parsed_runner_command(const RunnerCommands& commands);

// Replaces this process with `miglint-runner` (beside this executable) and the same arguments.
// Returns only on failure, with exit status 2 after a one-line error.
int exec_runner(int argc, char** argv);

}  // namespace miglint
