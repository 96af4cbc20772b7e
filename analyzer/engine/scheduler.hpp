#pragma once

// Linting many files in parallel while results come out in input order: workers pull inputs one at
// a time, in order, and stay within a window ahead of the emission, so that memory depends on the
// files in flight, not on how many there are.
#include <cstddef>
#include <functional>

#include "analyzer/engine/linter.hpp"
#include "analyzer/model/schema.hpp"
#include "analyzer/project/input_source.hpp"

namespace miglint {

using LintOneInput = std::function<FileResult(const LintInput& input, std::size_t index)>;

// Runs `lint_one` on every input of `input_source` on `jobs` threads (0: one per core; the calling
// thread is one of them); `emit` receives each result in input order, as soon as it and every
// result before it are ready. Each input joins its migration set in `history` as it is pulled, and
// the sets end as the source says.
void schedule_in_order(InputSource& input_source, unsigned jobs, SchemaHistory& history,
                       const LintOneInput& lint_one, const std::function<void(FileResult&&)>& emit);

// Whether the memory a finished migration set freed is handed back to the system (malloc_trim),
// process-wide; on by default. The language server turns it off: it lints one small set per
// keystroke, and trimming after each was a quarter of its time (its memory stays flat without).
void set_trim_memory_after_sets(bool trim);

}  // namespace miglint
