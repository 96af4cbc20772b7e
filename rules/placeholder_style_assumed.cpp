#include "rules/rule_support.hpp"

namespace miglint {

// Reported by the C++ front end (analyzer/frontend/embedded_sql.cpp): a query function's SQL is
// followed by format arguments and holds `{}` or `%s`, and no placeholder style is configured for
// the function, so the SQL was read as a format string. A note, once per file, so that the guess is
// visible and can be made certain in miglint.toml.
extern const Rule kPlaceholderStyleAssumed{
    .id = "placeholder-style-assumed",
    .severity = Severity::Note,
    .summary =
        "SQL passed with format arguments in C++ was read as a format string ({} or %s) without "
        "configuration.",
    .tags = {"cpp"},
    .check = nullptr,
};

}  // namespace miglint
