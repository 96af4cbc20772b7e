#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "analyzer/engine/rule_set.hpp"
#include "analyzer/frontend/embedded_sql.hpp"
#include "analyzer/frontend/front_end.hpp"
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
  // Front ends' settings by front end name ([cpp]: what counts as a C++ source and which calls send
  // SQL); a front end without an entry uses its defaults.
  FrontEndSettingsByName front_ends;
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

// Lints one file that `front_end` reads (any but the SQL front end): the SQL it extracts, assembled
// and linted as one migration context, findings mapped back to the file. `filesystem_path` is where
// the file is (empty: read from stdin or git).
FileResult lint_with_front_end(const FrontEnd& front_end, const SourceFile& source,
                               const std::string& filesystem_path, const LintOptions& options,
                               const RuleSet& rules, SchemaHistory* history = nullptr,
                               std::size_t file_order = 0);

// The same from what a front end extracted already (tests need no front end).
FileResult lint_embedded_source(const SourceFile& source, const EmbeddedSource& embedded,
                                const LintOptions& options, const RuleSet& rules,
                                SchemaHistory* history = nullptr, std::size_t file_order = 0);

// The lock model's view of a file: per statement, what it locks and what is held after it.
struct StatementLocks {
  Position start;
  std::vector<RelationEffect> relations;
  std::vector<HeldLock> held;   // in the transaction so far, this statement included
  ByteSpan span{};              // the statement in the text explained (for a program: its SQL)
  bool in_transaction = false;  // it runs inside a transaction block (the held locks are the block's)
  // A program's statement (a front end's file, such as an Alembic revision): the SQL it sends, which
  // its file does not hold as written (`start` is the call that sends it), and whether it is on the
  // way back (an Alembic downgrade()). Empty and false for a SQL file.
  std::string sql;
  bool down = false;
};
struct FileLocks {
  std::string path;
  std::vector<StatementLocks> statements;
  std::vector<Finding> problems;  // statements that could not be parsed
};
// `embedded`: the plan of SQL assembled from a program's calls (its transactions, its down calls).
FileLocks explain_locks(const SourceFile& source, const LintOptions& options, const RuleSet& rules,
                        SchemaHistory* history = nullptr, std::size_t file_order = 0,
                        const EmbeddedPlan* embedded = nullptr);
// The same for a front end's file: the SQL its calls send, explained as `lint` reads it, each
// statement placed at its call in `source`. The error is the front end's (nothing could be read).
Expected<FileLocks> explain_front_end_locks(const FrontEnd& front_end, const SourceFile& source,
                                            const std::string& filesystem_path, const LintOptions& options,
                                            const RuleSet& rules, SchemaHistory* history = nullptr,
                                            std::size_t file_order = 0);

// The lock model's view of files read together, in the given (migration) order: each file's
// statements see the schema facts of the files before it, as `lint` does. What `miglint locks`
// prints and what `miglint plan` shows per statement. Inputs with `report` false are read for their
// facts only; `emit` gets the others' locks, in order, or the file's read error. `rules` names the
// statements that could not be parsed (FileLocks::problems). A front end's file (an Alembic revision)
// is read through its front end, as `lint` reads it.
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
