#pragma once

#include <any>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "analyzer/model/finding.hpp"
#include "analyzer/project/config_table.hpp"
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

// How `lint` treats down migrations (`*.down.sql`, diesel's `down.sql`, dbmate's `-- migrate:down`
// section): their findings as notes that never fail (the default), at full severity, or not at all.
enum class DownMigrations { Report, Note, Skip };
std::optional<DownMigrations> parse_down_migrations(std::string_view text);

// The [lint] table: how files are read (top level only).
struct LintSettings {
  std::optional<uint64_t> max_file_size;  // bytes; larger files are refused with one error line
  std::optional<DownMigrations> down_migrations;
  // With sizes (`lint --stats-from`, `plan`): findings on tables with fewer rows become notes
  // (analyzer/engine/table_sizes.hpp; default 10,000).
  std::optional<int64_t> small_table_rows;
};

struct Config;
// The config's [lint] down_migrations, else the default (Note).
DownMigrations down_migration_policy(const Config* config);

// miglint.toml: found by walking up from the current directory, or given with --config.
struct Config {
  std::string path;       // the file, as found
  std::string directory;  // its directory (absolute): globs are relative to it
  ConfigSettings top;
  std::vector<ConfigOverride> overrides;
  LintSettings lint;
  // The tables other parts of miglint read themselves (ConfigTable), by name, as their readers made
  // them: [run] (the runner), [cpp] (the C++ front end). Absent: the file has no such table.
  std::map<std::string, std::any, std::less<>> tables;

  // The table `name` as type T, or null when the file has none.
  template <class T>
  const T* table(std::string_view name) const {
    auto it = tables.find(name);
    return it != tables.end() ? std::any_cast<T>(&it->second) : nullptr;
  }
};

// Walks up from `start` to the filesystem root; the first miglint.toml found, or nullopt.
std::optional<std::string> find_config_file(const std::string& start);

// Reads and checks a config file: an unknown key, a wrong type or an unknown rule id is an error
// naming the file, line and key ("miglint.toml:4:1: unknown key `pg_verison`"). `tables` are the
// tables other parts of miglint read (any other key is unknown).
Expected<Config> load_config(const std::string& path, const std::set<std::string>& known_rules,
                             std::span<const ConfigTable> tables = {});

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

// Whether the config excludes `path` (top-level or override `exclude` globs).
bool excluded_by_config(const Config& config, const std::string& path);

// The starter file `miglint init` writes.
std::string starter_config();

}  // namespace miglint
