#pragma once

// What `miglint run` says while it applies migrations: a line per migration it starts and finishes,
// the waits, the retries, and what it found and did about a statement an interrupted run left
// unfinished. The runner fills the views; the text, its escaping of names taken from the database or
// the files, and its wording live here, with the other formats. (Errors that end a run are one-line
// messages the runner writes to standard error itself.)
#include <cstddef>
#include <ostream>
#include <span>
#include <string>
#include <string_view>

namespace miglint {

// `applying V NAME (PATH): N statements, MODE[, resuming after statement K | , out of order ...]`.
struct ApplyingView {
  std::string_view version;
  std::string_view name;
  std::string_view display_path;
  std::size_t statements = 0;
  std::string_view mode;         // the script's transaction mode, as `plan` names it
  std::size_t resume_after = 0;  // statements an earlier run applied (0: starts at the top)
  bool out_of_order = false;     // a later version is already applied
};
void write_applying(std::ostream& out, const ApplyingView& view);

// `  done in N ms`: the migration is applied and recorded.
void write_migration_done(std::ostream& out, long long elapsed_ms);

// A statement that has waited for locks for a while, and for whom.
struct StillWaitingView {
  std::string_view where;  // "statement K of PATH (line L)"
  long long waited_seconds = 0;
  std::span<const std::string> waiting_for;
  bool concurrent = false;  // a CONCURRENTLY statement: it blocks no reads or writes meanwhile
};
void write_still_waiting(std::ostream& out, const StillWaitingView& view);

// A lock timeout that will be retried after a backoff.
struct LockRetryView {
  std::string_view error;
  int retry = 0;  // 1-based
  int retries = 0;
  double wait_seconds = 0;
  std::span<const std::string> blockers;
};
void write_lock_retry(std::ostream& out, const LockRetryView& view);

// What the runner found of a statement an interrupted run left unfinished, and what it does.
enum class Leftover {
  ReindexCopyDropped,     // an index copy left by an interrupted REINDEX CONCURRENTLY: dropped
  IndexBuilt,             // the interrupted build had finished: the index exists and is valid
  IndexInvalidRebuilt,    // the interrupted build left the index invalid: dropped, built again
  IndexDropped,           // the interrupted DROP INDEX had finished
  EnumValueAdded,         // the interrupted ALTER TYPE ... ADD VALUE had finished (`detail`: the value)
  PartitionDetached,      // the interrupted DETACH PARTITION CONCURRENTLY had finished
  PartitionDetachPending  // left DETACH PENDING: finished with FINALIZE
};
void write_leftover(std::ostream& out, Leftover what, std::string_view object, std::string_view detail = {});

// A backend an interrupted runner left working (found before anything is applied), and its cancelling
// after --lock-wait.
void write_waiting_for_leftover_backend(std::ostream& out, std::string_view pid, std::string_view state,
                                        std::string_view query);
void write_cancelling_leftover_backend(std::ostream& out, std::string_view pid);

// Another `miglint run` holds the runner lock.
void write_waiting_for_runner_lock(std::ostream& out);

}  // namespace miglint
