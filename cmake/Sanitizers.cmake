# Sanitizer builds (ci/test --sanitize, ci/test --sanitize=thread): -DMIGLINT_SANITIZE=address,undefined
# or -DMIGLINT_SANITIZE=thread instruments every project target -- and only those: the flags travel on
# the miglint_sanitizers INTERFACE target, which miglint_warnings (linked PRIVATE by each of our
# targets) carries, so third-party code and CMake's own checks see no global flags.
#
# Compiler: the project's own, g++ 12 with its libasan/libubsan/libtsan. Those runtimes are shared
# libraries, so the executables and the C++ front end (miglint-cpp-front-end) use the same runtime,
# and libclang-cpp16/libLLVM (built with g++ and libstdc++, -fno-rtti) and libpg_query, which are not
# instrumented, simply allocate through its malloc/new. (clang-16 would work as well but builds the
# objects a second way the normal build never takes, and g++ is what CI compiles with.)
set(MIGLINT_SANITIZE "" CACHE STRING
    "Sanitizers for the project's targets: empty, address,undefined (ASan+UBSan) or thread (TSan)")

add_library(miglint_sanitizers INTERFACE)
if(MIGLINT_SANITIZE)
  string(REPLACE "," ";" miglint_sanitizer_list "${MIGLINT_SANITIZE}")
  foreach(sanitizer IN LISTS miglint_sanitizer_list)
    if(NOT sanitizer MATCHES "^(address|undefined|thread)$")
      message(FATAL_ERROR "MIGLINT_SANITIZE: unknown sanitizer '${sanitizer}' (address, undefined, thread)")
    endif()
  endforeach()
  if("address" IN_LIST miglint_sanitizer_list AND "thread" IN_LIST miglint_sanitizer_list)
    message(FATAL_ERROR "MIGLINT_SANITIZE: address and thread cannot be combined (two builds)")
  endif()
  if(NOT CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
    message(FATAL_ERROR "MIGLINT_SANITIZE needs g++ or clang++")
  endif()
  # Any sanitizer report ends the process with an error, so that a test cannot pass over one;
  # frame pointers give whole stack traces in the reports.
  set(miglint_sanitizer_flags -fsanitize=${MIGLINT_SANITIZE} -fno-sanitize-recover=all -fno-omit-frame-pointer)
  target_compile_options(miglint_sanitizers INTERFACE ${miglint_sanitizer_flags})
  target_link_options(miglint_sanitizers INTERFACE ${miglint_sanitizer_flags})
  message(STATUS "Sanitizers: ${MIGLINT_SANITIZE}")
endif()
target_link_libraries(miglint_warnings INTERFACE miglint_sanitizers)
