#pragma once

#include <string>

namespace miglint::runner {

// Why a database URL or key=value connection string cannot be used, without quoting any of it (a
// malformed string's password is exactly the part a parser's message would echo), or "" when
// libpq can read it. `source` names where it came from: "--db", "MIGLINT_DATABASE_URL", ...
// Checked before anything connects, so that no message ever shows a string libpq could not parse:
//   cannot parse the database URL from --db: invalid percent-encoding in the password
std::string connection_string_problem(const std::string& text, const std::string& source);

}  // namespace miglint::runner
