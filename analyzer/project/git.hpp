#pragma once

#include <string>
#include <vector>

#include "analyzer/text/expected.hpp"

namespace miglint {

// Runs `git` with these arguments (no shell: each argument reaches git as it is, whatever quotes or
// spaces it holds), in the current directory, with git's standard error discarded. Returns git's
// standard output, or an error when git cannot be started or exits with a non-zero status.
Expected<std::string> run_git(const std::vector<std::string>& arguments);

}  // namespace miglint
