// miglint's command line: parses flags, calls the library, maps results to exit codes.
#include <fmt/format.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <unistd.h>
#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "analyzer/engine/down_migrations.hpp"
#include "analyzer/engine/linter.hpp"
#include "analyzer/engine/table_sizes.hpp"
#include "analyzer/frontend/front_end.hpp"
#include "analyzer/project/alembic_history_inputs.hpp"
#include "analyzer/project/alembic_layout.hpp"
#include "analyzer/project/approvals.hpp"
#include "analyzer/project/config.hpp"
#include "analyzer/project/discover.hpp"
#include "analyzer/project/input_source.hpp"
#include "analyzer/project/migration_layout.hpp"
#include "analyzer/project/squawk_config.hpp"
#include "analyzer/report/approvals_report.hpp"
#include "analyzer/report/format.hpp"
#include "analyzer/report/reporter.hpp"
#include "analyzer/sql/squawk_rules.hpp"
#include "analyzer/text/message_text.hpp"
#include "cli/command_line.hpp"
#include "cli/completion.hpp"
#include "cli/config_loading.hpp"
#include "cli/fix_command.hpp"
#include "cli/lsp_command.hpp"
#include "cli/runner_commands.hpp"
#include "cli/stats_from.hpp"
#include "fixes/fixer.hpp"
#include "rules/registry.hpp"
#include "rules/rule_docs.hpp"
#include "runner/approvals_check.hpp"
#include "runner/verdict.hpp"
#include "settings/run_table.hpp"
#include "settings/settings.hpp"

namespace {

// glibc's malloc, set for a linter's pattern: parse trees and JSON documents of up to a few MiB
// allocated and freed once per file. By default every block from 128 KiB up was a fresh mmap (and its
// page faults) and freed memory at the top of the heap went back to the system at once, to be
// faulted in again for the next file; with these the heap keeps it. jemalloc did the same for 6% less
// CPU on the corpus, but its initialisation cost every one-file lint about 75 page faults (README,
// "Start-up: one small file").
void tune_malloc() {
#ifdef __GLIBC__
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 64 << 20);
  mallopt(M_TOP_PAD, 16 << 20);
#endif
}

using namespace miglint;

constexpr int kExitClean = 0;
constexpr int kExitFindings = 1;
constexpr int kExitError = 2;

std::set<std::string> split_ids(const std::string& text) {
  std::set<std::string> ids;
  std::stringstream stream(text);
  std::string id;
  while (std::getline(stream, id, ',')) {
    auto first = id.find_first_not_of(" \t");
    auto last = id.find_last_not_of(" \t");
    if (first != std::string::npos) {
      ids.insert(id.substr(first, last - first + 1));
    }
  }
  return ids;
}

bool check_rule_ids(const std::set<std::string>& ids, std::string_view flag) {
  for (const std::string& id : ids) {
    if (find_rule(id) == nullptr) {
      // squawk's names are read in squawk-ignore comments and by init --from-squawk only: a flag
      // names miglint's ids, and says which one a squawk name stands for.
      std::optional<SquawkRule> squawk = find_squawk_rule(id);
      std::string hint =
          squawk && !squawk->miglint.empty()
              ? fmt::format("squawk's name for `{}`: flags take miglint's ids", squawk->miglint)
              : std::string("see `miglint rules`");
      std::cerr << fmt::format("miglint: error: {} names an unknown rule `{}` ({})\n", flag,
                               escape_for_message(id), hint);
      return false;
    }
  }
  return true;
}

// Entries of walked directories that were named like inputs but not read (FIFOs, devices, links
// out of the tree...): one note each, on standard error, in path order.
void print_skipped(std::vector<InputError> skipped) {
  std::sort(skipped.begin(), skipped.end(),
            [](const InputError& a, const InputError& b) { return a.path < b.path; });
  for (const InputError& entry : skipped) {
    std::cerr << fmt::format("miglint: note: {}: {}\n", escape_for_message(entry.path),
                             escape_for_message(entry.message));
  }
}

