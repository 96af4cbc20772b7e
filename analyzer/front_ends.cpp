// The registry of front ends, over the registrations generated from the front ends' own
// CMakeLists.txt (cmake/FrontEnds.cmake): this file names none of them.
#include "analyzer/front_ends.hpp"

#include "analyzer/frontend/sql_front_end.hpp"

namespace miglint {

const FrontEndRegistry& registered_front_ends() {
  static const FrontEndRegistry registry = [] {
    std::vector<const FrontEnd*> others;
    for (const FrontEndRegistration& registration : front_end_registrations()) {
      others.push_back(registration.front_end);
    }
    return FrontEndRegistry(sql_front_end(), std::move(others));
  }();
  return registry;
}

std::vector<ConfigTable> front_end_config_tables() {
  std::vector<ConfigTable> tables;
  for (const FrontEndRegistration& registration : front_end_registrations()) {
    if (registration.config) {
      tables.push_back(*registration.config);
    }
  }
  return tables;
}

}  // namespace miglint
