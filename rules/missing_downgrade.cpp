#include "rules/rule_support.hpp"

namespace miglint {

// Reported by the Alembic front end (analyzer/alembic/): a revision that cannot be rolled back (a note: some
// teams never downgrade).
extern const Rule kMissingDowngrade{
    .id = "missing-downgrade",
    .severity = Severity::Note,
    .summary = "An Alembic revision's downgrade() is empty while its upgrade() changes the schema.",
    .tags = {"alembic"},
    .check = nullptr,
};

}  // namespace miglint