struct LintFlags {
  std::string format = "text";
  std::string fail_on = "warning";
  int pg_version = 15;
  bool assume_in_transaction = false;
  std::string select;
  std::string ignore;
  unsigned jobs = 0;
  std::string stdin_filename = "stdin.sql";
  bool include_suppressed = false;  // --format sarif only
  std::string config;
  bool with_history = false;
  std::string since;
  bool staged = false;
  std::string compile_commands_dir;  // -p: where compile_commands.json is (C++ sources)
  std::string python;                // --python: the interpreter for Alembic revisions
  bool fix = false;                  // --fix: apply the fixes in place, then report what remains
  bool diff = false;                 // --diff: print the fixes as a unified diff, write nothing
  std::string stats_from;            // --stats-from DSN: table sizes in findings (cli/stats_from.hpp)
  std::vector<std::string> paths;
  // Which of the flags above were given: they override the config file.
  std::set<std::string> given;
};

// The flags of `lint` that were given, as the settings resolver takes them.
LintFlagValues given_flag_values(const LintFlags& flags) {
  auto given = [&](const char* flag) { return flags.given.contains(flag); };
  LintFlagValues values;
  if (given("--pg-version")) {
    values.pg_version = flags.pg_version;
  }
  values.assume_in_transaction = given("--assume-in-transaction");
  if (given("--fail-on")) {
    values.fail_on = parse_severity(flags.fail_on);
  }
  if (given("--select")) {
    values.select = split_ids(flags.select);
  }
  if (given("--ignore")) {
    values.ignore = split_ids(flags.ignore);
  }
  return values;
}

// How `lint` reads each file: as `miglint run` vets it when miglint.toml has a [run] table and the
// file is a migration `run` applies; otherwise with the lint settings. Approvals apply to both.
class LintSetup {
 public:
  LintSetup(const LintFlags& flags, const std::optional<Config>& config,
            const FrontEndSettingsByName& front_ends)
      : resolver_(config ? &*config : nullptr, given_flag_values(flags), front_ends),
        statement_keys_(find_report_format(flags.format)->needs_statement_keys),
        front_ends_(front_ends) {
    std::optional<std::string> run_directory;
    if (config && run_settings_of(*config).present) {
      Expected<runner::RunSettingsResolved> run = resolve_run_settings(RunFlags{}, &*config);
      if (run) {
        run_settings_ = *run;
        timeouts_ = runner_timeouts(*run);
        vets_ = true;
        if (run_settings_of(*config).migrations) {
          run_directory = run->directory;
        }
      }
    }
    run_directory_ = run_directory;
    approvals_ = std::make_shared<ApprovalsCache>(run_directory);
    down_migrations_ = down_migration_policy(config ? &*config : nullptr);
  }

  const std::shared_ptr<ApprovalsCache>& approvals() const { return approvals_; }
  std::optional<runner::RunSettingsResolved> run_settings() const { return run_settings_; }

  FileSetup operator()(const std::string& path) {
    FileSetup setup;
    if (vets_ && applied_by_run(path)) {
      FileSettings settings = resolver_.file_settings(path);
      setup = vetting_setup(settings, settings.pg_version, timeouts_, approvals_, resolver_);
      setup.options.front_ends = front_ends_;
    } else {
      setup = resolver_.lint_setup(path);
      setup.review = approvals_review(approvals_);
    }
    setup.review = with_down_migration_policy(std::move(setup.review), down_migrations_);
    setup.options.statement_keys = statement_keys_;
    setup.options.max_file_size = resolver_.max_file_size();
    return setup;
  }

 private:
  // A migration `run` applies: an SQL migration (not a down migration) inside the configured
  // migrations directory (any directory when [run] names none).
  bool applied_by_run(const std::string& path) const {
    if (!registered_front_ends().for_path(path, front_ends_).sql_as_written()) {
      return false;
    }
    std::string directory = approvals_directory_for(path, run_directory_);
    if (run_directory_ &&
        directory != std::filesystem::absolute(*run_directory_).lexically_normal().string()) {
      return false;  // outside the migrations directory `run` applies
    }
    std::error_code error;
    std::string relative = std::filesystem::absolute(path, error)
                               .lexically_normal()
                               .lexically_relative(directory)
                               .generic_string();
    return read_migration_name(relative).kind == NameReading::Kind::Migration;
  }

  SettingsResolver resolver_;
  bool statement_keys_;
  FrontEndSettingsByName front_ends_;
  bool vets_ = false;
  RunnerTimeouts timeouts_;
  std::optional<std::string> run_directory_;
  std::shared_ptr<ApprovalsCache> approvals_;
  DownMigrations down_migrations_ = DownMigrations::Note;
  std::optional<runner::RunSettingsResolved> run_settings_;
};

