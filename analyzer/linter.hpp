#pragma once

#include <functional>
#include <map>
#include <memory>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "analyzer/context.hpp"
#include "analyzer/discover.hpp"
#include "analyzer/finding.hpp"
#include "analyzer/rule.hpp"
#include "analyzer/schema.hpp"
#include "analyzer/source_file.hpp"

namespace miglint {

struct LintOptions {
  int pg_version = 15;
  bool assume_in_transaction = false;
  unsigned jobs = 0;  // 0: one per core
  // Give findings the statement keys SARIF fingerprints need (hashing statements costs time that
  // the other formats need not spend).
  bool statement_keys = false;
};

// The rules of one run: all known rules, and which of them are enabled.
class RuleSet {
 public:
  // `severities` overrides rules' default severities (from the config file).
  RuleSet(std::span<const Rule> all_rules, const std::set<std::string>& select,
          const std::set<std::string>& ignore, std::map<std::string, Severity> severities = {});

  const Rule* find(std::string_view id) const;
  Severity severity_of(std::string_view id) const;
  bool enabled(std::string_view id) const;
  const std::vector<const Rule*>& enabled_rules() const { return enabled_; }
  std::span<const Rule> all() const { return all_; }

 private:
  std::span<const Rule> all_;
  std::vector<const Rule*> enabled_;
  std::map<std::string, Severity> severities_;
};

// The findings of one file, or why it could not be linted.
struct FileResult {
  std::string path;
  std::vector<Finding> findings;  // sorted by position, then rule id; suppressed ones included
  std::vector<InputError> errors;
  bool context_only = false;             // read for schema facts only (LintInput::report false)
  Severity fail_on = Severity::Warning;  // the lowest severity that fails, for this file
};

// Lints one source. `history` (may be null) provides facts of earlier files; `file_order` is this
// file's position in migration order.
FileResult lint_source(const SourceFile& source, const LintOptions& options, const RuleSet& rules,
                       SchemaHistory* history = nullptr, std::size_t file_order = 0);

// The lock model's view of a file: per statement, what it locks and what is held after it.
struct StatementLocks {
  Position start;
  std::vector<RelationEffect> relations;
  std::vector<HeldLock> held;  // in the transaction so far, this statement included
};
struct FileLocks {
  std::string path;
  std::vector<StatementLocks> statements;
  std::vector<Finding> problems;  // statements that could not be parsed
};
FileLocks explain_locks(const SourceFile& source, const LintOptions& options, const RuleSet& rules,
                        SchemaHistory* history = nullptr, std::size_t file_order = 0);

// How one file is linted: its options and rules (the config file may differ per path).
struct FileSetup {
  LintOptions options;
  std::shared_ptr<const RuleSet> rules;
  Severity fail_on = Severity::Warning;
};
using SetupForPath = std::function<FileSetup(const std::string& display_path)>;

class InputSource;

// Lints inputs in parallel (`jobs` threads, 0: one per core); `emit` receives each file's result in
// input order, as soon as it and every file before it are done. Inputs are pulled from
// `input_source` as workers get to them, so memory depends on the files in flight, not on how many
// there are.
void lint_inputs(InputSource& input_source, unsigned jobs, const SetupForPath& setup_for,
                 const std::function<void(FileResult&&)>& emit);
void lint_inputs(const std::vector<LintInput>& inputs, unsigned jobs, const SetupForPath& setup_for,
                 const std::function<void(FileResult&&)>& emit);
// The same with one setup for every file.
void lint_inputs(const std::vector<LintInput>& inputs, const LintOptions& options, const RuleSet& rules,
                 const std::function<void(FileResult&&)>& emit);

}  // namespace miglint
