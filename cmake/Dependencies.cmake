# Every third-party dependency comes from a Debian package and is exposed as an imported target.
#
# Start-up time is the pre-commit and editor case (one small file per process), and there the dynamic
# loader dominated: mapping and relocating a dozen shared libraries cost more than the lint. So what
# a Debian package offers as a static archive or as headers only is linked into the executables:
# libpg_query (libpg_query.a), fmt (header-only), toml++ (compiled once, analyzer/project/
# toml_implementation.cpp) and nettle's SHA-256 (libnettle.a). simdjson ships only a shared library:
# cmake/Simdjson.cmake compiles it from Debian's source tarball instead, when it can.
find_package(Threads REQUIRED)
find_package(fmt REQUIRED)             # libfmt-dev: message formatting (header-only form)
include(${CMAKE_CURRENT_LIST_DIR}/Downloads.cmake)  # MIGLINT_DOWNLOAD_DIR, for the two below
include(${CMAKE_CURRENT_LIST_DIR}/Simdjson.cmake)  # libsimdjson-dev: decoding libpg_query's JSON parse tree
find_package(nlohmann_json REQUIRED)   # nlohmann-json3-dev: writing JSON reports
find_package(CLI11 REQUIRED)           # libcli11-dev: command-line parsing

# An imported library from a header directory and a library file (its static archive first).
function(miglint_import_library target include_dir library)
  add_library(${target} UNKNOWN IMPORTED)
  set_target_properties(${target} PROPERTIES
    IMPORTED_LOCATION "${library}"
    INTERFACE_SYSTEM_INCLUDE_DIRECTORIES "${include_dir}"
    INTERFACE_INCLUDE_DIRECTORIES "${include_dir}")
endfunction()

add_library(miglint::fmt INTERFACE IMPORTED)
target_link_libraries(miglint::fmt INTERFACE fmt::fmt-header-only)

# libtomlplusplus-dev: reading miglint.toml. Its CMake target links the shared library; the headers
# alone, with the implementation compiled in one translation unit of ours, avoid that.
find_path(TOMLPLUSPLUS_INCLUDE_DIR toml++/toml.h REQUIRED)
add_library(miglint::toml INTERFACE IMPORTED)
set_target_properties(miglint::toml PROPERTIES
  INTERFACE_SYSTEM_INCLUDE_DIRECTORIES "${TOMLPLUSPLUS_INCLUDE_DIR}"
  INTERFACE_INCLUDE_DIRECTORIES "${TOMLPLUSPLUS_INCLUDE_DIR}"
  INTERFACE_COMPILE_DEFINITIONS "TOML_HEADER_ONLY=0")

# nettle-dev: SHA-256 for SARIF fingerprints and migration checksums. Its static archive links only
# the hash functions used (libcrypto's static archive would bring its provider tables, and its
# shared library costs a load and a constructor on every start).
find_path(NETTLE_INCLUDE_DIR nettle/sha2.h REQUIRED)
find_library(NETTLE_LIBRARY NAMES libnettle.a nettle REQUIRED)
miglint_import_library(miglint::nettle "${NETTLE_INCLUDE_DIR}" "${NETTLE_LIBRARY}")

# libpg_query 17: the system package when it is 17 or newer, otherwise built from Debian's tarball.
include(cmake/PgQuery.cmake)

find_package(PkgConfig REQUIRED)
pkg_check_modules(LIBPQ REQUIRED IMPORTED_TARGET libpq)  # libpq-dev: PostgreSQL client (tests; the runner)
if(MIGLINT_BUILD_TESTS)
  find_package(GTest REQUIRED)         # libgtest-dev: unit, fixture and corpus tests
endif()

# The C++ front end: Clang LibTooling from Debian (libclang-16-dev libclang-cpp16-dev llvm-16-dev
# clang-16), linked as the shared clang-cpp and LLVM libraries into a module of its own. Clang 14
# and 15 cannot parse g++ 12's C++20 standard headers, hence 16 by default. Without it miglint is
# built without C++ support (C++ inputs are then an error).
set(MIGLINT_CLANG_VERSION 16 CACHE STRING "LLVM/Clang major version of the C++ front end (OFF: none)")
set(MIGLINT_HAVE_CLANG OFF)
if(MIGLINT_CLANG_VERSION)
  # Pin the version: a bare find_package(LLVM) may pick another installed major and mix them.
  find_package(Clang CONFIG QUIET NO_DEFAULT_PATH
               PATHS /usr/lib/llvm-${MIGLINT_CLANG_VERSION}/lib/cmake/clang)
  if(Clang_FOUND AND LLVM_VERSION_MAJOR EQUAL MIGLINT_CLANG_VERSION AND TARGET clang-cpp AND TARGET LLVM)
    set(MIGLINT_HAVE_CLANG ON)
    add_library(miglint::clang INTERFACE IMPORTED)
    target_include_directories(miglint::clang SYSTEM INTERFACE ${LLVM_INCLUDE_DIRS} ${CLANG_INCLUDE_DIRS})
    separate_arguments(MIGLINT_LLVM_DEFINITIONS UNIX_COMMAND "${LLVM_DEFINITIONS}")
    target_compile_options(miglint::clang INTERFACE ${MIGLINT_LLVM_DEFINITIONS})
    if(NOT LLVM_ENABLE_RTTI)
      target_compile_options(miglint::clang INTERFACE -fno-rtti)
    endif()
    target_link_libraries(miglint::clang INTERFACE clang-cpp LLVM)
    # Builtin headers (stddef.h...): a LibTooling binary looks beside itself, so say where they are.
    # Named by major only from 16 on (lib/clang/16), by full version before (lib/clang/15.0.6).
    execute_process(COMMAND "${LLVM_TOOLS_BINARY_DIR}/clang" -print-resource-dir
                    OUTPUT_VARIABLE MIGLINT_CLANG_RESOURCE_DIR OUTPUT_STRIP_TRAILING_WHITESPACE
                    RESULT_VARIABLE MIGLINT_CLANG_RESOURCE_DIR_STATUS ERROR_QUIET)
    if(NOT MIGLINT_CLANG_RESOURCE_DIR_STATUS EQUAL 0 OR NOT IS_DIRECTORY "${MIGLINT_CLANG_RESOURCE_DIR}")
      set(MIGLINT_CLANG_RESOURCE_DIR "${LLVM_LIBRARY_DIR}/clang/${LLVM_VERSION_MAJOR}")
      if(NOT IS_DIRECTORY "${MIGLINT_CLANG_RESOURCE_DIR}")
        set(MIGLINT_CLANG_RESOURCE_DIR "${LLVM_LIBRARY_DIR}/clang/${LLVM_PACKAGE_VERSION}")
      endif()
    endif()
    message(STATUS "C++ front end: Clang ${LLVM_PACKAGE_VERSION}, resource dir ${MIGLINT_CLANG_RESOURCE_DIR}")
  else()
    message(WARNING "Clang ${MIGLINT_CLANG_VERSION} not found (libclang-${MIGLINT_CLANG_VERSION}-dev "
                    "libclang-cpp${MIGLINT_CLANG_VERSION}-dev llvm-${MIGLINT_CLANG_VERSION}-dev): "
                    "miglint is built without its C++ front end")
  endif()
endif()
