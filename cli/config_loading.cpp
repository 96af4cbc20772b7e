#include "cli/config_loading.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <iostream>

#include "analyzer/front_ends.hpp"
#include "analyzer/text/message_text.hpp"
#include "rules/registry.hpp"
#include "settings/run_table.hpp"

namespace miglint {

std::set<std::string> rule_ids() {
  std::set<std::string> ids;
  for (const Rule& rule : all_rules()) {
    ids.emplace(rule.id);
  }
  return ids;
}

std::vector<ConfigTable> config_tables() {
  std::vector<ConfigTable> tables{run_config_table()};
  for (ConfigTable& table : front_end_config_tables()) {
    tables.push_back(std::move(table));
  }
  return tables;
}

// The config file in force: --config, else miglint.toml found walking up from the current directory.
bool load_config_for(const std::string& explicit_path, std::optional<Config>& config) {
  std::optional<std::string> path =
      explicit_path.empty() ? find_config_file(".") : std::optional(explicit_path);
  if (!path) {
    return true;
  }
  if (!std::filesystem::is_regular_file(*path)) {
    std::cerr << fmt::format("miglint: error: {}: no such config file\n", escape_for_message(*path));
    return false;
  }
  Expected<Config> loaded = load_config(*path, rule_ids(), config_tables());
  if (!loaded) {
    // One line, built from the file's path and text (keys, values, the TOML parser's description).
    std::cerr << fmt::format("miglint: error: {}\n", escape_for_message(loaded.error().message));
    return false;
  }
  config = std::move(*loaded);
  return true;
}

}  // namespace miglint
