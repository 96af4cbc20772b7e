#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "analyzer/project/transaction_plan.hpp"
#include "analyzer/sql/backfill_directive.hpp"
#include "analyzer/sql/backfill_statement.hpp"
#include "analyzer/text/expected.hpp"
#include "analyzer/text/source_file.hpp"

namespace miglint::runner {

// What the runner can check in the catalog when a statement that cannot run in a transaction was
// interrupted (a killed runner cannot commit the statement together with its progress record).
struct Reconcile {
  enum class Kind {
    None,               // rerun as written
    CreateIndex,        // CREATE INDEX CONCURRENTLY `index` ON `table`: valid: done; invalid: drop, rebuild
    UnnamedIndexBuild,  // CREATE INDEX CONCURRENTLY ON `table` without a name: refused before running
    DropIndex,          // DROP INDEX CONCURRENTLY `index`: gone: done
    ReindexIndex,       // REINDEX INDEX CONCURRENTLY `index`: drop its leftover _ccnew/_ccold copies, rerun
    ReindexTable,       // REINDEX TABLE CONCURRENTLY `table`: drop the leftover copies of its indexes, rerun
    DetachPartition,    // DETACH PARTITION `partition` CONCURRENTLY from `table`: pending: FINALIZE
    AddEnumValue,       // ALTER TYPE `type` ADD VALUE `label` (outside a transaction before 12): there: done
  } kind = Kind::None;
  std::string index;      // quoted, maybe schema-qualified: "app"."users_email_idx"
  std::string table;      // quoted, maybe schema-qualified
  std::string partition;  // quoted, maybe schema-qualified
  std::string type;       // quoted, maybe schema-qualified
  std::string label;      // the enum label, as written
};

// The Reconcile of kind None, shared by every statement that has nothing to reconcile.
const Reconcile* no_reconcile();

// One statement the runner sends on its own.

struct ScriptStatement {
  ByteSpan span;  // first token to last, without the `;`
  Position start;
  // No label is held: statement_label(text) makes one where it is shown (a file of 367,678
  // statements held 30 MB of labels).
  bool outside_transaction = false;  // PostgreSQL refuses it in a transaction block
  bool concurrent = false;           // an online build (CONCURRENTLY): its own statement timeout
  bool session_setting = false;      // SET or RESET (not LOCAL): made again when resuming after it
  // The file's own BEGIN/COMMIT/ROLLBACK (one byte: a file may have hundreds of thousands of statements).
  enum class Control : uint8_t { None, Begin, Commit, Rollback } control = Control::None;
  // Controls transactions itself (SAVEPOINT, PREPARE TRANSACTION, a CALL whose procedure may COMMIT):
  // never wrapped in the runner's own transaction.
  bool controls_transaction = false;
  // Never null: statements with nothing to reconcile share one Reconcile of kind None (no_reconcile),
  // the others point into their MigrationScript's `records`. Held by plain pointer, as is the
  // backfill, so that a file of hundreds of thousands of statements costs 40 bytes a statement.
  const Reconcile* reconcile = no_reconcile();
  // An UPDATE or DELETE under `-- miglint-backfill`: run in key-range batches after the schema part
  // (runner/backfill.cpp), never in the schema transaction.
  struct Backfill {
    BackfillDirective directive;
    BackfillSql sql;
    // The file creates the table before this statement (CREATE TABLE): its key can only be checked
    // once the schema part has run.
    bool table_created_in_file = false;
  };
  const Backfill* backfill = nullptr;  // into the MigrationScript's `records`
};

// The reconcile and backfill records a script's statements point at: shared by the script's copies
// (their statements' pointers stay valid while any copy lives), never changed once planned.
struct ScriptRecords {
  std::deque<Reconcile> reconciles;
  std::deque<ScriptStatement::Backfill> backfills;
};

// Statements [first, last) run under one regime; progress is recorded when a segment completes.
// Wrapped: the runner's BEGIN ... COMMIT around them, retried whole on a lock timeout; Explicit: the
// file's own BEGIN ... COMMIT, run as written, retried whole from its BEGIN; Autocommit: one
// statement, outside any transaction. The plan comes from analyzer/project/transaction_plan.hpp (indexes
// here count the script's statements).
using Segment = TransactionSegment;
// How a whole file runs: one transaction, segmented, or as written (transaction_plan.hpp).
using miglint::ScriptMode;

struct MigrationScript {
  std::vector<ScriptStatement> statements;
  std::shared_ptr<const ScriptRecords> records;  // what `statements` point at
  std::vector<Segment> segments;
  ScriptMode mode = ScriptMode::OneTransaction;
  // The part of the file that runs (a dbmate file: its up section), for vetting.
  ByteSpan executed;
};

// Splits a migration with the SQL front end and takes its segments from the one transaction planner
// (plan_transactions, ExecutionMode::Runner) for PostgreSQL `pg_version`. A statement the parser
// rejects, or a BEGIN that is never committed, is an error with its position.
Expected<MigrationScript> plan_script(const SourceFile& source, int pg_version);

// The statement as the runner shows it on one line, shortened (statement_label in
// analyzer/text/message_text.hpp); `file_text` is the text the statement's span points into.
std::string statement_label(std::string_view file_text, const ScriptStatement& statement);

std::string_view script_mode_name(ScriptMode mode);
std::string_view segment_kind_name(Segment::Kind kind);

}  // namespace miglint::runner
