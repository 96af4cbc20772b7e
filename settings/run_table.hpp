#pragma once

// miglint.toml's [run] table, owned by the runner's settings: what `miglint run`, `status` and `plan`
// read from the file (command-line flags win; settings/settings.hpp resolves them).
#include <chrono>
#include <optional>
#include <string>

#include "analyzer/project/config.hpp"

namespace miglint {

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

// The reader of [run] that load_config is given (cli/config_loading.cpp).
ConfigTable run_config_table();

// The config's [run] table (an empty one, `present` false, when it has none).
const RunSettings& run_settings_of(const Config& config);

}  // namespace miglint
