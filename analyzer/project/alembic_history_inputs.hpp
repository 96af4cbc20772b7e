#pragma once

// The earlier revisions of an Alembic revision named alone (analyzer/project/discover.cpp).
#include "analyzer/project/discover.hpp"

namespace miglint {

// Adds, for every reported Alembic revision file, the revisions before it in its project's revision
// graph as inputs read for schema facts only: a revision named alone (pre-commit passes the staged
// files) lints as it does in a whole-project lint.
void add_alembic_history(DiscoveredInputs& discovered);

}  // namespace miglint
