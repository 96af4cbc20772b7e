#include "analyzer/report/apply_progress.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "analyzer/text/message_text.hpp"

namespace miglint {

void write_applying(std::ostream& out, const ApplyingView& view) {
  std::string tail = view.resume_after > 0 ? fmt::format(", resuming after statement {}", view.resume_after)
                     : view.out_of_order   ? ", out of order (a later version is already applied)"
                                           : "";
  out << fmt::format("applying {} {} ({}): {} statement{}, {}{}\n", escape_for_message(view.version),
                     escape_for_message(view.name), view.display_path, view.statements,
                     view.statements == 1 ? "" : "s", view.mode, tail);
}

void write_migration_done(std::ostream& out, long long elapsed_ms) {
  out << fmt::format("  done in {} ms\n", elapsed_ms);
}

void write_still_waiting(std::ostream& out, const StillWaitingView& view) {
  out << fmt::format("  {} has waited {} s for {}{}\n", view.where, view.waited_seconds,
                     fmt::join(view.waiting_for, "; "),
                     view.concurrent ? " (a CONCURRENTLY statement waits for older transactions to end; "
                                       "it blocks no reads or writes meanwhile)"
                                     : "");
}

void write_lock_retry(std::ostream& out, const LockRetryView& view) {
  out << fmt::format(
      "  lock timeout ({}); retry {} of {} in {:.1f}s{}\n", escape_for_message(view.error), view.retry,
      view.retries, view.wait_seconds,
      view.blockers.empty() ? "" : fmt::format(" (blocked by {})", fmt::join(view.blockers, "; ")));
}

void write_leftover(std::ostream& out, Leftover what, std::string_view object, std::string_view detail) {
  std::string name = escape_for_message(object);
  switch (what) {
    case Leftover::ReindexCopyDropped:
      out << fmt::format("    dropping {}, left by the interrupted REINDEX\n", name);
      return;
    case Leftover::IndexBuilt:
      out << fmt::format("    {} exists and is valid: the interrupted build had finished\n", name);
      return;
    case Leftover::IndexInvalidRebuilt:
      out << fmt::format("    {} was left invalid by the interrupted build: dropping it to build it again\n",
                         name);
      return;
    case Leftover::IndexDropped:
      out << fmt::format("    {} is gone: the interrupted drop had finished\n", name);
      return;
    case Leftover::EnumValueAdded:
      out << fmt::format("    {} has the value '{}': the interrupted ALTER TYPE had finished\n", name,
                         escape_for_message(detail));
      return;
    case Leftover::PartitionDetached:
      out << fmt::format("    {} is already detached\n", name);
      return;
    case Leftover::PartitionDetachPending:
      out << fmt::format("    {} was left DETACH PENDING: finishing with FINALIZE\n", name);
      return;
  }
}

void write_waiting_for_leftover_backend(std::ostream& out, std::string_view pid, std::string_view state,
                                        std::string_view query) {
  out << fmt::format("waiting for a backend an interrupted runner left working: pid {} ({}): {}\n",
                     escape_for_message(pid), escape_for_message(state), escape_for_message(query));
}

void write_cancelling_leftover_backend(std::ostream& out, std::string_view pid) {
  out << fmt::format("cancelling pid {} (still working after --lock-wait)\n", escape_for_message(pid));
}

void write_waiting_for_runner_lock(std::ostream& out) {
  out << "waiting for another miglint run on this database to finish...\n";
}

}  // namespace miglint
