#include "rules/rule_support.hpp"

namespace miglint {

// Reported by the lint driver: a statement PostgreSQL's grammar rejects. Cannot be switched off.
extern const Rule kSyntaxError{
    .id = kSyntaxErrorRule,
    .severity = Severity::Error,
    .summary = "A statement that PostgreSQL cannot parse.",
    .tags = {"correctness"},
    .check = nullptr,
    .can_disable = false,
};

}  // namespace miglint
