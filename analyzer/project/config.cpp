#include "analyzer/project/config.hpp"

#include <fmt/format.h>

#include <toml++/toml.h>
#include <algorithm>
#include <filesystem>

#include "analyzer/model/rule.hpp"
#include "analyzer/text/byte_size.hpp"
#include "analyzer/text/duration.hpp"
#include "analyzer/text/source_file.hpp"

namespace miglint {

namespace fs = std::filesystem;

std::optional<std::string> find_config_file(const std::string& start) {
  std::error_code error;
  fs::path dir = fs::absolute(start, error).lexically_normal();
  while (!error) {
    fs::path candidate = dir / "miglint.toml";
    std::error_code missing;  // a missing file is not an error here
    if (fs::is_regular_file(candidate, missing)) {
      return candidate.string();
    }
    if (!dir.has_parent_path() || dir.parent_path() == dir) {
      break;
    }
    dir = dir.parent_path();
  }
  return std::nullopt;
}

namespace {

// A configuration error, located in the file.
class ConfigError {
 public:
  ConfigError(const std::string& path, const toml::source_region& where, std::string what)
      : text_(fmt::format("{}:{}:{}: {}", path, where.begin.line, where.begin.column, std::move(what))) {}
  const std::string& text() const { return text_; }

 private:
  std::string text_;
};

}  // namespace

Expected<toml::table> parse_toml_file(const std::string& path) {
  try {
    return toml::parse_file(path);
  } catch (const toml::parse_error& failure) {
    return Error{ConfigError(path, failure.source(), std::string(failure.description())).text()};
  }
}

void ConfigTableReader::fail(const toml::node& node, std::string what) const {
  throw ConfigError(path_, node.source(), std::move(what));
}

void ConfigTableReader::fail_key(const toml::key& key, std::string what) const {
  throw ConfigError(path_, key.source(), std::move(what));
}

std::vector<std::string> ConfigTableReader::strings(const toml::node& value, const std::string& name) const {
  const toml::array* array = value.as_array();
  if (array == nullptr) {
    fail(value, fmt::format("`{}` must be an array of strings", name));
  }
  std::vector<std::string> out;
  for (const toml::node& item : *array) {
    if (!item.is_string()) {
      fail(item, fmt::format("`{}` must be an array of strings", name));
    }
    out.push_back(*item.value<std::string>());
  }
  return out;
}

namespace {

class SettingsReader : public ConfigTableReader {
 public:
  SettingsReader(const std::string& path, const std::string& directory,
                 const std::set<std::string>& known_rules)
      : ConfigTableReader(path, directory), known_rules_(known_rules) {}

  // Reads one top-level key into `settings`; returns false when the key is not a settings key.
  bool read(const toml::key& key, const toml::node& value, ConfigSettings& settings) const {
    std::string name(key.str());
    if (name == "pg_version") {
      auto version = value.value<int64_t>();
      if (!value.is_integer() || !version || *version < 10 || *version > 19) {
        fail(value, "`pg_version` must be an integer from 10 to 19");
      }
      settings.pg_version = static_cast<int>(*version);
    } else if (name == "assume_in_transaction" || name == "timeouts_set_by_runner") {
      if (!value.is_boolean()) {
        fail(value, fmt::format("`{}` must be true or false", name));
      }
      (name == "assume_in_transaction" ? settings.assume_in_transaction : settings.timeouts_set_by_runner) =
          *value.value<bool>();
    } else if (name == "fail_on") {
      settings.fail_on = severity(value, "fail_on", false);
    } else if (name == "select" || name == "ignore") {
      std::set<std::string> ids;
      for (const std::string& id : strings(value, name)) {
        if (!known_rules_.contains(id)) {
          fail(value, fmt::format("`{}` names an unknown rule `{}` (see `miglint rules`)", name, id));
        }
        if (name == "ignore" && id == kSyntaxErrorRule) {
          fail(value, fmt::format("`ignore`: {} cannot be switched off", kSyntaxErrorRule));
        }
        ids.insert(id);
      }
      (name == "select" ? settings.select : settings.ignore) = std::move(ids);
    } else if (name == "exclude") {
      settings.exclude = strings(value, name);
    } else if (name == "rules") {
      read_rules(value, settings);
    } else {
      return false;
    }
    return true;
  }

