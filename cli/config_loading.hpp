#pragma once

#include <optional>
#include <set>
#include <string>

#include "analyzer/project/config.hpp"

namespace miglint {

// Every rule id, for checking the config file's rule names.
std::set<std::string> rule_ids();

// The config file in force: --config, else miglint.toml found walking up from the current
// directory. Returns false after printing a one-line error.
bool load_config_for(const std::string& explicit_path, std::optional<Config>& config);

}  // namespace miglint
