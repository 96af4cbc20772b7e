# MIGLINT_DOWNLOAD_DIR: where the source tarballs the build takes from Debian's archive (libpg_query 17,
# cmake/PgQuery.cmake; simdjson's implementation, cmake/Simdjson.cmake) are downloaded once and kept.
# The environment variable or the cache variable; by default a folder of the build tree. ci/build
# points it at ~/.cache/miglint/downloads, so that new build trees and CI re-runs do not download again.
if(NOT DEFINED MIGLINT_DOWNLOAD_DIR)
  if(DEFINED ENV{MIGLINT_DOWNLOAD_DIR} AND NOT "$ENV{MIGLINT_DOWNLOAD_DIR}" STREQUAL "")
    set(MIGLINT_DOWNLOAD_DIR "$ENV{MIGLINT_DOWNLOAD_DIR}")
  else()
    set(MIGLINT_DOWNLOAD_DIR "${PROJECT_BINARY_DIR}/downloads")
  endif()
endif()
set(MIGLINT_DOWNLOAD_DIR "${MIGLINT_DOWNLOAD_DIR}" CACHE PATH
    "Where source tarballs the build needs are downloaded once and kept")
