#include "rules/rule_support.hpp"

namespace miglint {

// Reported by the lint driver: a comment that looks like an ignore but is not one
// (`-- miglint-ignore: rule`, `-- MIGLINT-IGNORE rule`, a `-- miglint-ignore` naming no rule). It
// silences nothing, so the finding it was written for still shows; this says why.
extern const Rule kMalformedIgnore{
    .id = kMalformedIgnoreRule,
    .severity = Severity::Warning,
    .summary = "A comment that looks like an ignore comment but is malformed, so it silences nothing.",
    .tags = {"hygiene"},
    .check = nullptr,
};

}  // namespace miglint
