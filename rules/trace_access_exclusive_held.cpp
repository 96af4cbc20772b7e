#include "rules/rule_support.hpp"

namespace miglint {

// An ACCESS EXCLUSIVE lock on a table that existed before the transaction, held while later statements of the
// same transaction ran, seen by `miglint trace` (runner/trace.cpp). The lint cannot know it: the rule has no
// check; its fixtures are traced by tests/trace_pg_test.cpp.
extern const Rule kTraceAccessExclusiveHeld{
    .id = "trace-access-exclusive-held",
    .severity = Severity::Warning,
    .summary =
        "An ACCESS EXCLUSIVE lock on an existing table was held across later statements of the transaction "
        "(`miglint trace`).",
    .tags = {"trace", "transaction"},
    .check = nullptr,
};

}  // namespace miglint
