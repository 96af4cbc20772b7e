# Project warnings as an INTERFACE target, linked PRIVATE by each of our targets (no global flags).
add_library(miglint_warnings INTERFACE)
target_compile_options(miglint_warnings INTERFACE
  $<$<CXX_COMPILER_ID:GNU,Clang>:-Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast>)
