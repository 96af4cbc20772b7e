# Every third-party dependency comes from a Debian package and is exposed as an imported target.
find_package(Threads REQUIRED)
find_package(fmt REQUIRED)             # libfmt-dev: message formatting
find_package(simdjson REQUIRED)        # libsimdjson-dev: decoding libpg_query's JSON parse tree
find_package(nlohmann_json REQUIRED)   # nlohmann-json3-dev: writing JSON reports
find_package(CLI11 REQUIRED)           # libcli11-dev: command-line parsing
find_package(OpenSSL REQUIRED COMPONENTS Crypto)  # libssl-dev: SHA-256 for SARIF fingerprints
find_package(tomlplusplus REQUIRED)    # libtomlplusplus-dev: reading miglint.toml

# libpg-query-dev ships neither pkg-config nor a CMake config file.
find_path(PG_QUERY_INCLUDE_DIR pg_query.h REQUIRED)
find_library(PG_QUERY_LIBRARY NAMES pg_query REQUIRED)
add_library(pg_query::pg_query UNKNOWN IMPORTED)
set_target_properties(pg_query::pg_query PROPERTIES
  IMPORTED_LOCATION "${PG_QUERY_LIBRARY}"
  INTERFACE_SYSTEM_INCLUDE_DIRECTORIES "${PG_QUERY_INCLUDE_DIR}"
  INTERFACE_INCLUDE_DIRECTORIES "${PG_QUERY_INCLUDE_DIR}")

find_package(PkgConfig REQUIRED)
pkg_check_modules(LIBPQ REQUIRED IMPORTED_TARGET libpq)  # libpq-dev: PostgreSQL client (tests; the runner)

if(MIGLINT_BUILD_TESTS)
  find_package(GTest REQUIRED)         # libgtest-dev: unit, fixture and corpus tests
endif()
