#include "rules/rule_support.hpp"

namespace miglint {

// A foreign key added by the migration whose referencing table has no index leading with its columns, seen in
// the catalog by `miglint trace` (runner/trace.cpp). The lint cannot know it: the rule has no check; its
// fixtures are traced by tests/trace_pg_test.cpp.
extern const Rule kTraceForeignKeyWithoutIndex{
    .id = "trace-foreign-key-without-index",
    .severity = Severity::Warning,
    .summary = "A new foreign key's referencing columns have no index (`miglint trace`).",
    .tags = {"trace", "index"},
    .check = nullptr,
};

}  // namespace miglint
