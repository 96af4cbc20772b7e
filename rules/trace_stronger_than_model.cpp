#include "rules/rule_support.hpp"

namespace miglint {

// A rewrite or a lock stronger than the static lock model predicted, seen by `miglint trace`
// (runner/trace.cpp) on a real server: also a problem of miglint's model. The lint cannot know it: the rule
// has no check; its fixtures are traced by tests/trace_pg_test.cpp.
extern const Rule kTraceStrongerThanModel{
    .id = "trace-stronger-than-model",
    .severity = Severity::Warning,
    .summary =
        "The server took a stronger lock or rewrote a table where miglint's static lock model predicted less "
        "(`miglint trace`).",
    .tags = {"trace", "lock"},
    .check = nullptr,
};

}  // namespace miglint
