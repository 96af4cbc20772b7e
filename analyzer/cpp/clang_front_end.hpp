#pragma once

// The Clang side of the C++ front end (clang_front_end.cpp), as front_end_main.cpp serves it.
#include "analyzer/cpp/front_end.hpp"

namespace miglint::cpp {

// The calls of query functions in the request's file and their SQL, read with Clang.
CppExtraction extract_with_clang(const CppExtractRequest& request);

// The version of Clang this front end was built with ("16.0.6").
const char* clang_version();

}  // namespace miglint::cpp
