#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "analyzer/model/transaction_model.hpp"
#include "analyzer/sql/file_model.hpp"
#include "analyzer/text/source_file.hpp"

namespace miglint {

// Who executes a migration file, which decides the transactions its statements run in.
enum class ExecutionMode {
  // A migration tool (`miglint lint`'s default): the file runs in one transaction when the tool
  // wraps it (`assume_in_transaction`), except a file that must run outside one (a leading
  // `-- miglint-no-transaction`, or only CONCURRENTLY operations and settings); dbmate sections
  // run in a transaction unless `transaction:false`. BEGIN/COMMIT in the file do the rest.
  Tool,
  // `miglint run` (docs/runner.md): one transaction, segmented, or as written.
  Runner,
};

// How the runner executes a whole file (ExecutionMode::Runner).
enum class ScriptMode {
  OneTransaction,  // every statement can run in a transaction: one Wrapped segment
  Segmented,       // some cannot: transactional runs are Wrapped segments, the others Autocommit
  AsWritten,       // the file controls its transactions (BEGIN/COMMIT, `-- miglint-no-transaction`,
                   // dbmate `transaction:false`): statements one at a time, never wrapped
};

// Statements [first, last) (indexes into the file's statements) that run under one regime.
struct TransactionSegment {
  enum class Kind {
    Wrapped,     // in a transaction the tool or the runner opens around them
    Explicit,    // the file's own BEGIN ... COMMIT (or ROLLBACK), run as written
    Autocommit,  // one statement, outside any transaction
  } kind = Kind::Wrapped;
  std::size_t first = 0;
  std::size_t last = 0;
};

// A part of the file that runs at a time of its own, with nothing carried over from the part
// before it: the whole file, or a dbmate `-- migrate:up` / `-- migrate:down` section.
struct PlanSection {
  std::size_t first = 0;
  std::size_t last = 0;
  bool down = false;     // a down migration: linted, teaches no schema facts
  bool wrapped = false;  // its first statement runs in the tool's or the runner's transaction
  std::vector<TransactionSegment> segments;
};

// One statement's place in the plan.
struct PlannedStatement {
  TransactionControl control = TransactionControl::None;  // the file's own BEGIN/COMMIT
  bool outside_transaction = false;  // PostgreSQL refuses it in a transaction block (on pg_version)
  bool concurrent = false;           // an online (CONCURRENTLY) operation
};

// Why the runner cannot execute the plan (ExecutionMode::Runner only).
struct PlanProblem {
  enum class Kind {
    NeverCommitted,        // `statement` is a BEGIN without a COMMIT or ROLLBACK after it
    OutsideInTransaction,  // `statement` cannot run inside the file's transaction opened by `opened_by`
  } kind = Kind::NeverCommitted;
  std::size_t statement = 0;
  std::size_t opened_by = 0;
};

// A file's transactions, for one execution mode: every consumer (the lint driver's walk, vetting,
// `plan`, `locks` and the runner's applier) reads them from here.
struct TransactionPlan {
  ExecutionMode mode = ExecutionMode::Tool;
  std::vector<PlannedStatement> statements;  // one per statement of the file
  std::vector<PlanSection> sections;         // in file order, covering every statement
  // BEGINs (statement indexes) whose transaction is not committed or rolled back in their section
  // (in sections nobody wraps; a BEGIN inside the tool's transaction is nested instead).
  std::vector<uint32_t> unclosed_begins;

  // ExecutionMode::Runner: the part of the file the runner executes (a dbmate file: its up section;
  // the other sections are planned as the migration tool would run them), how, and what stops it.
  ByteSpan executed;
  std::size_t first_executed = 0;  // statements [first_executed, last_executed)
  std::size_t last_executed = 0;
  ScriptMode script_mode = ScriptMode::OneTransaction;
  std::optional<PlanProblem> problem;
  std::optional<std::size_t> executed_section;  // its index in `sections`, when it has statements
};

// Plans the transactions of a parsed file for `pg_version`. `assume_in_transaction` is the tool's
// wrapping (ExecutionMode::Tool only). SQL assembled from a program's calls (model.embedded) is one
// section that nobody wraps: each call's own transaction decides.
TransactionPlan plan_transactions(const FileModel& model, ExecutionMode mode, int pg_version,
                                  bool assume_in_transaction = false);
// The same from each statement's place in the plan, found while its parse tree was alive (a
// streamed model keeps none): `statements` has one entry per statement of the model.
TransactionPlan plan_transactions(const FileModel& model, std::vector<PlannedStatement> statements,
                                  ExecutionMode mode, bool assume_in_transaction = false);
// One statement's place in the plan.
PlannedStatement planned_statement(const Statement& statement, int pg_version);

// A file parsed and planned: the entry point for a caller that has only the file.
struct PlannedFile {
  FileModel model;
  TransactionPlan plan;
};
PlannedFile plan_file(const SourceFile& source, ExecutionMode mode, int pg_version,
                      bool assume_in_transaction = false);

}  // namespace miglint