// After a lint: approvals of the linted files' directories that approve nothing (bound to an older
// checksum of a linted file, or to a file that is gone), one note each on standard error. They
// never change the exit status: a stale approval approves nothing, so its finding shows anyway.
// Directories without approvals cost nothing.
void note_stale_approvals(ApprovalsCache& approvals, const std::set<std::string>& linted,
                          const std::optional<Config>& config) {
  for (const std::string& directory : approvals.directories_with_approvals()) {
    runner::RunSettingsResolved settings;
    settings.config = config ? &*config : nullptr;
    Expected<std::vector<ApprovalProblemView>> problems =
        check_approvals(directory, settings, ApprovalsCheckDepth{false, false});
    if (!problems) {
      continue;  // the lint reported the malformed file already
    }
    std::erase_if(*problems, [&](const ApprovalProblemView& problem) {
      std::string path = (std::filesystem::path(directory) / problem.file).lexically_normal().string();
      return problem.kind == ApprovalProblemView::Kind::Stale && !linted.contains(path);
    });
    write_approval_problems(std::cerr, "miglint: note: ", *problems);
  }
}

// --fix and --diff edit files on disk: not stdin, not the staged versions of files.
std::optional<int> refuse_fix_flags(const LintFlags& flags) {
  if (!flags.fix && !flags.diff) {
    return std::nullopt;
  }
  std::string_view flag = flags.fix ? "--fix" : "--diff";
  if (flags.fix && flags.diff) {
    std::cerr << "miglint: error: give --fix or --diff, not both\n";
    return kExitError;
  }
  if (flags.staged || std::find(flags.paths.begin(), flags.paths.end(), "-") != flags.paths.end()) {
    std::cerr << fmt::format("miglint: error: {} fixes files on disk: not stdin, not --staged\n", flag);
    return kExitError;
  }
  return std::nullopt;
}

// The values fixes write: the [run] table's timeouts, else the runner's defaults.
FixSettings fix_settings(const std::optional<runner::RunSettingsResolved>& run) {
  runner::RunSettingsResolved settings = run ? *run : runner::RunSettingsResolved{};
  auto interval = [](std::chrono::milliseconds value) {
    long long ms = value.count();
    if (ms == 0) {
      return std::string();
    }
    return ms % 60000 == 0  ? fmt::format("{}min", ms / 60000)
           : ms % 1000 == 0 ? fmt::format("{}s", ms / 1000)
                            : fmt::format("{}ms", ms);
  };
  FixSettings fix;
  fix.lock_timeout = interval(settings.lock_timeout);
  fix.statement_timeout = interval(settings.statement_timeout);
  return fix;
}

// `--stats-from DSN`: the sizes of the tables the findings name, from one catalog query, in the
// findings (analyzer/engine/table_sizes.hpp). False after a one-line error (the database cannot be
// reached): sizes were asked for, so a lint without them would answer another question.
bool add_table_sizes(const std::string& database_url, const std::optional<Config>& config,
                     std::vector<FileResult>& results) {
  std::vector<TableRef> tables;
  std::set<TableKey> seen;
  for (const FileResult& result : results) {
    for (TableRef& table : tables_to_look_up(result.findings)) {
      if (seen.insert(table_key(table)).second) {
        tables.push_back(std::move(table));
      }
    }
  }
  Expected<TableSizes> sizes = fetch_table_sizes(database_url, tables);
  if (!sizes) {
    std::cerr << fmt::format("miglint: error: {}\n", escape_for_message(sizes.error().message));
    return false;
  }
  int64_t small_table_rows =
      config ? config->lint.small_table_rows.value_or(kDefaultSmallTableRows) : kDefaultSmallTableRows;
  for (FileResult& result : results) {
    apply_table_sizes(result.findings, *sizes, small_table_rows);
  }
  return true;
}

