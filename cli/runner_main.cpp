// miglint-runner: `miglint run`, `status`, `plan`, `approve`, `baseline`, `repair`, `rollback`, `test` and
// `trace`.
// `miglint` hands these commands to this executable, so that linting never loads libpq.
#include <fmt/format.h>

#include <unistd.h>
#include <CLI/CLI.hpp>

#include <cstdio>
#include <cstring>
#include <iostream>

#include "analyzer/text/message_text.hpp"
#include "cli/command_line.hpp"
#include "cli/config_loading.hpp"
#include "cli/runner_commands.hpp"
#include "runner/adopt.hpp"
#include "runner/approve.hpp"
#include "runner/ephemeral_server.hpp"
#include "runner/migration_test.hpp"
#include "runner/rollback.hpp"
#include "runner/runner.hpp"
#include "runner/table_stats.hpp"
#include "runner/trace.hpp"
#include "settings/settings.hpp"

namespace {

using namespace miglint;

// The settings of `run`, `status`, `plan` and `approve` (settings/settings.hpp). Returns false after a
// one-line usage error.
bool resolve(const RunFlags& flags, const std::optional<Config>& config,
             runner::RunSettingsResolved& settings) {
  Expected<runner::RunSettingsResolved> resolved = resolve_run_settings(flags, config ? &*config : nullptr);
  if (!resolved) {
    std::cerr << fmt::format("miglint: error: {}\n", escape_for_message(resolved.error().message));
    return false;
  }
  settings = std::move(*resolved);
  return true;
}

// Runs a command of run, status, plan, rollback, test, baseline, repair with resolved settings.
int run_command(const RunnerCommands& commands, CLI::App* command,
                const runner::RunSettingsResolved& settings);

}  // namespace

int main(int argc, char** argv) {
  // Progress and results reach a pipe or a file line by line, as they do a terminal: a CI log
  // shows "applying 018 ..." while it runs, and a killed job keeps what it had written.
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  std::setvbuf(stderr, nullptr, _IOLBF, 0);
  // Internal: `lint --stats-from` asks for table sizes here, so that a lint never loads libpq.
  if (argc == 2 && std::strcmp(argv[1], "table-sizes") == 0) {
    return runner::table_sizes_command(std::cin, std::cout, std::cerr);
  }
  CLI::App app{
      "miglint-runner: applies vetted migrations (run through `miglint "
      "run|status|plan|approve|baseline|repair|rollback|test|trace`)"};
  app.require_subcommand(1);
  RunnerCommands commands;
  add_runner_commands(app, commands);
  if (std::optional<int> code = parse_command_line(app, argc, argv)) {
    return *code == 0 ? runner::kExitDone : runner::kExitError;
  }
  CLI::App* command = parsed_runner_command(commands);
  if (command == commands.approve) {
    const ApproveFlags& flags = commands.approve_flags;
    std::optional<Config> config;
    if (!load_config_for(flags.config, config)) {
      return runner::kExitError;
    }
    runner::ApproveRequest request{flags.file, flags.rules, flags.all_findings, flags.reason,
                                   flags.by,   {},          flags.down};
    resolve(RunFlags{}, config, request.settings);
    return runner::approve(request, std::cout, std::cerr);
  }
  const RunFlags& run_flags = command == commands.baseline ? commands.baseline_flags.run
                              : command == commands.repair ? commands.repair_flags.run
                                                           : commands.run_flags;
  std::optional<Config> config;
  runner::RunSettingsResolved settings;
  if (!load_config_for(run_flags.config, config) || !resolve(run_flags, config, settings)) {
    return runner::kExitError;
  }
  if (commands.ephemeral.enabled) {
    if (!run_flags.database_url.empty()) {
      std::cerr << "miglint: error: --ephemeral and --db exclude each other\n";
      return runner::kExitError;
    }
    return runner::with_ephemeral_server(commands.ephemeral.pg_bin, settings.database_url,
                                         settings.database_url_source, std::cerr,
                                         [&] { return run_command(commands, command, settings); });
  }
  return run_command(commands, command, settings);
}

namespace {

int run_command(const RunnerCommands& commands, CLI::App* command,
                const runner::RunSettingsResolved& settings) {
  if (command == commands.run) {
    return runner::run_migrations(settings, std::cout, std::cerr);
  }
  if (command == commands.rollback) {
    const RollbackFlags& flags = commands.rollback_flags;
    runner::RollbackRequest request{flags.to.empty() ? std::nullopt : std::optional(flags.to), flags.steps};
    return runner::rollback_migrations(settings, request, std::cout, std::cerr);
  }
  if (command == commands.test) {
    const TestFlags& flags = commands.test_flags;
    runner::MigrationTestRequest request{flags.allow_nonempty, flags.format.empty() ? "text" : flags.format};
    return runner::test_migrations(settings, request, std::cout, std::cerr);
  }
  if (command == commands.trace) {
    const TraceFlags& flags = commands.trace_flags;
    runner::TraceRequest request{flags.paths, flags.commit, flags.format.empty() ? "text" : flags.format};
    return runner::trace_migrations(settings, request, std::cout, std::cerr);
  }
  if (command == commands.baseline) {
    const BaselineFlags& flags = commands.baseline_flags;
    auto given = [](const std::string& text) { return text.empty() ? std::nullopt : std::optional(text); };
    runner::BaselineRequest request{given(flags.version), given(flags.from), given(flags.from_table),
                                    flags.force};
    return runner::baseline(settings, request, std::cout, std::cerr);
  }
  if (command == commands.repair) {
    runner::RepairRequest request{commands.repair_flags.yes, isatty(STDIN_FILENO) == 1};
    return runner::repair(settings, request, std::cin, std::cout, std::cerr);
  }
  return command == commands.status ? runner::show_status(settings, std::cout, std::cerr)
                                    : runner::show_plan(settings, std::cout, std::cerr);
}

}  // namespace
