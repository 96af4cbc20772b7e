#pragma once

// The SQL front end: a .sql file is SQL as written (the identity), and so is any path no other
// front end claims (stdin, a file given by name).
#include "analyzer/frontend/front_end.hpp"

namespace miglint {

const FrontEnd& sql_front_end();

}  // namespace miglint