int run_lint(const LintFlags& flags) {
  const ReportFormat& format = *find_report_format(flags.format);  // CLI11 checked the name
  if (flags.include_suppressed && !format.supports_suppressed) {
    std::vector<std::string_view> able;
    for (const ReportFormat& other : report_formats()) {
      if (other.supports_suppressed) {
        able.push_back(other.name);
      }
    }
    std::cerr << fmt::format("miglint: error: --include-suppressed needs --format {}\n",
                             fmt::join(able, " or "));
    return kExitError;
  }
  if (!check_rule_ids(split_ids(flags.select), "--select") ||
      !check_rule_ids(split_ids(flags.ignore), "--ignore")) {
    return kExitError;
  }
  std::optional<Config> config;
  if (!load_config_for(flags.config, config)) {
    return kExitError;
  }
  // Front ends' settings ([cpp] of the config file, and -p), and the extensions they collect.
  FrontEndSettingsByName front_ends = front_end_settings(
      config ? &*config : nullptr, FrontEndFlags{flags.compile_commands_dir, flags.python});
  std::vector<std::string> other_extensions = registered_front_ends().other_extensions(front_ends);
  LintSetup setup_for(flags, config, front_ends);
  // Files the config keeps from being read: its excludes, and down migrations under
  // [lint] down_migrations = "skip".
  bool skip_down = down_migration_policy(config ? &*config : nullptr) == DownMigrations::Skip;
  auto not_read = [skip_down](const Config& settings_file, const std::string& path) {
    return excluded_by_config(settings_file, path) || (skip_down && is_down_migration_path(path));
  };
  RuleSet rules(all_rules(), split_ids(flags.select), split_ids(flags.ignore));

  // Plain paths are walked as the files are linted; the git modes and --with-history need their
  // whole list first.
  // An Alembic revision named on its own is read with the revisions before it (add_alembic_history).
  bool names_revision = std::any_of(flags.paths.begin(), flags.paths.end(), [](const std::string& path) {
    return path.ends_with(".py") && is_alembic_revision_path(path);
  });
  bool listed = !flags.since.empty() || flags.staged || flags.with_history || names_revision;
  if (!listed && flags.paths.empty()) {
    std::cerr << "miglint: error: no paths given (or use --since REF / --staged)\n";
    return kExitError;
  }
  if (std::optional<int> refused = refuse_fix_flags(flags)) {
    return *refused;
  }
  // The inputs, from the start (--fix and --diff lint them more than once).
  auto open_lint_inputs = [&]() -> std::unique_ptr<InputSource> {
    std::unique_ptr<InputSource> source;
    if (listed) {
      DiscoveredInputs discovered;
      if (!flags.since.empty() || flags.staged) {
        std::vector<std::string> paths = flags.paths.empty() ? std::vector<std::string>{"."} : flags.paths;
        Expected<std::vector<LintInput>> changed =
            changed_inputs(paths, flags.since.empty() ? std::nullopt : std::optional(flags.since),
                           flags.staged, other_extensions);
        if (!changed) {
          std::cerr << fmt::format("miglint: error: {}\n", changed.error().message);
          return nullptr;
        }
        discovered.inputs = std::move(*changed);
      } else {
        discovered = discover_inputs(flags.paths, flags.stdin_filename, other_extensions);
      }
      if (config) {
        std::erase_if(discovered.inputs, [&](const LintInput& input) {
          return input.contents == std::nullopt && not_read(*config, input.display_path);
        });
      }
      if (!flags.since.empty() || flags.staged || flags.with_history) {
        add_history(discovered);
      }
      add_alembic_history(discovered);
      source = std::make_unique<VectorInputSource>(std::move(discovered));
    } else {
      source = open_inputs(flags.paths, flags.stdin_filename, other_extensions);
      if (config) {
        source = std::make_unique<FilteredInputSource>(std::move(source), [&](const LintInput& input) {
          return input.contents != std::nullopt || !not_read(*config, input.display_path);
        });
      }
    }
    return source;
  };
  if (flags.fix || flags.diff) {
    FixCommand command{flags.fix, flags.jobs, fix_settings(setup_for.run_settings()), open_lint_inputs,
                       std::ref(setup_for)};
    int fixed = run_fixes(command, std::cout, std::cerr);
    if (fixed == kExitError || flags.diff) {
      return fixed;
    }
  }
  std::unique_ptr<InputSource> source = open_lint_inputs();
  if (!source) {
    return kExitError;
  }
  ReportSettings report_settings{rules.enabled_rules(), flags.include_suppressed, false};
  if (format.wants_colour) {
    const char* no_color = std::getenv("NO_COLOR");
    report_settings.colour = isatty(STDOUT_FILENO) != 0 && (no_color == nullptr || *no_color == '\0');
  }
  std::unique_ptr<Reporter> reporter = format.make(std::cout, report_settings);

  RunSummary summary;
  std::vector<InputError> file_errors;
  std::set<std::string> linted;  // absolute paths, for the approvals' notes
  bool failing = false;
  auto report_file = [&](FileResult&& result) {
    if (result.context_only) {
      return;  // an earlier migration read for its schema facts only
    }
    ++summary.files;
    std::error_code absolute_error;
    linted.insert(std::filesystem::absolute(result.path, absolute_error).lexically_normal().string());
    for (const Finding& finding : result.findings) {
      // A finding `run` would refuse the file for fails `lint` too, whatever its severity.
      failing = failing || finding.needs_approval;
      if (finding.suppressed) {
        ++summary.suppressed;
        summary.approved += finding.approved ? 1 : 0;
        continue;
      }
      failing = failing || (finding.severity >= result.fail_on && !finding.never_fails);
      ++(finding.severity == Severity::Error     ? summary.errors
         : finding.severity == Severity::Warning ? summary.warnings
                                                 : summary.notes);
    }
    for (const InputError& error : result.errors) {
      file_errors.push_back(error);
    }
    for (const std::string& warning : result.warnings) {
      std::cerr << fmt::format("miglint: warning: {}\n", escape_for_message(warning));
    }
    reporter->file(result);
  };
  if (flags.stats_from.empty()) {
    lint_inputs(*source, flags.jobs, std::ref(setup_for), report_file);
  } else {
    // With sizes every result waits for the one catalog query over all the findings' tables.
    std::vector<FileResult> results;
    lint_inputs(*source, flags.jobs, std::ref(setup_for),
                [&](FileResult&& result) { results.push_back(std::move(result)); });
    if (!add_table_sizes(flags.stats_from, config, results)) {
      return kExitError;
    }
    for (FileResult& result : results) {
      report_file(std::move(result));
    }
  }
  // Paths that could not be listed first, as discovered, then files that could not be read.
  print_skipped(source->skipped());
  summary.input_errors = source->errors();
  std::move(file_errors.begin(), file_errors.end(), std::back_inserter(summary.input_errors));
  for (const InputError& error : summary.input_errors) {
    std::cerr << input_error_line(error);
  }
  reporter->finish(summary);
  note_stale_approvals(*setup_for.approvals(), linted, config);
  if (!summary.input_errors.empty()) {
    return kExitError;
  }
  return failing ? kExitFindings : kExitClean;
}

