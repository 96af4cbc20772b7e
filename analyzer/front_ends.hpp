#pragma once

// The front ends miglint has, and the miglint.toml tables they read (analyzer/frontend/README.md).
#include <vector>

#include "analyzer/frontend/front_end.hpp"
#include "analyzer/project/config_table.hpp"

namespace miglint {

// The tables of the registered front ends ([cpp]), for load_config.
std::vector<ConfigTable> front_end_config_tables();

}  // namespace miglint
