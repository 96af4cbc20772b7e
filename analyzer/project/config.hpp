#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "analyzer/cpp/front_end.hpp"
#include "analyzer/model/finding.hpp"
#include "analyzer/text/expected.hpp"

namespace miglint {

// Settings that the top level of miglint.toml and each [[overrides]] table may hold. Unset
// (nullopt/empty) means "not said here".
struct ConfigSettings {
  std::optional<int> pg_version;
  std::optional<bool> assume_in_transaction;
  std::optional<Severity> fail_on;
  std::optional<std::set<std::string>> select;
  std::optional<std::set<std::string>> ignore;
  std::vector<std::string> exclude;  // path globs
  std::optional<bool> timeouts_set_by_runner;
  // [rules.<id>] severity: a severity, or nullopt for "off".
  std::map<std::string, std::optional<Severity>> rule_severity;
};

struct ConfigOverride {
  std::vector<std::string> paths;  // globs, relative to the config file's directory
  ConfigSettings settings;
};

// The [run] table: settings of `miglint run`, `status`, `plan` (command-line flags win). Durations
// are checked when the file is read.
struct RunSettings {
  bool present = false;                   // the file has a [run] table: `miglint run` applies its migrations
  std::optional<std::string> migrations;  // relative to the config file's directory
  std::optional<std::string> database_url;
  std::optional<std::chrono::milliseconds> lock_timeout;
  std::optional<std::chrono::milliseconds> statement_timeout;
  std::optional<std::chrono::milliseconds> concurrent_statement_timeout;
  std::optional<std::chrono::milliseconds> concurrent_lock_timeout;
  std::optional<std::chrono::milliseconds> lock_wait;
  std::optional<int> retries;
  std::optional<std::string> schema;
};

// The [lint] table: limits of reading files (top level only).
struct LintSettings {
  std::optional<uint64_t> max_file_size;  // bytes; larger files are refused with one error line
};

// miglint.toml: found by walking up from the current directory, or given with --config.
struct Config {
  std::string path;       // the file, as found
  std::string directory;  // its directory (absolute): globs are relative to it
  ConfigSettings top;
  std::vector<ConfigOverride> overrides;
  RunSettings run;
  LintSettings lint;
  // [cpp] and [[cpp.query_functions]]: C++ sources (top level only). compile_commands_dir is made
  // absolute (relative to the config file's directory).
  cpp::CppSettings cpp;
};

// Walks up from `start` to the filesystem root; the first miglint.toml found, or nullopt.
std::optional<std::string> find_config_file(const std::string& start);

// Reads and checks a config file: an unknown key, a wrong type or an unknown rule id is an error
// naming the file, line and key ("miglint.toml:4:1: unknown key `pg_verison`").
Expected<Config> load_config(const std::string& path, const std::set<std::string>& known_rules);

// Whether `path` (as reported) matches a glob of the config: `*` and `?` within a path segment, `**`
// across segments; a glob without `/` matches the file name in any directory.
bool config_glob_matches(const std::string& glob, const std::string& path_from_config_dir);

// The settings in force for one file: the top level, then every override whose paths match, in
// file order (later ones win).
ConfigSettings settings_for(const Config& config, const std::string& path);

// The rule selection of one file's settings as a RuleSet takes it: `[rules.<id>]` severities by id,
// and rules set to "off" added to `ignore`.
std::map<std::string, Severity> rule_severities(const ConfigSettings& settings,
                                                std::set<std::string>& ignore);

// Adds to `ignore` the rules that ask for lock_timeout and statement_timeout, for migrations whose
// runner sets them (`timeouts_set_by_runner`, and miglint's own runner).
void ignore_timeout_rules(std::set<std::string>& ignore);

// Whether the config excludes `path` (top-level or override `exclude` globs).
bool excluded_by_config(const Config& config, const std::string& path);

// The starter file `miglint init` writes.
std::string starter_config();

}  // namespace miglint