 private:
  std::optional<Severity> severity(const toml::node& value, const std::string& name, bool allow_off) const {
    auto text = value.value<std::string>();
    if (!value.is_string() || !text) {
      fail(value, fmt::format("`{}` must be a string", name));
    }
    if (allow_off && *text == "off") {
      return std::nullopt;
    }
    std::optional<Severity> parsed = parse_severity(*text);
    if (!parsed) {
      fail(value, fmt::format("`{}` must be one of \"error\", \"warning\", \"note\"{}", name,
                              allow_off ? ", \"off\"" : ""));
    }
    return parsed;
  }

  void read_rules(const toml::node& value, ConfigSettings& settings) const {
    const toml::table* rules = value.as_table();
    if (rules == nullptr) {
      fail(value, "`rules` must be a table of [rules.<rule-id>] tables");
    }
    for (const auto& [id, rule] : *rules) {
      if (!known_rules_.contains(std::string(id.str()))) {
        fail_key(id, fmt::format("[rules.{}]: unknown rule `{}` (see `miglint rules`)", id.str(), id.str()));
      }
      const toml::table* table = rule.as_table();
      if (table == nullptr) {
        fail(rule, fmt::format("`rules.{}` must be a table", id.str()));
      }
      for (const auto& [key, setting] : *table) {
        if (key.str() != "severity") {
          fail_key(key, fmt::format("unknown key `rules.{}.{}` (only `severity`)", id.str(), key.str()));
        }
        std::optional<Severity> level = severity(setting, "severity", true);
        if (!level && id.str() == kSyntaxErrorRule) {
          fail(setting, fmt::format("{} cannot be switched off", kSyntaxErrorRule));
        }
        settings.rule_severity[std::string(id.str())] = level;
      }
    }
  }

