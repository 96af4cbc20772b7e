#include "rules/rule_support.hpp"

namespace miglint {

// Reported by the Alembic front end (analyzer/alembic/): a down_revision that names no revision file of the
// project breaks the graph.
extern const Rule kAlembicBrokenChain{
    .id = "alembic-broken-chain",
    .severity = Severity::Error,
    .summary = "An Alembic revision's down_revision names no revision of the project.",
    .tags = {"alembic"},
    .check = nullptr,
};

}  // namespace miglint
