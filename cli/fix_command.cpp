#include "cli/fix_command.hpp"

#include <fmt/format.h>

#include <map>
#include <ostream>
#include <vector>

#include "analyzer/text/atomic_write.hpp"
#include "analyzer/text/message_text.hpp"
#include "analyzer/text/unified_diff.hpp"
#include "fixes/file_fixes.hpp"

namespace miglint {

namespace {

// A pass after the first lints the files as the passes before it left them: their fixed text
// replaces what is on disk (nothing is written before the last pass).
class FixedInputSource final : public InputSource {
 public:
  FixedInputSource(std::unique_ptr<InputSource> inner, const std::map<std::string, std::string>& fixed,
                   std::map<std::string, std::string>& filesystem_paths)
      : inner_(std::move(inner)), fixed_(fixed), filesystem_paths_(filesystem_paths) {}
  std::optional<LintInput> next(std::vector<std::string>& finished_sets) override {
    std::optional<LintInput> input = inner_->next(finished_sets);
    if (input) {
      filesystem_paths_[input->display_path] = input->filesystem_path;
      auto it = fixed_.find(input->display_path);
      if (it != fixed_.end()) {
        input->contents = it->second;
      }
    }
    return input;
  }
  std::optional<std::size_t> size_hint() const override { return inner_->size_hint(); }
  const std::vector<InputError>& errors() const override { return inner_->errors(); }
  const std::vector<InputError>& skipped() const override { return inner_->skipped(); }

 private:
  std::unique_ptr<InputSource> inner_;
  const std::map<std::string, std::string>& fixed_;
  std::map<std::string, std::string>& filesystem_paths_;
};

// The text SourceFile makes of a file's bytes (a byte-order mark as three blanks).
std::string as_source_text(std::string_view bytes) {
  std::string text(bytes);
  if (text.starts_with("\xEF\xBB\xBF")) {
    text.replace(0, 3, "   ");
  }
  return text;
}

// Passes are bounded: each applies at least one fix, and a fix never brings back one of its own
// rule's findings, so a few suffice (CONCURRENTLY first, then the rest, then what overlapped).
constexpr int kMaxPasses = 8;

}  // namespace

int run_fixes(const FixCommand& command, std::ostream& out, std::ostream& err) {
  std::map<std::string, std::string> original;  // display path → bytes before any fix
  std::map<std::string, std::string> fixed;     // display path → bytes after the passes so far
  std::map<std::string, std::string> filesystem_paths;
  std::vector<std::string> order;  // paths in the order first fixed
  std::vector<std::string> errors;
  std::vector<std::string> notes;
  std::size_t fixes_applied = 0;
  std::size_t waiting = 0;
  std::size_t not_sql = 0;
  int pass = 0;
  for (; pass < kMaxPasses; ++pass) {
    FixCollector collector(command.settings);
    std::size_t applied_this_pass = 0;
    waiting = 0;
    SetupForPath setup_for = [&](const std::string& path) {
      FileSetup setup = command.setup_for(path);
      setup.review = collector.review(std::move(setup.review));
      return setup;
    };
    std::unique_ptr<InputSource> opened = command.open_inputs();
    if (!opened) {
      return 2;  // the inputs could not be listed (said already)
    }
    FixedInputSource inputs(std::move(opened), fixed, filesystem_paths);
    lint_inputs(inputs, command.jobs, setup_for, [&](FileResult&& result) {
      std::optional<FileFixPlan> plan = collector.take(result.path);
      if (!plan) {
        return;
      }
      if (pass == 0) {
        not_sql += plan->not_sql;
      }
      waiting += plan->waiting;
      if (plan->edits.empty()) {
        return;
      }
      std::string bytes;
      if (auto it = fixed.find(result.path); it != fixed.end()) {
        bytes = it->second;
      } else {
        auto path = filesystem_paths.find(result.path);
        Expected<std::string> read =
            read_file_bytes(path != filesystem_paths.end() ? path->second : result.path, kLargestMaxFileSize);
        if (!read) {
          errors.push_back(fmt::format("{}: cannot read it back to fix it: {}",
                                       escape_for_message(result.path),
                                       escape_for_message(read.error().message)));
          return;
        }
        bytes = std::move(*read);
        if (as_source_text(bytes) != plan->text) {
          errors.push_back(fmt::format("{}: changed while it was being fixed; not fixed",
                                       escape_for_message(result.path)));
          return;
        }
        original[result.path] = bytes;
        order.push_back(result.path);
      }
      fixed[result.path] = apply_to_file_bytes(bytes, plan->edits);
      fixes_applied += plan->fixed;
      applied_this_pass += plan->fixed;
      for (const std::string& follow_up : plan->follow_ups) {
        notes.push_back(
            fmt::format("{}: the file runs in one transaction: validate the constraint in the next "
                        "migration: {}",
                        escape_for_message(result.path), follow_up));
      }
    });
    if (applied_this_pass == 0 || !errors.empty()) {
      break;
    }
  }
  for (const std::string& error : errors) {
    err << fmt::format("miglint: error: {}\n", error);
  }
  if (!errors.empty()) {
    return 2;  // nothing is written when a file could not be fixed as linted
  }
  std::size_t changed = 0;
  for (const std::string& path : order) {
    if (fixed[path] == original[path]) {
      continue;
    }
    ++changed;
    if (!command.write) {
      out << unified_diff(path, original[path], fixed[path]);
      continue;
    }
    auto filesystem_path = filesystem_paths.find(path);
    if (std::optional<Error> failed = write_file_atomically(
            filesystem_path != filesystem_paths.end() ? filesystem_path->second : path, fixed[path])) {
      err << fmt::format("miglint: error: {}: cannot write the fixed file: {}\n", escape_for_message(path),
                         escape_for_message(failed->message));
      return 2;
    }
  }
  for (const std::string& note : notes) {
    err << fmt::format("miglint: note: {}\n", note);
  }
  if (not_sql > 0) {
    err << fmt::format(
        "miglint: note: {} finding{} in C++ or Alembic sources not fixed: fixes edit SQL files only\n",
        not_sql, not_sql == 1 ? "" : "s");
  }
  if (waiting > 0) {
    err << fmt::format("miglint: note: {} fix{} overlap{} another fix and {} not applied (after {} passes)\n",
                       waiting, waiting == 1 ? "" : "es", waiting == 1 ? "s" : "",
                       waiting == 1 ? "was" : "were", pass);
  }
  err << fmt::format("miglint: {} {} fix{} in {} file{}\n", command.write ? "applied" : "would apply",
                     fixes_applied, fixes_applied == 1 ? "" : "es", changed, changed == 1 ? "" : "s");
  return command.write ? 0 : (changed > 0 ? 1 : 0);
}

}  // namespace miglint
