#pragma once

// A file's fixes: found for the findings of its lint that are not suppressed, and chosen to be
// applied together (the ones that overlap a chosen one wait for the next pass, which lints the
// changed file again). What `miglint lint --fix` / `--diff` (cli/fix_command.cpp) apply and print.
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "analyzer/engine/linter.hpp"
#include "fixes/fixer.hpp"

namespace miglint {

// Sets Finding::fix on every finding of `result` that is not suppressed and whose rule's fix
// applies to it. `source` is the SQL file `result` is the lint of.
void attach_fixes(const SourceFile& source, FileResult& result, const LintOptions& options,
                  const FixSettings& settings);

// The fixes of one file chosen to be applied together.
struct FileFixPlan {
  std::string path;
  std::string text;                     // the text they were found in (SourceFile::text())
  std::vector<TextEdit> edits;          // by position, not conflicting
  std::size_t fixed = 0;                // findings whose fix is in `edits`
  std::size_t waiting = 0;              // findings whose fix overlaps a chosen one or waits for a re-plan
  std::vector<std::string> follow_ups;  // SQL for a later migration (Fix::follow_up)
  std::size_t not_sql = 0;              // findings of fixable rules in a C++ or Alembic source: not fixed
};

// Chooses among the fixes attach_fixes set on `result`'s findings: first the fixes that may change
// the file's transactions (CONCURRENTLY), and when one is taken, nothing else (the other fixes
// are planned again on the changed file); otherwise every fix that overlaps no fix taken before it.
FileFixPlan choose_fixes(const SourceFile& source, const FileResult& result);

// `bytes` (the file as read, a UTF-8 byte-order mark included) with `edits` (of the text SourceFile
// made of those bytes) applied: an insertion at the start goes after the byte-order mark.
std::string apply_to_file_bytes(std::string_view bytes, std::span<const TextEdit> edits);

// Finds and chooses the fixes of each file while `lint_inputs` lints it: a FileReview around the
// one each file has, and the plans, by path, for whoever receives the results.
class FixCollector {
 public:
  explicit FixCollector(FixSettings settings) : settings_(std::move(settings)) {}
  // A review that runs `inner` (may be null) and then finds the file's fixes.
  std::shared_ptr<FileReview> review(std::shared_ptr<FileReview> inner);
  // The plan of the file at `path` (its display path), once linted; nullopt when it has no fixable
  // finding.
  std::optional<FileFixPlan> take(const std::string& path);

 private:
  class Review;
  FixSettings settings_;
  std::mutex mutex_;
  std::map<std::string, FileFixPlan> plans_;
};

}  // namespace miglint
