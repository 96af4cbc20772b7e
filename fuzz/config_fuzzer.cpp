// miglint.toml as `miglint lint` and the runner read it: the TOML parse, every key's checks, the
// [run] durations, [cpp] query functions, [[overrides]] with their globs matched against paths, and
// the settings each command resolves from it. Bad input is one error naming the file, never a crash.
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "analyzer/project/config.hpp"
#include "cli/config_loading.hpp"
#include "cli/runner_commands.hpp"
#include "fuzz/fuzz_support.hpp"
#include "rules/registry.hpp"
#include "settings/run_table.hpp"
#include "settings/settings.hpp"

using namespace miglint;
using miglint::fuzz::require;

namespace {

std::set<std::string> known_rule_ids() {
  std::set<std::string> ids;
  for (const Rule& rule : all_rules()) {
    ids.emplace(rule.id);
  }
  return ids;
}

// Paths as `lint` reports them, relative to the config file's directory or absolute.
std::vector<std::string> probe_paths(const std::string& directory) {
  return {"db/migrations/0001_create.sql",
          "db/diesel/2024-01-15-100000_add_users/up.sql",
          "migrations/archive/V3.1__old.down.sql",
          "src/db/migrate_orders.cpp",
          "a.sql",
          directory + "/db/migrations/0002_index.sql",
          "deeply/" + std::string(120, 'a') + "/" + std::string(120, 'b') + ".sql"};
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::set<std::string> known_rules = known_rule_ids();
  static const fuzz::ScratchFile file("miglint.toml");
  file.write(fuzz::as_text(data, size));
  Expected<Config> config = load_config(file.path(), known_rules, config_tables());
  if (!config) {
    require(config.error().message.starts_with(file.path() + ":"),
            "a config error that does not name the file");
    return 0;
  }
  std::vector<std::string> paths = probe_paths(file.directory());
  for (const std::string& path : paths) {
    ConfigSettings settings = settings_for(*config, path);
    std::set<std::string> ignore = settings.ignore.value_or(std::set<std::string>{});
    rule_severities(settings, ignore);
    excluded_by_config(*config, path);
    for (const std::string& glob : settings.exclude) {
      config_glob_matches(glob, path);
    }
    for (const ConfigOverride& entry : config->overrides) {
      for (const std::string& glob : entry.paths) {
        config_glob_matches(glob, path);
      }
    }
  }
  SettingsResolver resolver(&*config);
  for (const std::string& path : paths) {
    FileSettings settings = resolver.file_settings(path);
    require(settings.pg_version >= 10 && settings.pg_version <= 19,
            "a pg_version outside 10-19 was accepted");
    FileSetup setup = resolver.lint_setup(path);
    require(setup.rules != nullptr, "a lint setup without rules");
  }
  if (run_settings_of(*config).present) {
    resolve_run_settings(RunFlags{}, &*config);
  }
  return 0;
}
