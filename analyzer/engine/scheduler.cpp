#include "analyzer/engine/scheduler.hpp"

#ifdef __GLIBC__
#include <malloc.h>
#endif

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "analyzer/project/order.hpp"

namespace miglint {

namespace {
std::atomic<bool> trim_memory_after_sets{true};
}  // namespace

void set_trim_memory_after_sets(bool trim) {
  trim_memory_after_sets = trim;
}

void schedule_in_order(InputSource& input_source, unsigned jobs, SchemaHistory& history,
                       const LintOneInput& lint_one, const std::function<void(FileResult&&)>& emit) {
  jobs = jobs != 0 ? jobs : std::max(1U, std::thread::hardware_concurrency());
  if (std::optional<std::size_t> count = input_source.size_hint()) {
    jobs = std::min<unsigned>(jobs, std::max<std::size_t>(1, *count));
  }

  // Inputs are pulled one at a time, in order; each joins its migration set in the history.
  std::mutex pulling;
  std::size_t pulled = 0;
  bool exhausted = false;
  std::unordered_map<std::string, uint32_t> live_sets;  // migration sets files may still join
  uint32_t next_set = 0;
  std::vector<std::string> finished_sets;
  // The next input and its index, or nullopt at the end. `pulling` is held.
  auto pull = [&]() -> std::optional<std::pair<std::size_t, LintInput>> {
    if (exhausted) {
      return std::nullopt;
    }
    finished_sets.clear();
    std::optional<LintInput> input = input_source.next(finished_sets);
    for (const std::string& set : finished_sets) {
      if (auto it = live_sets.find(set); it != live_sets.end()) {
        history.end_set(it->second);
        live_sets.erase(it);
      }
    }
#ifdef __GLIBC__
    // A set is done: hand the memory its files freed back to the system. glibc otherwise
    // keeps it in each thread's arena, scattered, and the peak creeps up with the number of
    // files linted.
    if (!finished_sets.empty() && trim_memory_after_sets) {
      malloc_trim(0);
    }
#endif
    if (!input) {
      exhausted = true;
      for (const auto& [set, id] : live_sets) {
        history.end_set(id);
      }
      live_sets.clear();
      return std::nullopt;
    }
    auto [it, inserted] = live_sets.try_emplace(std::string(migration_set_of(input->display_path)), next_set);
    next_set += inserted ? 1 : 0;
    history.begin_file(pulled, it->second);
    return std::pair{pulled++, std::move(*input)};
  };

  // Results wait in slots until every earlier file has been emitted; workers stay within a
  // window ahead of the emitter so that memory does not grow with the number of files.
  const std::size_t window = static_cast<std::size_t>(jobs) * 8;
  // A ring of `window` slots: file i waits in slot i % window (workers never run further
  // ahead, so the slot of the next file to emit holds nothing else).
  std::vector<std::optional<FileResult>> slots(window);
  std::mutex mutex;
  std::mutex emitting;                  // held by the worker that emits, in order, what is ready
  std::condition_variable window_open;  // workers wait when too far ahead of the emission
  std::size_t workers_waiting = 0;
  std::size_t emitted = 0;

  // Emits, in input order, every result that is ready. Whichever worker finds the next
  // result ready emits it (no separate emitter thread to put to sleep and wake per file). A
  // worker that cannot take `emitting` leaves its result to the holder, who looks again
  // after letting go.
  auto next_ready = [&]() -> std::optional<FileResult> {
    std::lock_guard lock(mutex);
    std::optional<FileResult>& slot = slots[emitted % slots.size()];
    if (!slot) {
      return std::nullopt;
    }
    std::optional<FileResult> ready = std::move(slot);
    slot.reset();
    ++emitted;
    if (workers_waiting > 0) {
      window_open.notify_all();
    }
    return ready;
  };
  auto slot_ready = [&] {
    std::lock_guard lock(mutex);
    return slots[emitted % slots.size()].has_value();
  };
  auto emit_ready = [&] {
    do {
      std::unique_lock emit_lock(emitting, std::try_to_lock);
      if (!emit_lock) {
        return;
      }
      while (std::optional<FileResult> ready = next_ready()) {
        emit(std::move(*ready));
      }
    } while (slot_ready());
  };

  auto worker = [&] {
    while (true) {
      std::optional<std::pair<std::size_t, LintInput>> input;
      {
        std::lock_guard lock(pulling);
        input = pull();
      }
      if (!input) {
        return;
      }
      std::size_t index = input->first;
      {
        std::unique_lock lock(mutex);
        if (index >= emitted + window) {
          ++workers_waiting;
          window_open.wait(lock, [&] { return index < emitted + window; });
          --workers_waiting;
        }
      }
      FileResult result = lint_one(input->second, index);
      {
        std::lock_guard lock(mutex);
        slots[index % slots.size()] = std::move(result);
      }
      emit_ready();
    }
  };

  if (jobs == 1) {
    while (std::optional<std::pair<std::size_t, LintInput>> input = pull()) {
      emit(lint_one(input->second, input->first));
    }
    return;
  }
  std::vector<std::thread> threads;
  for (unsigned t = 1; t < jobs; ++t) {
    threads.emplace_back(worker);
  }
  worker();  // the calling thread works too
  for (auto& thread : threads) {
    thread.join();
  }
  emit_ready();  // anything left once every worker is done
}

}  // namespace miglint
