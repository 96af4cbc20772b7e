#pragma once

// `miglint lint --fix` and `--diff`: passes of the lint that apply the chosen fixes of each file in
// memory (fixes/file_fixes.hpp) until a pass finds nothing more to fix, then the changed files
// written in place (atomically) or printed as a unified diff.
#include <functional>
#include <iosfwd>
#include <memory>

#include "analyzer/engine/linter.hpp"
#include "analyzer/project/input_source.hpp"
#include "fixes/fixer.hpp"

namespace miglint {

struct FixCommand {
  bool write = false;  // --fix: write the files; else --diff: print them
  unsigned jobs = 0;
  FixSettings settings;
  std::function<std::unique_ptr<InputSource>()> open_inputs;  // the lint's inputs, from the start
  SetupForPath setup_for;
};

// Runs the passes and writes or prints the result; a summary and notes go to `err`, diffs to `out`.
// Returns 2 on an error (a file that cannot be read back or written), else for --diff 1 when a
// file would change and 0 when none would, and for --fix 0 (the lint that follows decides).
int run_fixes(const FixCommand& command, std::ostream& out, std::ostream& err);

}  // namespace miglint
