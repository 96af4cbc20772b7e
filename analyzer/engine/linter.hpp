#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "analyzer/cpp/front_end.hpp"
#include "analyzer/model/context.hpp"
#include "analyzer/model/finding.hpp"
#include "analyzer/model/rule.hpp"
#include "analyzer/model/schema.hpp"
#include "analyzer/project/discover.hpp"
#include "analyzer/project/transaction_plan.hpp"
#include "analyzer/text/expected.hpp"
#include "analyzer/text/source_file.hpp"

namespace miglint {

struct LintOptions {
  int pg_version = 15;
  // Who executes the files: a migration tool (wrapping each file when `assume_in_transaction`), or
  // `miglint run`, whose plan (one transaction, segmented, as written: transaction_plan.hpp) the
  // lint then follows exactly, so that lint and run see the same transactions.
  ExecutionMode execution = ExecutionMode::Tool;
  bool assume_in_transaction = false;  // ExecutionMode::Tool only
  unsigned jobs = 0;                   // 0: one per core
  // Give findings the statement keys SARIF fingerprints need (hashing statements costs time that
  // the other formats need not spend).
  bool statement_keys = false;
  // Files larger than this are not read: one error line instead (`[lint] max_file_size`).
  uint64_t max_file_size = kDefaultMaxFileSize;
  // Leave constant rows of INSERT ... VALUES out of the parse tree (analyzer/sql/bulk_rows.hpp). Off
  // only in the test that shows it changes no finding.
  bool condense_bulk_rows = true;
  // C++ sources: what counts as one and which calls send SQL (nullptr: the defaults).
  std::shared_ptr<const cpp::CppSettings> cpp;
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
  // Indexes into enabled_rules() of the rules that look at statements of `kind`, in registry order.
  const std::vector<std::size_t>& enabled_for(pg::NodeKind kind) const;
  std::span<const Rule> all() const { return all_; }

 private:
  std::span<const Rule> all_;
  std::vector<const Rule*> enabled_;
  std::vector<std::vector<std::size_t>> enabled_by_kind_;  // indexed by NodeKind, built once
  std::map<std::string, Severity> severities_;
};

// The findings of one file, or why it could not be linted.
struct FileResult {
  std::string path;
  std::vector<Finding> findings;  // sorted by position, then rule id; suppressed ones included
  std::vector<InputError> errors;
  // Problems that did not stop the file from being linted, one line each ("a.cpp:3:10: 'x.h'
  // file not found (...)"): the CLI prints them as warnings.
  std::vector<std::string> warnings;
  bool context_only = false;             // read for schema facts only (LintInput::report false)
  Severity fail_on = Severity::Warning;  // the lowest severity that fails, for this file
};

// SQL embedded in a program (analyzer/cpp/), assembled into one text: what each call contributed.
struct EmbeddedCallRegion {
  ByteSpan sql;         // the call's SQL in the assembled text
  ByteSpan directives;  // ignore comments copied from the program for this call (they cover `sql`)
  // The program's transaction the call runs in (an id per transaction object); nullopt: autocommit.
  std::optional<uint64_t> transaction;
};
struct EmbeddedPlan {
  std::vector<EmbeddedCallRegion> calls;  // in text order
  // Findings the front end made itself (in assembled-text coordinates), filtered by ignores like
  // the rules' findings; an ignore applies to those that start within its call's `sql`.
  std::vector<Finding> front_end_findings;
};

// Lints one source. `history` (may be null) provides facts of earlier files; `file_order` is this
// file's position in migration order.
FileResult lint_source(const SourceFile& source, const LintOptions& options, const RuleSet& rules,
                       SchemaHistory* history = nullptr, std::size_t file_order = 0);

// Lints SQL assembled from a program's calls as one migration context, in call order: the same
// pipeline, with each call's statements in the call's transaction mode and its ignore comments
// applying to all of them. Findings are in `assembled` coordinates (the caller maps them back).
FileResult lint_embedded_sql(const SourceFile& assembled, const EmbeddedPlan& plan,
                             const LintOptions& options, const RuleSet& rules,
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

// The lock model's view of files read together, in the given (migration) order: each file's
// statements see the schema facts of the files before it, as `lint` does. What `miglint locks`
// prints and what `miglint plan` shows per statement. Inputs with `report` false are read for their
// facts only; `emit` gets the others' locks, in order, or the file's read error. `rules` names the
// statements that could not be parsed (FileLocks::problems).
void explain_locks_in_order(
    const std::vector<LintInput>& inputs, const RuleSet& rules,
    const std::function<LintOptions(const std::string& display_path)>& options_for,
    const std::function<void(const std::string& display_path, Expected<FileLocks>&&)>& emit);

// Work on one file that needs its text: options decided from it before the rules run (how a
// runner will execute the file) and a review of its findings after (approvals bound to its
// checksum). Not called for files read for schema facts only.
class FileReview {
 public:
  virtual ~FileReview() = default;
  virtual void before(const SourceFile& source, LintOptions& options) = 0;
  virtual void after(const SourceFile& source, FileResult& result) = 0;
};

// How one file is linted: its options and rules (the config file may differ per path).
struct FileSetup {
  LintOptions options;
  std::shared_ptr<const RuleSet> rules;
  Severity fail_on = Severity::Warning;
  std::shared_ptr<FileReview> review;  // may be null
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