struct LocksFlags {
  std::string format = "text";
  std::optional<int> pg_version;       // unset: miglint.toml's, else 15
  bool assume_in_transaction = false;  // else miglint.toml's
  std::string stdin_filename = "stdin.sql";
  std::string config;
  std::vector<std::string> paths;
};

// `miglint locks`: the lock model's view of each statement, in migration order, with the settings
// `lint` reads the same file with (flags, else miglint.toml and its overrides, else defaults).
int run_locks(const LocksFlags& flags) {
  std::optional<Config> config;
  if (!load_config_for(flags.config, config)) {
    return kExitError;
  }
  RuleSet rules(all_rules(), {}, {});
  DiscoveredInputs discovered = discover_inputs(flags.paths, flags.stdin_filename);
  print_skipped(discovered.skipped);
  std::vector<InputError> errors = discovered.errors;
  std::erase_if(discovered.inputs, [&](const LintInput& input) {
    const FrontEnd& front_end = registered_front_ends().for_path(input.display_path, {});
    if (front_end.sql_as_written()) {
      return false;
    }
    errors.push_back(
        InputError{input.display_path, std::nullopt,
                   fmt::format("`miglint locks` reads SQL files; lint {} sources with `miglint lint`",
                               front_end.language())});
    return true;
  });
  LintFlagValues given;
  given.pg_version = flags.pg_version;
  given.assume_in_transaction = flags.assume_in_transaction;
  SettingsResolver resolver(config ? &*config : nullptr, given);
  auto options_for = [&](const std::string& path) { return resolver.lint_setup(path).options; };
  std::unique_ptr<LocksReporter> reporter = find_locks_format(flags.format)->make(std::cout);
  explain_locks_in_order(discovered.inputs, rules, options_for,
                         [&](const std::string& path, Expected<FileLocks>&& explained) {
                           if (!explained) {
                             errors.push_back(InputError{path, std::nullopt, explained.error().message});
                             return;
                           }
                           reporter->file(*explained);
                           for (const Finding& problem : explained->problems) {
                             std::cerr << locks_problem_line(problem);
                           }
                         });
  reporter->finish();
  for (const InputError& error : errors) {
    std::cerr << input_error_line(error);
  }
  return errors.empty() ? kExitClean : kExitError;
}

