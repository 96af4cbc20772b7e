#pragma once

// Runs a helper program with a request on its standard input and collects both of its outputs:
// the Alembic front end's Python helper and `lint --stats-from`'s table-sizes helper (which keeps
// libpq out of the lint process) talk to their helpers this way.
#include <string>
#include <string_view>
#include <vector>

#include "analyzer/text/expected.hpp"

namespace miglint {

struct ChildOutput {
  std::string out;
  std::string err;
  int exit_status = 0;  // 128 + the signal's number when a signal ended it
};

// Starts `arguments[0]` (looked up on PATH when it has no slash) with `arguments`, writes `input`
// to its standard input and closes it, then reads standard output and error until both close.
// The helpers read all their input before they answer, so writing first cannot deadlock. The
// error says why the program could not be started (strerror's text: the caller names the
// program); a program that ran and failed is an output with its exit status.
Expected<ChildOutput> run_child(const std::vector<std::string>& arguments, std::string_view input);

}  // namespace miglint
