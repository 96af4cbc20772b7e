#include "rules/rule_support.hpp"

namespace miglint {

// Reported by the Alembic front end (analyzer/alembic/): the revision graph of the project has more than one
// head, and this revision is one after the first.
extern const Rule kAlembicMultipleHeads{
    .id = "alembic-multiple-heads",
    .severity = Severity::Error,
    .summary = "Two Alembic revisions revise the same parent and no merge revision joins them.",
    .tags = {"alembic"},
    .check = nullptr,
};

}  // namespace miglint
