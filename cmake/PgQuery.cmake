# libpg_query 17 (the PostgreSQL 17 grammar): PostgreSQL's own scanner and parser, linked from its
# static archive, and its pg_query.proto, from which the typed parse-tree views are generated
# (analyzer/sql/CMakeLists.txt). One grammar: the system package when it is 17 or newer (Debian 13's
# libpg-query-dev is 17-6.1.0), otherwise the same release built here from Debian's source tarball.
#
# Sets PG_QUERY_INCLUDE_DIR (pg_query.h, pg_query/pg_query.pb-c.h, pg_query/pg_query.proto,
# protobuf-c/protobuf-c.h) and the target pg_query::pg_query.
#
# The tarball is downloaded once into MIGLINT_DOWNLOAD_DIR (environment or cache variable; by
# default a folder of the build tree) and its SHA-256 checked before use; a tarball already there
# with the right hash is not downloaded again. MIGLINT_PG_QUERY_TARBALL (environment or cache
# variable) names a tarball downloaded beforehand, for a machine without network access.

set(MIGLINT_PG_QUERY_MIN_VERSION_NUM 170000)
set(MIGLINT_PG_QUERY_RELEASE "17-6.1.0")
set(MIGLINT_PG_QUERY_URL
    "http://deb.debian.org/debian/pool/main/libp/libpg-query/libpg-query_${MIGLINT_PG_QUERY_RELEASE}.orig.tar.gz")
set(MIGLINT_PG_QUERY_SHA256 "a3dc0e4084a23da35128d4e9809ff27241c29a44fde74ba40a378b33d2cdefe2")

# PG_VERSION_NUM of a pg_query.h (0 when it has none).
function(miglint_pg_query_version_num header out_var)
  set(version_num 0)
  if(EXISTS "${header}")
    file(STRINGS "${header}" version_line REGEX "^#define PG_VERSION_NUM [0-9]+")
    if(version_line MATCHES "PG_VERSION_NUM ([0-9]+)")
      set(version_num "${CMAKE_MATCH_1}")
    endif()
  endif()
  set(${out_var} "${version_num}" PARENT_SCOPE)
endfunction()

# The system package: used when its header says PostgreSQL 17 or newer and the protobuf header and
# schema are installed beside it.
find_path(MIGLINT_SYSTEM_PG_QUERY_INCLUDE_DIR pg_query.h)
find_library(MIGLINT_SYSTEM_PG_QUERY_LIBRARY NAMES libpg_query.a pg_query)
set(MIGLINT_SYSTEM_PG_QUERY_VERSION_NUM 0)
if(MIGLINT_SYSTEM_PG_QUERY_INCLUDE_DIR AND MIGLINT_SYSTEM_PG_QUERY_LIBRARY
   AND EXISTS "${MIGLINT_SYSTEM_PG_QUERY_INCLUDE_DIR}/pg_query/pg_query.proto"
   AND EXISTS "${MIGLINT_SYSTEM_PG_QUERY_INCLUDE_DIR}/pg_query/pg_query.pb-c.h")
  miglint_pg_query_version_num("${MIGLINT_SYSTEM_PG_QUERY_INCLUDE_DIR}/pg_query.h"
                               MIGLINT_SYSTEM_PG_QUERY_VERSION_NUM)
endif()

add_library(miglint_pg_query INTERFACE)
add_library(pg_query::pg_query ALIAS miglint_pg_query)

if(MIGLINT_SYSTEM_PG_QUERY_VERSION_NUM GREATER_EQUAL MIGLINT_PG_QUERY_MIN_VERSION_NUM)
  set(PG_QUERY_INCLUDE_DIR "${MIGLINT_SYSTEM_PG_QUERY_INCLUDE_DIR}")
  set(MIGLINT_PG_QUERY_LIBRARY "${MIGLINT_SYSTEM_PG_QUERY_LIBRARY}")
  message(STATUS "libpg_query: the system package (PG_VERSION_NUM ${MIGLINT_SYSTEM_PG_QUERY_VERSION_NUM})")
