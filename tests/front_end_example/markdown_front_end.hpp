#pragma once

// A front end for the tests only (tests/front_end_registration_test.cpp): a Markdown file's ```sql
// blocks, each one call, in autocommit. Registered in this folder's CMakeLists.txt, to a test
// registry: what a new front end needs is its folder and one add_subdirectory line.
#include "analyzer/frontend/front_end.hpp"

namespace miglint::markdown {

const FrontEnd& markdown_front_end();

}  // namespace miglint::markdown