  const std::set<std::string>& known_rules_;
};

void merge(ConfigSettings& into, const ConfigSettings& from) {
  if (from.pg_version)
    into.pg_version = from.pg_version;
  if (from.assume_in_transaction)
    into.assume_in_transaction = from.assume_in_transaction;
  if (from.fail_on)
    into.fail_on = from.fail_on;
  if (from.select)
    into.select = from.select;
  if (from.ignore)
    into.ignore = from.ignore;
  if (from.timeouts_set_by_runner)
    into.timeouts_set_by_runner = from.timeouts_set_by_runner;
  into.exclude.insert(into.exclude.end(), from.exclude.begin(), from.exclude.end());
  for (const auto& [id, level] : from.rule_severity) {
    into.rule_severity[id] = level;
  }
}

// Glob matching with `**` (any number of segments), `*` and `?` (within a segment).
bool match_from(std::string_view glob, std::string_view path) {
  while (!glob.empty()) {
    if (glob.starts_with("**")) {
      glob.remove_prefix(2);
      if (glob.starts_with("/")) {
        glob.remove_prefix(1);
      }
      if (glob.empty()) {
        return true;  // a trailing `**` matches everything below
      }
      for (std::size_t i = 0; i <= path.size(); ++i) {
        if ((i == 0 || path[i - 1] == '/') && match_from(glob, path.substr(i))) {
          return true;
        }
      }
      return false;
    }
    if (glob.front() == '*') {
      glob.remove_prefix(1);
      for (std::size_t i = 0; i <= path.size(); ++i) {
        if (match_from(glob, path.substr(i))) {
          return true;
        }
        if (i < path.size() && path[i] == '/') {
          return false;
        }
      }
      return false;
    }
    if (path.empty() || (glob.front() != '?' && glob.front() != path.front()) ||
        (glob.front() == '?' && path.front() == '/')) {
      return false;
    }
    glob.remove_prefix(1);
    path.remove_prefix(1);
  }
  return path.empty();
}

}  // namespace

bool config_glob_matches(const std::string& glob, const std::string& path_from_config_dir) {
  std::string pattern = glob;
  while (pattern.starts_with("./")) {
    pattern.erase(0, 2);
  }
  if (pattern.find('/') == std::string::npos) {
    std::string name = fs::path(path_from_config_dir).filename().string();
    return match_from(pattern, name);
  }
  if (pattern.ends_with("/")) {
    pattern += "**";  // a directory: everything below it
  }
  return match_from(pattern, path_from_config_dir);
}

std::optional<DownMigrations> parse_down_migrations(std::string_view text) {
  if (text == "report") {
    return DownMigrations::Report;
  }
  if (text == "note") {
    return DownMigrations::Note;
  }
  if (text == "skip") {
    return DownMigrations::Skip;
  }
  return std::nullopt;
}

DownMigrations down_migration_policy(const Config* config) {
  return config != nullptr ? config->lint.down_migrations.value_or(DownMigrations::Note)
                           : DownMigrations::Note;
}

namespace {

void read_lint_table(const SettingsReader& reader, const toml::node& value, LintSettings& lint) {
  const toml::table* table = value.as_table();
  if (table == nullptr) {
    reader.fail(value, "`lint` must be a table ([lint])");
  }
  for (const auto& [key, setting] : *table) {
    if (key.str() == "down_migrations") {
      std::optional<std::string> policy = setting.value<std::string>();
      std::optional<DownMigrations> parsed =
          setting.is_string() ? parse_down_migrations(*policy) : std::nullopt;
      if (!parsed) {
        reader.fail(setting, "`lint.down_migrations` must be \"report\", \"note\" or \"skip\"");
      }
      lint.down_migrations = parsed;
      continue;
    }
    if (key.str() == "small_table_rows") {
      if (!setting.is_integer() || *setting.value<int64_t>() < 0) {
        reader.fail(setting,
                    "`lint.small_table_rows` must be a number of rows, 0 or more (0: lower nothing)");
      }
      lint.small_table_rows = *setting.value<int64_t>();
      continue;
    }
    if (key.str() != "max_file_size") {
      reader.fail_key(key, fmt::format("unknown key `lint.{}` (known: max_file_size, down_migrations, "
                                       "small_table_rows)",
                                       key.str()));
    }
    std::optional<uint64_t> size;
    if (setting.is_integer() && *setting.value<int64_t>() > 0) {
      size = static_cast<uint64_t>(*setting.value<int64_t>());
    } else if (setting.is_string()) {
      size = parse_byte_size(*setting.value<std::string>());
    }
    if (!size || *size == 0 || *size > kLargestMaxFileSize) {
      reader.fail(setting,
                  "`lint.max_file_size` must be a size from 1 byte to 2GB, like \"100MB\", "
                  "\"512KB\" or a number of bytes");
    }
    lint.max_file_size = size;
  }
}

}  // namespace

Expected<Config> load_config(const std::string& path, const std::set<std::string>& known_rules,
                             std::span<const ConfigTable> tables) {
  Config config;
  config.path = path;
  std::error_code error;
  config.directory = fs::absolute(path, error).parent_path().string();
  Expected<toml::table> parsed = parse_toml_file(path);
  if (!parsed) {
    return parsed.error();
  }
  toml::table& root = *parsed;
  SettingsReader reader(path, config.directory, known_rules);
  try {
    for (const auto& [key, value] : root) {
      if (reader.read(key, value, config.top)) {
        continue;
      }
      if (key.str() == "lint") {
        read_lint_table(reader, value, config.lint);
        continue;
      }
      auto owned = std::find_if(tables.begin(), tables.end(),
                                [&](const ConfigTable& candidate) { return candidate.name == key.str(); });
      if (owned != tables.end()) {
        config.tables[owned->name] = owned->read(reader, value);
        continue;
      }
      if (key.str() != "overrides") {
        reader.fail_key(key, fmt::format("unknown key `{}`", key.str()));
      }
      const toml::array* overrides = value.as_array();
      if (overrides == nullptr) {
        reader.fail(value, "`overrides` must be an array of [[overrides]] tables");
      }
      for (const toml::node& item : *overrides) {
        const toml::table* table = item.as_table();
        if (table == nullptr) {
          reader.fail(item, "each [[overrides]] entry must be a table");
        }
        ConfigOverride entry;
        for (const auto& [override_key, override_value] : *table) {
          if (override_key.str() == "paths") {
            entry.paths = reader.strings(override_value, "paths");
          } else if (!reader.read(override_key, override_value, entry.settings)) {
            reader.fail_key(override_key,
                            fmt::format("unknown key `{}` in [[overrides]]", override_key.str()));
          }
        }
        if (entry.paths.empty()) {
          reader.fail(item, "[[overrides]] needs `paths` (globs of the files it applies to)");
        }
        config.overrides.push_back(std::move(entry));
      }
    }
  } catch (const ConfigError& failure) {
    return Error{failure.text()};
  }
  return config;
}

namespace {

std::string relative_to_config(const Config& config, const std::string& path) {
  std::error_code error;
  return fs::absolute(path, error).lexically_normal().lexically_relative(config.directory).generic_string();
}

}  // namespace

std::map<std::string, Severity> rule_severities(const ConfigSettings& settings,
                                                std::set<std::string>& ignore) {
  std::map<std::string, Severity> severities;
  for (const auto& [id, level] : settings.rule_severity) {
    if (level) {
      severities[id] = *level;
    } else {
      ignore.insert(id);
    }
  }
  return severities;
}

bool excluded_by_config(const Config& config, const std::string& path) {
  std::string relative = relative_to_config(config, path);
  for (const std::string& glob : settings_for(config, path).exclude) {
    if (config_glob_matches(glob, relative)) {
      return true;
    }
  }
  return false;
}

ConfigSettings settings_for(const Config& config, const std::string& path) {
  ConfigSettings settings = config.top;
  std::string relative = relative_to_config(config, path);
  for (const ConfigOverride& entry : config.overrides) {
    for (const std::string& glob : entry.paths) {
      if (config_glob_matches(glob, relative)) {
        merge(settings, entry.settings);
        break;
      }
    }
  }
  return settings;
}

std::string starter_config() {
  return R"toml(# miglint configuration (https://github.com/... see README.md, "Configuration").
# Command-line flags override what is set here.

# The PostgreSQL major version the migrations run on (10-19). Rules that depend on the version
# (fast column defaults from 11, REINDEX CONCURRENTLY from 12, ...) follow it.
pg_version = 15

# Set when your migration tool wraps each file in a transaction (diesel, Flyway, Alembic...).
assume_in_transaction = false

# The lowest severity that makes `miglint lint` exit with status 1: "error", "warning" or "note".
fail_on = "warning"

# Only these rules (empty: all), and never these. `miglint rules` lists the ids.
# select = []
# ignore = ["prefer-text-field"]

# Files not to lint (globs relative to this file; `**` spans directories).
# exclude = ["migrations/archive/**"]

# Set when your runner (miglint run, or your own) sets lock_timeout and statement_timeout:
# require-lock-timeout and require-statement-timeout are then switched off.
timeouts_set_by_runner = false

# A rule's severity: "error", "warning", "note" or "off".
# [rules.ban-drop-column]
# severity = "error"

# Files larger than this are refused with one error line rather than read (default "100MB").
# [lint]
# max_file_size = "100MB"
# Down migrations (*.down.sql, diesel's down.sql, dbmate's -- migrate:down section): "note" (the
# default) reports their findings as notes that never fail the build, "report" at full severity,
# "skip" leaves them unread.
# down_migrations = "note"
# With table sizes (`miglint lint --stats-from DSN`, `miglint plan`): findings whose hazard grows with
# the table (locks held through scans, rewrites, index builds, unbatched updates) are lowered to
# notes on tables with fewer rows than this, and on tables not in the database yet (default 10000).
# small_table_rows = 10000

# C++ sources (*.cpp *.cc *.cxx *.h *.hpp): the SQL passed to libpq and libpqxx calls is linted.
# [cpp]
# enabled = true                       # pick C++ files up when linting a directory
# compile_commands_dir = "build"        # else compile_commands.json is looked for walking up
# [[cpp.query_functions]]               # your own helpers, besides libpq's and libpqxx's (and
#                                       # before them: an entry named like a default wins)
# name = "myapp::db::run"
# sql_arg = 0
# placeholders = "dollar"               # or "question", "colon", "printf", "fmt"; unset: $1, or the
#                                       # {} / %s a call's SQL shows when format arguments follow it
# in_transaction = false

# Settings for some paths only, for example a folder whose tool wraps files in transactions.
# [[overrides]]
# paths = ["db/diesel/**"]
# assume_in_transaction = true

# `miglint run` / `status` / `plan` (flags of the same name win). A [run] table also tells
# `miglint lint` that `miglint run` applies these migrations: lint then judges each one as run vets
# it (run's transaction mode and timeouts, destructive rules always on, ignores need a reason).
# [run]
# migrations = "migrations"            # relative to this file
# database_url = "postgresql://app@localhost/app"   # or MIGLINT_DATABASE_URL (keep passwords out of git)
# lock_timeout = "2s"
# statement_timeout = "1min"           # every statement but CONCURRENTLY ones; "none" turns vetting's
#                                      # require-statement-timeout back on
# concurrent_statement_timeout = "none"  # for CREATE INDEX CONCURRENTLY and friends
# concurrent_lock_timeout = "none"       # they wait for older transactions without blocking anyone
# retries = 5                          # on lock timeouts, backing off from 1s to 30s
# lock_wait = "60s"                    # how long to wait for another runner
# schema = "public"                    # where miglint_schema_migrations lives
)toml";
}

}  // namespace miglint