else()
  if(MIGLINT_SYSTEM_PG_QUERY_VERSION_NUM GREATER 0)
    message(STATUS "libpg_query: the system package is PG_VERSION_NUM ${MIGLINT_SYSTEM_PG_QUERY_VERSION_NUM}, "
                   "older than 17: building ${MIGLINT_PG_QUERY_RELEASE} from Debian's source tarball")
  endif()
  # MIGLINT_DOWNLOAD_DIR: cmake/Downloads.cmake.
  if(NOT DEFINED MIGLINT_PG_QUERY_TARBALL AND DEFINED ENV{MIGLINT_PG_QUERY_TARBALL})
    set(MIGLINT_PG_QUERY_TARBALL "$ENV{MIGLINT_PG_QUERY_TARBALL}")
  endif()
  set(pg_query_url "${MIGLINT_PG_QUERY_URL}")
  if(MIGLINT_PG_QUERY_TARBALL)
    get_filename_component(pg_query_url "${MIGLINT_PG_QUERY_TARBALL}" ABSOLUTE)
    if(NOT EXISTS "${pg_query_url}")
      message(FATAL_ERROR "MIGLINT_PG_QUERY_TARBALL: ${pg_query_url} does not exist")
    endif()
  endif()

  include(FetchContent)
  # The hash is checked on every download and on a tarball already in the download folder.
  FetchContent_Declare(libpg_query
    URL "${pg_query_url}"
    URL_HASH "SHA256=${MIGLINT_PG_QUERY_SHA256}"
    DOWNLOAD_DIR "${MIGLINT_DOWNLOAD_DIR}"
    DOWNLOAD_NAME "libpg-query_${MIGLINT_PG_QUERY_RELEASE}.orig.tar.gz"
    DOWNLOAD_EXTRACT_TIMESTAMP TRUE)
  FetchContent_GetProperties(libpg_query)
  if(NOT libpg_query_POPULATED)
    message(STATUS "libpg_query: ${MIGLINT_PG_QUERY_RELEASE} from ${pg_query_url}")
    FetchContent_Populate(libpg_query)
  endif()
  set(pg_query_source "${libpg_query_SOURCE_DIR}")
  miglint_pg_query_version_num("${pg_query_source}/pg_query.h" pg_query_version_num)
  if(pg_query_version_num LESS MIGLINT_PG_QUERY_MIN_VERSION_NUM)
    message(FATAL_ERROR "libpg_query: ${pg_query_source}/pg_query.h is not PostgreSQL 17 (${pg_query_version_num})")
  endif()

  # The headers laid out as the package installs them (pg_query.h, pg_query/, protobuf-c/).
  set(PG_QUERY_INCLUDE_DIR "${PROJECT_BINARY_DIR}/pg_query-include")
  file(COPY "${pg_query_source}/pg_query.h" DESTINATION "${PG_QUERY_INCLUDE_DIR}")
  file(COPY "${pg_query_source}/protobuf/pg_query.pb-c.h" "${pg_query_source}/protobuf/pg_query.proto"
       DESTINATION "${PG_QUERY_INCLUDE_DIR}/pg_query")
  file(COPY "${pg_query_source}/vendor/protobuf-c/protobuf-c.h" DESTINATION "${PG_QUERY_INCLUDE_DIR}/protobuf-c")

  # libpg_query's own Makefile (`make build`, about 25 s on two cores), run once: the archive is
  # the command's output, so a rebuild of miglint does not touch it. Through the C compiler
  # launcher (ccache) when there is one, so another build directory or a CI re-run reuses the objects.
  set(MIGLINT_PG_QUERY_LIBRARY "${pg_query_source}/libpg_query.a")
  set(pg_query_cc "${CMAKE_C_COMPILER}")
  if(CMAKE_C_COMPILER_LAUNCHER)
    list(JOIN CMAKE_C_COMPILER_LAUNCHER " " pg_query_launcher)
    set(pg_query_cc "${pg_query_launcher} ${CMAKE_C_COMPILER}")
  endif()
  include(ProcessorCount)
  ProcessorCount(pg_query_jobs)
  if(pg_query_jobs EQUAL 0)
    set(pg_query_jobs 1)
  endif()
  find_program(MIGLINT_MAKE NAMES gmake make REQUIRED)
  add_custom_command(
    OUTPUT "${MIGLINT_PG_QUERY_LIBRARY}"
    COMMAND "${MIGLINT_MAKE}" -C "${pg_query_source}" -j${pg_query_jobs} "CC=${pg_query_cc}" build
    COMMENT "Building libpg_query ${MIGLINT_PG_QUERY_RELEASE} (libpg_query.a)"
    VERBATIM)
  add_custom_target(miglint_pg_query_build DEPENDS "${MIGLINT_PG_QUERY_LIBRARY}")
  add_dependencies(miglint_pg_query miglint_pg_query_build)
endif()

target_include_directories(miglint_pg_query SYSTEM INTERFACE "${PG_QUERY_INCLUDE_DIR}")
target_link_libraries(miglint_pg_query INTERFACE "${MIGLINT_PG_QUERY_LIBRARY}")