int run_rules(const std::string& format) {
  if (format == "json") {
    nlohmann::ordered_json list = nlohmann::ordered_json::array();
    for (const Rule& rule : all_rules()) {
      nlohmann::ordered_json tags = nlohmann::ordered_json::array();
      for (std::string_view tag : rule.tags) {
        if (!tag.empty()) {
          tags.push_back(tag);
        }
      }
      const FixerEntry* fixer = find_fixer(rule.id);
      list.push_back(
          {{"id", rule.id},
           {"severity", severity_name(rule.severity)},
           {"summary", rule.summary},
           {"tags", tags},
           {"fix", fixer != nullptr ? nlohmann::ordered_json(fixer->summary) : nlohmann::ordered_json()}});
    }
    std::cout << list.dump(2) << "\n";
    return kExitClean;
  }
  std::size_t width = 0;
  for (const Rule& rule : all_rules()) {
    width = std::max(width, rule.id.size());
  }
  for (const Rule& rule : all_rules()) {
    // `fix`: `lint --fix` can fix its findings (`miglint explain ID` says how).
    std::cout << fmt::format("{:<{}}  {:<7}  {:<3}  {}\n", rule.id, width, severity_name(rule.severity),
                             find_fixer(rule.id) != nullptr ? "fix" : "", rule.summary);
  }
  return kExitClean;
}

struct ApprovalsFlags {
  bool check = false;
  std::string config;
  std::vector<std::string> paths;
};

// `miglint approvals --check [DIR...]`: the approvals that approve nothing (runner/approvals_check.hpp);
// exit 1 when there are any. Needs no database, so it is miglint's, not miglint-runner's.
int run_approvals(const ApprovalsFlags& flags) {
  if (!flags.check) {
    std::cerr << "miglint: error: approvals: give --check (the one thing it does: report approvals that "
                 "approve nothing)\n";
    return kExitError;
  }
  std::optional<Config> config;
  if (!load_config_for(flags.config, config)) {
    return kExitError;
  }
  Expected<runner::RunSettingsResolved> settings =
      resolve_run_settings(RunFlags{}, config ? &*config : nullptr);
  if (!settings) {
    std::cerr << fmt::format("miglint: error: {}\n", escape_for_message(settings.error().message));
    return kExitError;
  }
  std::vector<std::string> directories = flags.paths;
  if (directories.empty()) {
    directories.push_back(settings->directory);
  }
  std::size_t reported = 0;
  for (std::string directory : directories) {
    std::error_code error;
    if (std::filesystem::path(directory).filename() == kApprovalsFileName) {
      directory = std::filesystem::path(directory).parent_path().string();
    }
    if (!std::filesystem::is_directory(directory.empty() ? "." : directory, error)) {
      std::cerr << fmt::format("miglint: error: {}: no such migrations directory\n",
                               escape_for_message(directory));
      return kExitError;
    }
    Expected<std::vector<ApprovalProblemView>> problems =
        check_approvals(directory.empty() ? "." : directory, *settings, ApprovalsCheckDepth{});
    if (!problems) {
      std::cerr << fmt::format("miglint: error: {}\n", escape_for_message(problems.error().message));
      return kExitError;
    }
    write_approval_problems(std::cout, "", *problems);
    reported += problems->size();
  }
  std::cout << (reported == 0 ? std::string("Every approval matches a finding.\n")
                              : fmt::format("{} approval{} approve{} nothing.\n", reported,
                                            reported == 1 ? "" : "s", reported == 1 ? "s" : ""));
  return reported == 0 ? kExitClean : kExitFindings;
}

// `miglint init --from-squawk [.squawk.toml]`: the squawk settings as a miglint.toml.
int run_init_from_squawk(const std::string& squawk_path, bool force) {
  if (std::filesystem::exists("miglint.toml") && !force) {
    std::cerr << "miglint: error: miglint.toml already exists (use --force to overwrite it)\n";
    return kExitError;
  }
  std::error_code error;
  if (!std::filesystem::is_regular_file(squawk_path, error)) {
    std::cerr << fmt::format("miglint: error: {}: no such file (give the path of .squawk.toml)\n",
                             escape_for_message(squawk_path));
    return kExitError;
  }
  Expected<SquawkConversion> converted = convert_squawk_config(squawk_path);
  if (!converted) {
    std::cerr << fmt::format("miglint: error: {}\n", escape_for_message(converted.error().message));
    return kExitError;
  }
  for (const std::string& note : converted->notes) {
    std::cerr << fmt::format("miglint: note: {}: {}\n", escape_for_message(squawk_path),
                             escape_for_message(note));
  }
  std::ofstream("miglint.toml") << converted->miglint_toml;
  std::cout << fmt::format("wrote miglint.toml from {}\n", escape_for_message(squawk_path));
  return kExitClean;
}

