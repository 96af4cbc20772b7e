#include "cli/runner_commands.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <filesystem>
#include <iostream>
#include <vector>

#include "cli/command_line.hpp"

namespace miglint {

namespace {

void add_run_flags(CLI::App* command, RunFlags& flags) {
  command->add_option(
      "dir", flags.directory,
      "The migrations directory (default: [run] migrations in miglint.toml, else ./migrations)");
  command->add_option("--db", flags.database_url,
                      "Database URL (default: MIGLINT_DATABASE_URL, else [run] database_url)");
  command->add_option("--lock-timeout", flags.lock_timeout, "lock_timeout of every statement (default 2s)");
  command->add_option("--statement-timeout", flags.statement_timeout,
                      "statement_timeout of every statement but CONCURRENTLY ones (default 1min)");
  command->add_option("--concurrent-statement-timeout", flags.concurrent_statement_timeout,
                      "statement_timeout of CONCURRENTLY statements (default none)");
  command->add_option("--concurrent-lock-timeout", flags.concurrent_lock_timeout,
                      "lock_timeout of CONCURRENTLY statements (default none: they wait)");
  command->add_option("--retries", flags.retries, "Retries after a lock timeout (default 5)")
      ->check(CLI::Range(0, 100));
  command->add_option(
      "--lock-wait", flags.lock_wait,
      "How long to wait for another runner, and for a killed runner's leftovers (default 60s)");
  command->add_option("--schema", flags.schema, "Schema of the history table (default public)");
  command->add_option("--config", flags.config, "The config file (default: miglint.toml found walking up)");
  command->add_option("--format", flags.format, "Output: text or json (default text; see docs/runner.md)")
      ->check(CLI::IsMember({"text", "json"}));
}

// `test`'s flags: the run flags but --format, which has sarif too.
void add_test_flags(CLI::App* command, RunFlags& flags, TestFlags& test) {
  command->add_option(
      "dir", flags.directory,
      "The migrations directory (default: [run] migrations in miglint.toml, else ./migrations)");
  command->add_option("--db", flags.database_url,
                      "A throwaway database (default: MIGLINT_DATABASE_URL, else [run] database_url)");
  command->add_option("--lock-timeout", flags.lock_timeout, "lock_timeout of every statement (default 2s)");
  command->add_option("--statement-timeout", flags.statement_timeout,
                      "statement_timeout of every statement but CONCURRENTLY ones (default 1min)");
  command->add_option("--schema", flags.schema, "Schema of the history table (default public)");
  command->add_option("--config", flags.config, "The config file (default: miglint.toml found walking up)");
  command->add_option("--format", test.format, "Output: text, json or sarif (default text)")
      ->check(CLI::IsMember({"text", "json", "sarif"}));
  command->add_flag("--allow-nonempty", test.allow_nonempty,
                    "Test on a database that already holds tables (default: refused)");
}

void add_target_flag(CLI::App* command, RunFlags& flags) {
  command->add_option("--target", flags.target,
                      "Apply the pending migrations up to and including this version only (default: all)");
}

void add_ephemeral_flags(CLI::App* command, EphemeralFlags& flags) {
  command->add_flag(
      "--ephemeral", flags.enabled,
      "Use a temporary PostgreSQL server, started from the installed server programs and removed "
      "afterwards (instead of --db)");
  command->add_option("--pg-bin", flags.pg_bin,
                      "Where initdb and postgres are, for --ephemeral (default: PATH, else the newest "
                      "/usr/lib/postgresql/*/bin)");
}

// The flags of the commands that write the history without running migrations (baseline, repair):
// where the migrations and the history are, and how long to wait for a run.
void add_history_flags(CLI::App* command, RunFlags& flags) {
  command->add_option(
      "dir", flags.directory,
      "The migrations directory (default: [run] migrations in miglint.toml, else ./migrations)");
  command->add_option("--db", flags.database_url,
                      "Database URL (default: MIGLINT_DATABASE_URL, else [run] database_url)");
  command->add_option("--schema", flags.schema, "Schema of the history table (default public)");
  command->add_option("--lock-wait", flags.lock_wait,
                      "How long to wait for a running miglint run (default 60s)");
  command->add_option("--config", flags.config, "The config file (default: miglint.toml found walking up)");
}

// The runner's subcommands by name, with their one-line descriptions.
struct RunnerCommandInfo {
  std::string_view name;
  std::string_view description;
};

constexpr std::array<RunnerCommandInfo, 9> kRunnerCommands{{
    {"run", "Apply vetted pending migrations to a PostgreSQL database, one statement at a time"},
    {"status", "Show applied, pending and partial migrations, drift and approvals missing (no writes)"},
    {"plan", "Show what `run` would do: transaction segments, statements, their locks, approvals missing"},
    {"approve", "Approve findings of a migration for `miglint run` (bound to the file's SHA-256)"},
    {"baseline",
     "Record migrations as applied without running them: up to --version, or another tool's history"},
    {"repair", "Re-record the checksums of applied files that changed, after showing how (asks, or --yes)"},
    {"rollback",
     "Apply the down migrations of the last applied migrations (default: one), vetted like `run`"},
    {"test",
     "On a throwaway database: apply all, roll all back, apply all again, then each migration up, down, up, "
     "comparing the schema"},
    {"trace",
     "On a scratch database: apply each statement, report its locks (pg_locks), rewrites, constraints and "
     "duration, and compare them with the static lock model"},
}};

CLI::App* add_runner_subcommand(CLI::App& app, std::string_view name) {
  for (const RunnerCommandInfo& info : kRunnerCommands) {
    if (info.name == name) {
      return app.add_subcommand(std::string(info.name), std::string(info.description));
    }
  }
  return nullptr;  // not reached: every caller names one of kRunnerCommands
}

// `trace` (docs/trace.md): files or directories, a scratch database, the output format.
void add_trace_flags(CLI::App* command, RunnerCommands& commands) {
  commands.trace = command;
  TraceFlags& trace = commands.trace_flags;
  command->add_option("paths", trace.paths,
                      "Migration files or directories, traced in migration order (default: [run] migrations "
                      "in miglint.toml, else ./migrations)");
  command->add_option("--db,--database", commands.run_flags.database_url,
                      "A scratch database (default: MIGLINT_DATABASE_URL, else [run] database_url)");
  command->add_option("--schema", commands.run_flags.schema,
                      "Schema of the runner's history table, refused when present (default public)");
  command->add_option("--config", commands.run_flags.config,
                      "The config file (default: miglint.toml found walking up)");
  command->add_option("--format", trace.format, "Output: text, json, markdown or sarif (default text)")
      ->check(CLI::IsMember({"text", "json", "markdown", "sarif"}));
  command->add_flag("--commit", trace.commit,
                    "Commit each file (later files see earlier ones; statements that cannot run in a "
                    "transaction are traced); also allows a database that holds the migrations' tables");
  add_ephemeral_flags(command, commands.ephemeral);
}

}  // namespace

bool is_runner_command(std::string_view word) {
  return std::any_of(kRunnerCommands.begin(), kRunnerCommands.end(),
                     [&](const RunnerCommandInfo& info) { return info.name == word; });
}

void add_runner_command_stubs(CLI::App& app) {
  for (const RunnerCommandInfo& info : kRunnerCommands) {
    CLI::App* command = app.add_subcommand(std::string(info.name), std::string(info.description));
    command->prefix_command();  // the rest of the command line is miglint-runner's to parse
    command->set_help_flag();
  }
}

void add_runner_commands(CLI::App& app, RunnerCommands& commands) {
  commands.run = add_runner_subcommand(app, "run");
  add_run_flags(commands.run, commands.run_flags);
  add_target_flag(commands.run, commands.run_flags);
  commands.status = add_runner_subcommand(app, "status");
  add_run_flags(commands.status, commands.run_flags);
  commands.status->add_flag("--exit-code", commands.run_flags.exit_code,
                            "Exit 3 when migrations are pending, 0 when up to date (default: 0 either way)");
  commands.plan = add_runner_subcommand(app, "plan");
  add_run_flags(commands.plan, commands.run_flags);
  add_target_flag(commands.plan, commands.run_flags);
  commands.approve = add_runner_subcommand(app, "approve");
  ApproveFlags& approve = commands.approve_flags;
  commands.approve->add_option("file", approve.file, "The migration file")->required();
  commands.approve
      ->add_option("--rule", approve.rules,
                   "The rule ids to approve (repeat --rule, or separate with commas)")
      ->delimiter(',');
  commands.approve->add_flag("--all-findings", approve.all_findings,
                             "Approve every finding of the file that needs an approval, with one reason");
  commands.approve->add_flag("--down", approve.down,
                             "Approve findings of the file's `-- migrate:down` section (dbmate), as `miglint "
                             "rollback` vets it");
  commands.approve->add_option("--reason", approve.reason, "Why it is acceptable")->required();
  commands.approve->add_option("--by", approve.by,
                               "Who approves (default: git's user.name, else the login name)");
  commands.approve->add_option("--config", approve.config,
                               "The config file (default: miglint.toml found walking up)");
  commands.baseline = add_runner_subcommand(app, "baseline");
  BaselineFlags& baseline = commands.baseline_flags;
  add_history_flags(commands.baseline, baseline.run);
  commands.baseline->add_option("--version", baseline.version,
                                "Record this migration and every one before it as applied");
  commands.baseline->add_option("--from", baseline.from, "Import the history of another tool")
      ->check(CLI::IsMember({"golang-migrate", "flyway", "diesel", "dbmate"}));
  commands.baseline->add_option("--from-table", baseline.from_table,
                                "The other tool's history table (default: the tool's own name for it)");
  commands.baseline->add_flag(
      "--force", baseline.force,
      "Add to a history that has rows (never changing them); skip imported versions no "
      "file has");
  add_ephemeral_flags(commands.run, commands.ephemeral);
  add_ephemeral_flags(commands.status, commands.ephemeral);
  add_ephemeral_flags(commands.plan, commands.ephemeral);
  commands.rollback = add_runner_subcommand(app, "rollback");
  add_run_flags(commands.rollback, commands.run_flags);
  add_ephemeral_flags(commands.rollback, commands.ephemeral);
  CLI::Option* to = commands.rollback->add_option(
      "--to", commands.rollback_flags.to,
      "Roll back every applied migration after this version (it stays applied)");
  commands.rollback
      ->add_option("--steps", commands.rollback_flags.steps, "Roll back this many migrations (default 1)")
      ->check(CLI::Range(1, 1000000))
      ->excludes(to);
  commands.test = add_runner_subcommand(app, "test");
  add_test_flags(commands.test, commands.run_flags, commands.test_flags);
  add_ephemeral_flags(commands.test, commands.ephemeral);
  add_trace_flags(add_runner_subcommand(app, "trace"), commands);
  commands.repair = add_runner_subcommand(app, "repair");
  add_history_flags(commands.repair, commands.repair_flags.run);
  commands.repair->add_flag("--yes", commands.repair_flags.yes, "Re-record without asking");
}

CLI::App* parsed_runner_command(const RunnerCommands& commands) {
  for (CLI::App* command : {commands.run, commands.status, commands.plan, commands.approve, commands.baseline,
                            commands.repair, commands.rollback, commands.test, commands.trace}) {
    if (command != nullptr && command->parsed()) {
      return command;
    }
  }
  return nullptr;
}

int exec_runner(int argc, char** argv) {
  return exec_companion("miglint-runner", argc, argv);
}

}  // namespace miglint
