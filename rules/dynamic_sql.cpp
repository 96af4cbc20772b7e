#include "rules/rule_support.hpp"

namespace miglint {

// Reported by the C++ front end (analyzer/cpp/): a query function's SQL argument is built at run
// time, so no rule can check it. A note, once per call, rather than a guess at the SQL.
extern const Rule kDynamicSql{
    .id = "dynamic-sql",
    .severity = Severity::Note,
    .summary = "SQL passed to a query function in C++ is built at run time and cannot be checked.",
    .tags = {"cpp"},
    .check = nullptr,
};

}  // namespace miglint
