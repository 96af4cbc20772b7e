#pragma once

// The front ends miglint has, and the miglint.toml tables they read (analyzer/frontend/README.md).
// Each front end registers itself in its own CMakeLists.txt (miglint_register_front_end,
// cmake/FrontEnds.cmake); the list below is generated from those registrations, and this file's
// functions build the registry from it.
#include <optional>
#include <vector>

#include "analyzer/frontend/front_end.hpp"
#include "analyzer/project/config_table.hpp"

namespace miglint {

// One registered front end.
struct FrontEndRegistration {
  const FrontEnd* front_end;
  std::optional<ConfigTable> config;  // its miglint.toml table, if it has one
};

// Every registered front end, in registration order: generated into the build tree
// (generated/front_ends/<registry>.cpp) by miglint_add_front_end_registry.
const std::vector<FrontEndRegistration>& front_end_registrations();

// The tables of the registered front ends ([cpp], [alembic]), for load_config.
std::vector<ConfigTable> front_end_config_tables();

}  // namespace miglint