int run_explain(const std::string& id) {
  std::string_view doc = rule_doc(id);
  if (doc.empty()) {
    std::cerr << fmt::format("miglint: error: unknown rule `{}` (see `miglint rules`)\n",
                             escape_for_message(id));
    return kExitError;
  }
  std::cout << doc;
  if (!doc.ends_with('\n')) {
    std::cout << '\n';
  }
  return kExitClean;
}

}  // namespace

int main(int argc, char** argv) {
  // Reports to a file or a pipe go out in 64 KiB writes rather than stdio's 4 KiB (the corpus's
  // JSON report took 1,300 write calls); a terminal keeps its line buffering.
  static char output_buffer[1 << 16];
  if (isatty(STDOUT_FILENO) == 0) {
    std::setvbuf(stdout, output_buffer, _IOFBF, sizeof output_buffer);
  }
  // The runner lives in its own executable so that linting never loads libpq (and its Kerberos,
  // LDAP and TLS libraries); its commands go there before anything else is set up.
  if (argc > 1 && is_runner_command(argv[1])) {
    return exec_runner(argc, argv);
  }
  if (argc > 1 && std::string_view(argv[1]) == kLspCommand) {
    return exec_lsp(argc, argv);
  }
  tune_malloc();
  CLI::App app{"miglint: a static safety analyzer for PostgreSQL schema migrations"};
  app.set_version_flag("--version", std::string("miglint ") + MIGLINT_VERSION);
  app.require_subcommand(1);

  LintFlags lint;
  CLI::App* lint_cmd = app.add_subcommand(
      "lint", "Lint migration files (and directories of *.sql files and C++ sources that send SQL)");
  lint_cmd->add_option("--format", lint.format, "Output format")->check(CLI::IsMember(report_format_names()));
  lint_cmd->add_flag("--include-suppressed", lint.include_suppressed,
                     "With --format sarif: also write findings silenced by ignore comments, as suppressed");
  lint_cmd->add_option("--fail-on", lint.fail_on, "Lowest severity that makes the exit status 1")
      ->check(CLI::IsMember({"error", "warning", "note"}));
  lint_cmd->add_option("--pg-version", lint.pg_version, "Target PostgreSQL major version (10-19)")
      ->check(CLI::Range(10, 19));
  lint_cmd->add_flag("--assume-in-transaction", lint.assume_in_transaction,
                     "Each file runs inside a transaction opened by the migration tool");
  lint_cmd->add_option("--select", lint.select, "Only these rules (comma-separated ids)");
  lint_cmd->add_option("--ignore", lint.ignore, "Not these rules (comma-separated ids)");
  lint_cmd->add_option("--jobs,-j", lint.jobs, "Files linted in parallel (default: one per core)")
      ->check(CLI::Range(1, 1024));
  lint_cmd->add_option("--stdin-filename", lint.stdin_filename, "Name reported for `-` (stdin)");
  lint_cmd->add_option("--config", lint.config, "The config file (default: miglint.toml found walking up)");
  lint_cmd->add_flag(
      "--with-history", lint.with_history,
      "Also read the earlier migrations of each file's directory for schema facts (not reported)");
  lint_cmd->add_option(
      "--since", lint.since,
      "Lint only migrations added, modified or renamed since this git ref (and untracked ones)");
  lint_cmd->add_flag("--staged", lint.staged, "Lint the staged versions of staged migrations");
  lint_cmd->add_option("-p,--compile-commands-dir", lint.compile_commands_dir,
                       "C++ sources: the directory of compile_commands.json (default: found walking up)");
  lint_cmd->add_option("--python", lint.python,
                       "Alembic revisions: the Python interpreter that has Alembic (default: MIGLINT_PYTHON, "
                       "the active or project's virtualenv, python3)");
  lint_cmd->add_flag("--fix", lint.fix,
                     "Apply the fixes of fixable findings in place, then report the findings that remain");
  lint_cmd->add_flag("--diff", lint.diff,
                     "Print the fixes as a unified diff; write nothing (exit 1: a file would change)");
  lint_cmd->add_option("--stats-from", lint.stats_from,
                       "Database URL to read table sizes from (catalog only, read-only): shown in findings, "
                       "findings on small or new tables lowered to notes");
  lint_cmd->add_option("paths", lint.paths,
                       "Files, directories, or - for stdin (with --since/--staged: filters)");

  bool init_force = false;
  std::string init_squawk;
  CLI::App* init_cmd =
      app.add_subcommand("init", "Write a commented starter miglint.toml in the current directory");
  init_cmd->add_flag("--force", init_force, "Overwrite an existing miglint.toml");
  CLI::Option* from_squawk =
      init_cmd
          ->add_option("--from-squawk", init_squawk,
                       "Convert squawk's settings (default: .squawk.toml) into miglint.toml")
          ->expected(0, 1);

  ApprovalsFlags approvals;
  CLI::App* approvals_cmd = app.add_subcommand(
      "approvals", "Check miglint.approvals.toml: approvals that are stale or match nothing (exit 1)");
  approvals_cmd->add_flag("--check", approvals.check, "Report approvals that approve nothing");
  approvals_cmd->add_option("--config", approvals.config,
                            "The config file (default: miglint.toml found walking up)");
  approvals_cmd->add_option("paths", approvals.paths,
                            "Migrations directories (default: [run] migrations, else ./migrations)");

  LocksFlags locks;
  CLI::App* locks_cmd =
      app.add_subcommand("locks", "Show, per statement, the locks taken and held (the lock model)");
  locks_cmd->add_option("--format", locks.format, "Output format")
      ->check(CLI::IsMember(locks_format_names()));
  locks_cmd->add_option("--pg-version", locks.pg_version, "Target PostgreSQL major version (10-19)")
      ->check(CLI::Range(10, 19));
  locks_cmd->add_flag("--assume-in-transaction", locks.assume_in_transaction,
                      "Each file runs inside a transaction opened by the migration tool");
  locks_cmd->add_option("--stdin-filename", locks.stdin_filename, "Name reported for `-` (stdin)");
  locks_cmd->add_option("--config", locks.config, "The config file (default: miglint.toml found walking up)");
  locks_cmd->add_option("paths", locks.paths, "Files, directories, or - for stdin")->required();

  std::string rules_format = "text";
  CLI::App* rules_cmd = app.add_subcommand(
      "rules", "List every rule with its default severity (`fix`: `lint --fix` can fix its findings)");
  rules_cmd->add_option("--format", rules_format, "Output format")->check(CLI::IsMember({"text", "json"}));

  std::string explain_id;
  CLI::App* explain_cmd = app.add_subcommand("explain", "Print a rule's documentation");
  explain_cmd->add_option("rule", explain_id, "Rule id")->required();

  add_lsp_command_stub(app);
  if (is_completion_request(argc, argv)) {
    // The completions also cover the runner's flags, which a lint never defines (stubs below).
    RunnerCommands runner_commands;
    add_runner_commands(app, runner_commands);
    std::vector<std::string> rule_ids;
    for (const Rule& rule : all_rules()) {
      rule_ids.emplace_back(rule.id);
    }
    CompletionWords words;
    words.positionals["explain"] = rule_ids;
    for (const char* option : {"select", "ignore", "rule"}) {
      words.option_lists[option] = rule_ids;
    }
    return print_completion(app, argc, argv, words);
  }
  add_runner_command_stubs(app);
  if (std::optional<int> code = parse_command_line(app, argc, argv)) {
    return *code == 0 ? kExitClean : kExitError;
  }
  if (lint_cmd->parsed()) {
    for (const char* flag :
         {"--pg-version", "--assume-in-transaction", "--fail-on", "--select", "--ignore"}) {
      if (lint_cmd->count(flag) > 0) {
        lint.given.insert(flag);
      }
    }
    return run_lint(lint);
  }
  if (approvals_cmd->parsed()) {
    return run_approvals(approvals);
  }
  if (init_cmd->parsed() && from_squawk->count() > 0) {
    return run_init_from_squawk(init_squawk.empty() ? ".squawk.toml" : init_squawk, init_force);
  }
  if (init_cmd->parsed()) {
    if (std::filesystem::exists("miglint.toml") && !init_force) {
      std::cerr << "miglint: error: miglint.toml already exists (use --force to overwrite it)\n";
      return kExitError;
    }
    std::ofstream("miglint.toml") << starter_config();
    std::cout << "wrote miglint.toml\n";
    return kExitClean;
  }
  if (locks_cmd->parsed()) {
    return run_locks(locks);
  }
  if (rules_cmd->parsed()) {
    return run_rules(rules_format);
  }
  if (explain_cmd->parsed()) {
    return run_explain(explain_id);
  }
  return kExitError;
}
