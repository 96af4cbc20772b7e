#pragma once

// The Python side of the Alembic front end: which interpreter runs it, where the helper script
// (miglint_alembic.py, installed beside miglint) is, and one run of it over a whole project (one
// process per project, never one per revision), JSON in and out.
#include <string>
#include <vector>

#include "analyzer/text/expected.hpp"

namespace miglint::alembic {

// Interpreters to try, in order: `configured` (--python, `[alembic] python`), $MIGLINT_PYTHON, the
// active virtualenv ($VIRTUAL_ENV), the project's `.venv/` or `venv/`, then `python3` from PATH.
// `explicit_choice` is set when the first came from the user (no other is then tried).
struct InterpreterChoice {
  std::vector<std::string> candidates;
  bool explicit_choice = false;
};
InterpreterChoice interpreter_candidates(const std::string& configured, const std::string& project_root);

// The helper script: $MIGLINT_ALEMBIC_HELPER, beside the executable, in the install's
// share/miglint relative to the executable, or (builds with tests) the source tree's copy.
Expected<std::string> helper_script();

// Runs `interpreter helper` with `request` on stdin; its stdout, or why it could not run (the
// interpreter does not exist, it died). Standard error is kept for the message of a failure.
struct HelperOutput {
  std::string out;
  std::string err;
  int exit_status = 0;
};
Expected<HelperOutput> run_helper(const std::string& interpreter, const std::string& helper,
                                  const std::string& request);

}  // namespace miglint::alembic
