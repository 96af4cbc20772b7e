# Front ends register themselves: each front end's own CMakeLists.txt calls
# miglint_register_front_end() for its library, and a registry library (miglint_front_ends, made in
# analyzer/CMakeLists.txt after every front end's folder) is generated from the list at configure
# time. Adding a front end is its folder and its add_subdirectory() line; nothing else names it.
# (analyzer/frontend/README.md, "Adding a front end".)

# miglint_register_front_end(TARGET lib HEADER file FRONT_END expr [CONFIG_TABLE expr] [REGISTRY name])
#   TARGET        the front end's library (linked into the registry)
#   HEADER        its header declaring the two functions below, relative to the calling folder
#   FRONT_END     a C++ expression for its `const FrontEnd&`, quoted ("cpp::cpp_front_end()")
#   CONFIG_TABLE  a C++ expression for the ConfigTable of its miglint.toml table, if it has one
#   REGISTRY      the registry it joins (default miglint_front_ends, the one the programs link); the
#                 tests make registries of their own
# Front ends are asked in registration order (the order of the add_subdirectory lines); a path no
# front end claims is SQL.
function(miglint_register_front_end)
  cmake_parse_arguments(PARSE_ARGV 0 arg "" "TARGET;HEADER;FRONT_END;CONFIG_TABLE;REGISTRY" "")
  if(arg_UNPARSED_ARGUMENTS OR NOT arg_TARGET OR NOT arg_HEADER OR NOT arg_FRONT_END)
    message(FATAL_ERROR "miglint_register_front_end(TARGET lib HEADER file FRONT_END expr "
                        "[CONFIG_TABLE expr] [REGISTRY name]): got ${ARGV}")
  endif()
  if(NOT TARGET ${arg_TARGET})
    message(FATAL_ERROR "miglint_register_front_end: ${arg_TARGET} is not a target (define it first)")
  endif()
  if(NOT arg_REGISTRY)
    set(arg_REGISTRY miglint_front_ends)
  endif()
  if(TARGET ${arg_REGISTRY})
    message(FATAL_ERROR "miglint_register_front_end: the registry ${arg_REGISTRY} was already generated; "
                        "register ${arg_TARGET} before miglint_add_front_end_registry(${arg_REGISTRY})")
  endif()
  file(RELATIVE_PATH header "${PROJECT_SOURCE_DIR}" "${CMAKE_CURRENT_SOURCE_DIR}/${arg_HEADER}")
  set_target_properties(${arg_TARGET} PROPERTIES
    MIGLINT_FRONT_END_HEADER "${header}"
    MIGLINT_FRONT_END_EXPRESSION "${arg_FRONT_END}"
    MIGLINT_FRONT_END_CONFIG_TABLE "${arg_CONFIG_TABLE}")
  set_property(GLOBAL APPEND PROPERTY MIGLINT_FRONT_ENDS_OF_${arg_REGISTRY} ${arg_TARGET})
endfunction()

# miglint_add_front_end_registry(name [REGISTRIES name...])
#   A static library `name` defining registered_front_ends() and front_end_config_tables()
#   (analyzer/front_ends.cpp) over the front ends registered to `name` (or to each of REGISTRIES, in
#   that order): front_end_registrations() is generated into the build tree. A program links one
#   registry.
function(miglint_add_front_end_registry name)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "" "REGISTRIES")
  if(arg_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "miglint_add_front_end_registry(name [REGISTRIES name...]): got ${ARGV}")
  endif()
  if(NOT arg_REGISTRIES)
    set(arg_REGISTRIES ${name})
  endif()
  set(front_ends "")
  foreach(registry IN LISTS arg_REGISTRIES)
    get_property(registered GLOBAL PROPERTY MIGLINT_FRONT_ENDS_OF_${registry})
    list(APPEND front_ends ${registered})
  endforeach()
  set(includes "")
  set(entries "")
  foreach(front_end IN LISTS front_ends)
    get_target_property(header ${front_end} MIGLINT_FRONT_END_HEADER)
    get_target_property(expression ${front_end} MIGLINT_FRONT_END_EXPRESSION)
    get_target_property(config_table ${front_end} MIGLINT_FRONT_END_CONFIG_TABLE)
    if(NOT config_table)
      set(config_table "std::nullopt")
    endif()
    string(APPEND includes "#include \"${header}\"\n")
    string(APPEND entries "      {&${expression}, ${config_table}},  // ${front_end}\n")
  endforeach()
  set(generated "${PROJECT_BINARY_DIR}/generated/front_ends/${name}.cpp")
  # Written only when it changes (file(CONFIGURE)), so that a reconfigure rebuilds nothing.
  file(CONFIGURE OUTPUT "${generated}" @ONLY CONTENT [=[
// Generated at configure time by cmake/FrontEnds.cmake from the front ends registered with
// miglint_register_front_end() (in their folders' CMakeLists.txt): do not edit.
#include "analyzer/front_ends.hpp"

@includes@
namespace miglint {

const std::vector<FrontEndRegistration>& front_end_registrations() {
  static const std::vector<FrontEndRegistration> kRegistrations{
@entries@  };
  return kRegistrations;
}

}  // namespace miglint
]=])
  add_library(${name} STATIC "${PROJECT_SOURCE_DIR}/analyzer/front_ends.cpp" "${generated}")
  target_link_libraries(${name} PUBLIC miglint_frontend miglint_project ${front_ends} PRIVATE miglint_warnings)
endfunction()
