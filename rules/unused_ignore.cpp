#include "rules/rule_support.hpp"

namespace miglint {

// Reported by the lint driver: an ignore comment that names an unknown rule, or an enabled rule
// that it does not silence. Stale ignores hide the next real problem.
extern const Rule kUnusedIgnore{
    .id = kUnusedIgnoreRule,
    .severity = Severity::Warning,
    .summary = "An ignore comment that names an unknown rule or silences nothing.",
    .tags = {"hygiene"},
    .check = nullptr,
};

}  // namespace miglint
