// The one place that knows every front end: adding one is its folder and one line here.
#include "analyzer/front_ends.hpp"

#include <optional>

#include "analyzer/alembic/alembic_front_end.hpp"
#include "analyzer/cpp/cpp_front_end.hpp"
#include "analyzer/frontend/sql_front_end.hpp"

namespace miglint {

namespace {

struct Registration {
  const FrontEnd* front_end;
  std::optional<ConfigTable> config;  // its miglint.toml table, if it has one
};

const std::vector<Registration>& registrations() {
  static const std::vector<Registration> kRegistrations{
      {&cpp::cpp_front_end(), cpp::cpp_config_table()},  // C++ sources (analyzer/cpp/)
      {&alembic::alembic_front_end(),
       alembic::alembic_config_table()},  // Alembic revisions (analyzer/alembic/)
  };
  return kRegistrations;
}

}  // namespace

const FrontEndRegistry& registered_front_ends() {
  static const FrontEndRegistry registry = [] {
    std::vector<const FrontEnd*> others;
    for (const Registration& registration : registrations()) {
      others.push_back(registration.front_end);
    }
    return FrontEndRegistry(sql_front_end(), std::move(others));
  }();
  return registry;
}

std::vector<ConfigTable> front_end_config_tables() {
  std::vector<ConfigTable> tables;
  for (const Registration& registration : registrations()) {
    if (registration.config) {
      tables.push_back(*registration.config);
    }
  }
  return tables;
}

}  // namespace miglint
