#include "analyzer/sql/backfill_statement.hpp"
#include "rules/rule_support.hpp"

namespace miglint {

// Reported by the lint driver (analyzer/engine/backfill_findings.cpp): a `-- miglint-backfill`
// directive that `miglint run` cannot honour, so that it refuses the file rather than run the
// statement unbatched. The comment is malformed or batches no UPDATE/DELETE; the statement cannot be
// batched by its key (UPDATE ... FROM, RETURNING, WITH, WHERE CURRENT OF, a SET of the key); or a
// statement that is not a backfill follows one.
extern const Rule kMalformedBackfill{
    .id = kMalformedBackfillRule,
    .severity = Severity::Error,
    .summary =
        "A `-- miglint-backfill` directive that is malformed, batches nothing, or that `miglint run` "
        "cannot execute as written.",
    .tags = {"hygiene"},
    .check = nullptr,
};

}  // namespace miglint
