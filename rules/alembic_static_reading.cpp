#include "rules/rule_support.hpp"

namespace miglint {

// Reported by the Alembic front end (analyzer/alembic/): one note per revision that needs a database to run
// (op.get_bind(), reading data), so that nothing is skipped silently.
extern const Rule kAlembicStaticReading{
    .id = "alembic-static-reading",
    .severity = Severity::Note,
    .summary = "An Alembic revision could not run offline and was read statically.",
    .tags = {"alembic"},
    .check = nullptr,
};

}  // namespace miglint
