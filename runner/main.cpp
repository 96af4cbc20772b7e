// miglint-runner: `miglint run`, `status`, `plan` and `approve`. `miglint` hands these commands
// to this executable, so that linting never loads libpq.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>

#include "analyzer/duration.hpp"
#include "cli/config_loading.hpp"
#include "cli/runner_commands.hpp"
#include "runner/runner.hpp"

namespace {

using namespace miglint;

// Flags, else the config's [run] table, else defaults. Returns false after printing a usage error.
bool resolve_run_settings(const RunFlags& flags, const std::optional<Config>& config,
                          runner::RunSettingsResolved& settings) {
  const RunSettings run = config ? config->run : RunSettings{};
  settings.config = config ? &*config : nullptr;
  if (!flags.directory.empty()) {
    settings.directory = flags.directory;
  } else if (run.migrations) {
    settings.directory =
        (std::filesystem::path(config->directory) / *run.migrations).lexically_normal().string();
    std::error_code error;
    std::string relative = std::filesystem::relative(settings.directory, error).string();
    if (!error && !relative.empty()) {
      settings.directory = relative;
    }
  }
  const char* from_environment = std::getenv("MIGLINT_DATABASE_URL");
  settings.database_url = !flags.database_url.empty() ? flags.database_url
                          : from_environment != nullptr && *from_environment != '\0'
                              ? from_environment
                              : run.database_url.value_or("");
  settings.database_url_source =
      !flags.database_url.empty() ? "--db"
      : from_environment != nullptr && *from_environment != '\0'
          ? "MIGLINT_DATABASE_URL"
          : fmt::format("[run] database_url in {}", config ? config->path : "miglint.toml");
  auto duration = [](const std::string& flag, const std::string& text,
                     std::optional<std::chrono::milliseconds> from_config, std::chrono::milliseconds& into) {
    if (text.empty()) {
      into = from_config.value_or(into);
      return true;
    }
    std::optional<std::chrono::milliseconds> parsed = parse_duration(text);
    if (!parsed) {
      std::cerr << fmt::format("miglint: error: {} `{}` is not a duration (like 2s, 500ms, 1min, none)\n",
                               flag, text);
      return false;
    }
    into = *parsed;
    return true;
  };
  if (!duration("--lock-timeout", flags.lock_timeout, run.lock_timeout, settings.lock_timeout) ||
      !duration("--statement-timeout", flags.statement_timeout, run.statement_timeout,
                settings.statement_timeout) ||
      !duration("--concurrent-statement-timeout", flags.concurrent_statement_timeout,
                run.concurrent_statement_timeout, settings.concurrent_statement_timeout) ||
      !duration("--concurrent-lock-timeout", flags.concurrent_lock_timeout, run.concurrent_lock_timeout,
                settings.concurrent_lock_timeout) ||
      !duration("--lock-wait", flags.lock_wait, run.lock_wait, settings.lock_wait)) {
    return false;
  }
  settings.retries = flags.retries.value_or(run.retries.value_or(settings.retries));
  settings.schema = !flags.schema.empty() ? flags.schema : run.schema.value_or(settings.schema);
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  // Progress and results reach a pipe or a file line by line, as they do a terminal: a CI log
  // shows "applying 018 ..." while it runs, and a killed job keeps what it had written.
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  std::setvbuf(stderr, nullptr, _IOLBF, 0);
  CLI::App app{"miglint-runner: applies vetted migrations (run through `miglint run|status|plan|approve`)"};
  app.require_subcommand(1);
  RunnerCommands commands;
  add_runner_commands(app, commands);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    int code = app.exit(error);
    return code == 0 ? runner::kExitDone : runner::kExitError;
  }
  CLI::App* command = parsed_runner_command(commands);
  if (command == commands.approve) {
    const ApproveFlags& flags = commands.approve_flags;
    std::optional<Config> config;
    if (!load_config_for(flags.config, config)) {
      return runner::kExitError;
    }
    runner::RunSettingsResolved settings;
    resolve_run_settings(RunFlags{}, config, settings);
    runner::ApproveRequest request{flags.file, flags.rule, flags.reason, flags.by, settings.directory};
    return runner::approve(request, std::cout, std::cerr);
  }
  std::optional<Config> config;
  runner::RunSettingsResolved settings;
  if (!load_config_for(commands.run_flags.config, config) ||
      !resolve_run_settings(commands.run_flags, config, settings)) {
    return runner::kExitError;
  }
  if (command == commands.run) {
    return runner::run_migrations(settings, std::cout, std::cerr);
  }
  return command == commands.status ? runner::show_status(settings, std::cout, std::cerr)
                                    : runner::show_plan(settings, std::cout, std::cerr);
}
