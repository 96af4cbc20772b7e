#include "rules/rule_support.hpp"

namespace miglint {

// Reported by the lint driver: valid PostgreSQL 18+ syntax that the PostgreSQL 17 grammar of
// libpg_query cannot read, so the statement was not checked.
extern const Rule kUnsupportedSyntax{
    .id = kUnsupportedSyntaxRule,
    .severity = Severity::Note,
    .summary =
        "Valid newer PostgreSQL syntax that the PostgreSQL 17 grammar cannot parse; the statement is not "
        "checked.",
    .tags = {"coverage"},
    .check = nullptr,
};

}  // namespace miglint
