# simdjson (libsimdjson-dev): decoding libpg_query's JSON parse tree. Defines miglint::simdjson and
# MIGLINT_SIMDJSON_STATIC (TRUE when it is linked statically).
#
# Debian ships simdjson's header and a shared library, but no static archive. A shared libsimdjson
# needs the C++ runtime as a shared library too, and loading the two costs a one-file lint about 45
# page faults (libstdc++'s relocations most of them), a fifth of what separated it from an empty
# program here (README, "Start-up: one small file"). So the build compiles simdjson's one-file
# implementation (singleheader/simdjson.cpp) from Debian's source tarball of the installed release,
# checked by SHA-256 and against the installed header, into a static library, and `miglint` then links
# the C++ runtime statically as well. The tarball is downloaded once into MIGLINT_DOWNLOAD_DIR
# (cmake/Downloads.cmake; put it there by hand on a machine without network access). When it cannot be had, or with
# -DMIGLINT_STATIC_SIMDJSON=OFF, the shared library is used as before: a slower start, nothing else.
find_package(simdjson REQUIRED)
option(MIGLINT_STATIC_SIMDJSON
       "Compile simdjson from Debian's source tarball of the installed release and link it statically" ON)

# The releases whose tarball is known: Debian 12's libsimdjson-dev.
set(_simdjson_known_version "3.0.1")
set(_simdjson_sha256 "156b1bc5eb0561b2bd166b46d191fd3d95a3e709cc63761477d3b7aec2b6e9ed")
set(_simdjson_url "http://deb.debian.org/debian/pool/main/s/simdjson/simdjson_3.0.1.orig.tar.gz")

set(MIGLINT_SIMDJSON_STATIC FALSE)
if(MIGLINT_STATIC_SIMDJSON AND NOT simdjson_VERSION VERSION_EQUAL _simdjson_known_version)
  message(STATUS "simdjson ${simdjson_VERSION}: no known source tarball, linking the shared library")
elseif(MIGLINT_STATIC_SIMDJSON)
  set(_tarball "${MIGLINT_DOWNLOAD_DIR}/simdjson_${_simdjson_known_version}.orig.tar.gz")
  set(_have_tarball FALSE)
  if(EXISTS "${_tarball}")
    file(SHA256 "${_tarball}" _actual)
    if(_actual STREQUAL _simdjson_sha256)
      set(_have_tarball TRUE)
    else()
      message(WARNING "${_tarball} has SHA-256 ${_actual}, not ${_simdjson_sha256}: downloading it again")
      file(REMOVE "${_tarball}")
    endif()
  endif()
  if(NOT _have_tarball)
    message(STATUS "Downloading ${_simdjson_url}")
    file(DOWNLOAD "${_simdjson_url}" "${_tarball}.part" EXPECTED_HASH SHA256=${_simdjson_sha256}
         TIMEOUT 120 INACTIVITY_TIMEOUT 30 STATUS _status)
    list(GET _status 0 _code)
    if(_code EQUAL 0)
      file(RENAME "${_tarball}.part" "${_tarball}")
      set(_have_tarball TRUE)
    else()
      file(REMOVE "${_tarball}.part")
      list(GET _status 1 _why)
      message(WARNING "simdjson's source tarball could not be downloaded (${_why}): linking the shared "
                      "libsimdjson, which makes every start about 2 ms slower. Put "
                      "simdjson_${_simdjson_known_version}.orig.tar.gz (${_simdjson_url}) into "
                      "${MIGLINT_DOWNLOAD_DIR} to use the static build.")
    endif()
  endif()
  if(_have_tarball)
    set(_source_dir "${CMAKE_BINARY_DIR}/simdjson-${_simdjson_known_version}")
    set(_implementation "${_source_dir}/simdjson-${_simdjson_known_version}/singleheader/simdjson.cpp")
    set(_header "${_source_dir}/simdjson-${_simdjson_known_version}/singleheader/simdjson.h")
    if(NOT EXISTS "${_implementation}")
      file(ARCHIVE_EXTRACT INPUT "${_tarball}" DESTINATION "${_source_dir}"
           PATTERNS "simdjson-${_simdjson_known_version}/singleheader/*")
    endif()
    # miglint's sources compile against the installed header: the implementation must be its twin.
    get_target_property(_installed_include simdjson::simdjson INTERFACE_INCLUDE_DIRECTORIES)
    set(_installed_header "${_installed_include}/simdjson.h")
    file(SHA256 "${_header}" _tarball_header)
    file(SHA256 "${_installed_header}" _system_header)
    if(NOT _tarball_header STREQUAL _system_header)
      message(WARNING "the tarball's simdjson.h differs from ${_installed_header}: linking the shared libsimdjson")
    else()
      add_library(miglint_simdjson STATIC "${_implementation}")
      target_compile_definitions(miglint_simdjson PUBLIC SIMDJSON_THREADS_ENABLED=1)
      target_compile_features(miglint_simdjson PUBLIC cxx_std_17)
      target_link_libraries(miglint_simdjson PUBLIC Threads::Threads)
      # Third-party code: compiled as its authors ship it, without the project's warnings.
      target_compile_options(miglint_simdjson PRIVATE -w)
      set_target_properties(miglint_simdjson PROPERTIES POSITION_INDEPENDENT_CODE ON)
      add_library(miglint::simdjson ALIAS miglint_simdjson)
      set(MIGLINT_SIMDJSON_STATIC TRUE)
      message(STATUS "simdjson ${simdjson_VERSION}: compiled from ${_tarball}, linked statically")
    endif()
  endif()
endif()
if(NOT MIGLINT_SIMDJSON_STATIC)
  add_library(miglint::simdjson INTERFACE IMPORTED)
  target_link_libraries(miglint::simdjson INTERFACE simdjson::simdjson)
endif()
