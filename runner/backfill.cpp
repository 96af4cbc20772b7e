// Managed backfills (docs/runner.md, "Managed backfills"): an UPDATE or DELETE under
// `-- miglint-backfill batch=N sleep=D key=K` runs after the migration's schema part has committed,
// in batches over its integer key, each batch one transaction that also records how far the
// backfill got. Every row whose key is at most max(key) when the backfill started, and that exists
// when its batch runs, is changed exactly once, even when a run is killed at any moment: a batch
// and its progress record commit together or not at all, and a rerun resumes after the last key
// recorded.
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <thread>

#include "analyzer/report/apply_progress.hpp"
#include "analyzer/report/backfill_progress.hpp"
#include "analyzer/text/duration.hpp"
#include "analyzer/text/message_text.hpp"
#include "runner/applier.hpp"
#include "runner/backfill_table.hpp"

namespace miglint::runner {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

namespace {

// Progress rewrites one line in place only on a terminal that can take it.
bool on_terminal(const std::ostream& out) {
  const char* term = std::getenv("TERM");
  if (term != nullptr && std::string_view(term) == "dumb") {
    return false;
  }
  if (&out == &std::cout) {
    return ::isatty(STDOUT_FILENO) == 1;
  }
  if (&out == &std::cerr) {
    return ::isatty(STDERR_FILENO) == 1;
  }
  return false;
}

// A plain progress line at most this often (a CI log gets a line every few seconds, not per batch).
constexpr milliseconds kPlainProgressEvery{2000};
// A terminal's line is rewritten at most this often.
constexpr milliseconds kTerminalProgressEvery{200};

std::optional<int64_t> number(const std::optional<std::string>& text) {
  return text ? std::optional<int64_t>(std::stoll(*text)) : std::nullopt;
}

std::optional<std::string> text(std::optional<int64_t> value) {
  return value ? std::optional<std::string>(std::to_string(*value)) : std::nullopt;
}

}  // namespace

std::string Applier::backfill_key_problem(const ScriptStatement& statement, bool& connection_lost) {
  const ScriptStatement::Backfill& backfill = *statement.backfill;
  PgOutcome found = work_.query(
      "SELECT c.relkind::text, a.attnum, format_type(a.atttypid, a.atttypmod), a.atttypid IN (20, 21, 23), "
      "a.attnotnull, EXISTS (SELECT FROM pg_index i WHERE i.indrelid = c.oid AND i.indkey[0] = a.attnum) "
      "FROM pg_class c LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = $2 AND a.attnum > 0 "
      "AND NOT a.attisdropped WHERE c.oid = to_regclass($1)",
      {backfill.sql.table, backfill.directive.key});
  if (!found.ok) {
    connection_lost = found.error.connection_lost || !work_.alive();
    return fmt::format("cannot look up the backfill's table: {}", found.error.message);
  }
  std::string table = escape_for_message(backfill.sql.table);
  std::string key = escape_for_message(backfill.directive.key);
  if (found.rows.empty()) {
    return fmt::format("the backfill's table {} does not exist", table);
  }
  const PgRow& row = found.rows.front();
  if (!row[1]) {
    return fmt::format("table {} has no column `{}` (the backfill's key=)", table, key);
  }
  if (row[3] != std::optional<std::string>("t")) {
    return fmt::format(
        "the backfill's key `{}` of {} is {}, not an integer column (int2, int4, int8): batches are key "
        "ranges of one integer column (composite and non-integer keys are not supported)",
        key, table, escape_for_message(row[2].value_or("?")));
  }
  if (row[4] != std::optional<std::string>("t")) {
    return fmt::format(
        "the backfill's key `{}` of {} is nullable: rows with a NULL key would be in no batch (batch by a "
        "NOT NULL key, such as the primary key)",
        key, table);
  }
  if (row[5] != std::optional<std::string>("t")) {
    return fmt::format(
        "no index of {} starts with the backfill's key `{}`: every batch would scan the whole table (batch "
        "by an indexed key, such as the primary key)",
        table, key);
  }
  return {};
}

int Applier::check_backfill_keys(const MigrationState& migration, std::size_t done) {
  const MigrationScript& script = *migration.script;
  for (std::size_t i = done; i < script.statements.size(); ++i) {
    const ScriptStatement& statement = script.statements[i];
    if (!statement.backfill || statement.backfill->table_created_in_file) {
      continue;  // a table the file creates is checked when its backfill starts
    }
    bool connection_lost = false;
    if (std::string problem = backfill_key_problem(statement, connection_lost); !problem.empty()) {
      err_ << fmt::format("miglint: error: {}: {}; nothing of {} was run\n", where(migration, i), problem,
                          migration.display_path);
      return connection_lost ? kExitError : kExitRefused;
    }
  }
  return kExitDone;
}

int Applier::run_backfill(MigrationState& migration, const Segment& segment) {
  const std::size_t index = segment.first;
  const ScriptStatement& statement = migration.script->statements[index];
  const ScriptStatement::Backfill& backfill = *statement.backfill;
  const BackfillSql& sql = backfill.sql;
  const std::string progress_table = backfills_table(settings_.schema);
  const std::string at = where(migration, index);
  const int number_in_file = static_cast<int>(index) + 1;
  auto fail = [&](const StepResult& result, std::string_view what) {
    rollback();
    if (result.history_conflict) {
      err_ << fmt::format("miglint: error: {}\n", result.error.message);
      return kExitError;
    }
    if (result.error.connection_lost || !work_.alive()) {
      err_ << fmt::format(
          "miglint: error: lost the connection to the database during the backfill at {}: {}\n"
          "  every batch done is recorded: run again to resume\n",
          at, result.error.message);
      return kExitError;
    }
    err_ << fmt::format(
        "miglint: error: {}: {}: {}{}\n", at, what, result.error.message,
        result.error.sqlstate.empty() ? "" : fmt::format(" (SQLSTATE {})", result.error.sqlstate));
    if (!result.error.detail.empty()) {
      err_ << fmt::format("  detail: {}\n", result.error.detail);
    }
    err_ << "  every batch done is recorded: fix the cause and run again to resume the backfill\n";
    StepResult recorded = result;
    recorded.statement = index;
    record_failed_attempt(migration, recorded);
    return kExitRefused;
  };
  if (std::string problem = ensure_backfills_table(work_, settings_.schema); !problem.empty()) {
    return fail(StepResult{false, PgError{"", problem, "", !work_.alive()}},
                "cannot create the backfill table");
  }
  if (backfill.table_created_in_file) {
    bool connection_lost = false;
    if (std::string problem = backfill_key_problem(statement, connection_lost); !problem.empty()) {
      err_ << fmt::format(
          "miglint: error: {}: {}; the file's schema changes are applied, the backfill is not\n", at,
          problem);
      return connection_lost ? kExitError : kExitRefused;
    }
  }
  Expected<std::optional<BackfillProgress>> read =
      read_backfill(work_, settings_.schema, migration.file.version, number_in_file, migration.sha256);
  if (!read) {
    return fail(StepResult{false, PgError{"", read.error().message, "", !work_.alive()}},
                "cannot read its progress");
  }
  std::optional<BackfillProgress> progress = std::move(*read);
  if (!progress) {
    // The keys it covers are fixed now: max(key) as the backfill starts (rows inserted later with a
    // larger key are the application's to write). The total is counted for the progress display.
    StepResult started = exec("BEGIN");
    if (started.ok) {
      started = set_timeouts(true, false);
    }
    PgOutcome upper =
        started.ok ? work_.query(fmt::format("SELECT max({}) FROM {}", sql.key_ref, sql.from)) : PgOutcome{};
    if (started.ok && !upper.ok) {
      started = StepResult{false, upper.error};
    }
    BackfillProgress fresh;
    if (started.ok) {
      fresh.upper_key = number(upper.rows.at(0).at(0));
      if (fresh.upper_key) {
        exec("SAVEPOINT miglint_count");
        std::string condition = sql.condition.empty() ? "" : "(" + sql.condition + ") AND ";
        PgOutcome counted = work_.query(fmt::format("SELECT count(*) FROM {} WHERE {}{} <= {}", sql.from,
                                                    condition, sql.key_ref, *fresh.upper_key));
        if (counted.ok) {
          fresh.rows_total = number(counted.rows.at(0).at(0));
        } else if (counted.error.connection_lost) {
          started = StepResult{false, counted.error};
        } else {
          // Counting a huge table may outlast the statement timeout: the planner's estimate will do.
          exec("ROLLBACK TO SAVEPOINT miglint_count");
          PgOutcome estimate = work_.query(
              "SELECT greatest(reltuples, 0)::bigint FROM pg_class WHERE oid = to_regclass($1)", {sql.table});
          if (estimate.ok && !estimate.rows.empty()) {
            fresh.rows_total = number(estimate.rows.at(0).at(0));
            fresh.rows_total_estimated = true;
          }
        }
      } else {
        fresh.rows_total = 0;
      }
    }
    if (started.ok) {
      PgOutcome inserted = work_.query(
          fmt::format(
              "INSERT INTO {} (version, statement, checksum_sha256, table_name, key_column, upper_key, "
              "rows_total, rows_total_estimated) VALUES ($1, $2::int, $3, $4, $5, $6::bigint, $7::bigint, "
              "$8::boolean) ON CONFLICT DO NOTHING RETURNING version",
              progress_table),
          {migration.file.version, std::to_string(number_in_file), migration.sha256, sql.table,
           backfill.directive.key, text(fresh.upper_key), text(fresh.rows_total),
           fresh.rows_total_estimated ? "true" : "false"});
      if (!inserted.ok) {
        started = StepResult{false, inserted.error};
      } else if (inserted.rows.empty()) {
        started = StepResult{false, PgError{}, true};
        started.error.message = fmt::format(
            "{}: another runner started this backfill meanwhile; stopping, nothing more is applied", at);
      }
    }
    if (started.ok && !mark_.exists) {
      // A file that is only backfills has no history row yet: `status` shows it from now on.
      started = record(migration, index, std::nullopt);
    }
    if (started.ok) {
      started = commit();
    }
    if (!started.ok) {
      return fail(started, "cannot start the backfill");
    }
    fresh.version = migration.file.version;
    fresh.statement = number_in_file;
    fresh.checksum = migration.sha256;
    progress = fresh;
  }
  const bool terminal = on_terminal(out_);
  bool line_open = false;
  write_backfill_start(
      out_, BackfillStartView{at, sql.table, backfill.directive.key, backfill.directive.batch,
                              static_cast<long long>(backfill.directive.sleep.count()), progress->upper_key,
                              progress->rows_total, progress->rows_total_estimated, progress->last_key,
                              progress->rows_done});
  const auto started = Clock::now();
  const int64_t rows_before = progress->rows_done;
  Clock::time_point last_shown = started;
  auto show = [&](bool force) {
    auto now = Clock::now();
    if (!force && now - last_shown < (terminal ? kTerminalProgressEvery : kPlainProgressEvery)) {
      return;
    }
    last_shown = now;
    double seconds = std::max(0.001, std::chrono::duration<double>(now - started).count());
    double rate = static_cast<double>(progress->rows_done - rows_before) / seconds;
    BackfillProgressView view{progress->rows_done, progress->rows_total, progress->rows_total_estimated, rate,
                              std::nullopt,        progress->batches,    progress->last_key.value_or(0)};
    if (progress->rows_total && rate > 0) {
      view.seconds_left =
          static_cast<double>(std::max<int64_t>(0, *progress->rows_total - progress->rows_done)) / rate;
    }
    write_backfill_progress(out_, view, terminal);
    line_open = terminal;
  };
  // A batch: the next `batch` keys after the last one done (gaps in the keys cost nothing), the
  // statement on them, and the progress record, in one transaction.
  auto bound_query = [&](std::optional<int64_t> after, int64_t upper) {
    return "SELECT max(k) FROM (SELECT " + sql.key_ref + " AS k FROM " + sql.from + " WHERE " +
           sql.range(after, upper) + " ORDER BY " + sql.key_ref + " LIMIT " +
           std::to_string(backfill.directive.batch) + ") batch";
  };
  bool finished = !progress->upper_key;
  while (true) {
    if (g_interrupted) {
      end_backfill_progress_line(out_, line_open);
      err_ << fmt::format(
          "miglint: error: interrupted during the backfill at {}: {} rows done (up to key {}), recorded; run "
          "again to resume\n",
          at, grouped_number(progress->rows_done),
          progress->last_key ? std::to_string(*progress->last_key) : std::string("none"));
      return kExitRefused;
    }
    if (StepResult lock = check_runner_lock(); !lock.ok) {
      end_backfill_progress_line(out_, line_open);
      return stop_without_lock(migration, index, index, lock.error.message);
    }
    std::optional<int64_t> upto;
    int64_t changed = 0;
    bool last_batch = false;
    bool interrupted = false;
    for (int attempt = 0;; ++attempt) {
      blockers_.clear();
      StepResult result = exec("BEGIN");
      if (result.ok) {
        result = set_timeouts(true, false);
      }
      upto.reset();
      if (result.ok && !finished) {
        PgOutcome bound = work_.query(bound_query(progress->last_key, *progress->upper_key));
        if (!bound.ok) {
          result = StepResult{false, bound.error};
        } else {
          upto = number(bound.rows.at(0).at(0));
        }
      }
      last_batch = result.ok && !upto;
      if (result.ok && upto) {
        std::string batch =
            fmt::format("WITH miglint_batch AS ({} RETURNING 1) SELECT count(*) FROM miglint_batch",
                        sql.batch(progress->last_key, *upto));
        milliseconds tick(std::clamp(settings_.lock_timeout / 4, milliseconds(10), milliseconds(200)));
        PgOutcome ran = work_.run(
            batch, [&] { describe_blockers(); }, tick);
        if (!ran.ok) {
          result = StepResult{false, ran.error};
        } else {
          changed = number(ran.rows.at(0).at(0)).value_or(0);
        }
      }
      if (result.ok) {
        // Conditional on the key this runner read: a batch recorded by anyone else matches nothing.
        PgOutcome recorded = work_.query(
            fmt::format(
                "UPDATE {} SET last_key = coalesce($5::bigint, last_key), rows_done = rows_done + "
                "$6::bigint, batches = batches + $7::int, updated_at = now(), finished_at = CASE WHEN "
                "$8::boolean THEN now() END WHERE version = $1 AND statement = $2::int AND "
                "checksum_sha256 = $3 AND last_key IS NOT DISTINCT FROM $4::bigint AND finished_at IS "
                "NULL RETURNING version",
                progress_table),
            {migration.file.version, std::to_string(number_in_file), migration.sha256,
             text(progress->last_key), text(upto), std::to_string(changed), upto ? "1" : "0",
             last_batch ? "true" : "false"});
        if (!recorded.ok) {
          result = StepResult{false, recorded.error};
        } else if (recorded.rows.empty()) {
          result = StepResult{false, PgError{}, true};
          result.error.message = fmt::format(
              "{}: the backfill's progress is not what this runner read (up to key {}): another runner "
              "changed it; stopping, nothing more is applied",
              at, progress->last_key ? std::to_string(*progress->last_key) : std::string("none"));
        }
      }
      if (result.ok && last_batch) {
        // The last transaction marks the statement applied in the history, with the backfill done.
        result = record(migration, segment.last, std::nullopt);
      }
      if (result.ok) {
        result = commit();
      }
      if (result.ok) {
        break;
      }
      rollback();
      if (lock_lost_) {
        end_backfill_progress_line(out_, line_open);
        return stop_without_lock(migration, index, index, result.error.message);
      }
      bool lock_timeout = result.error.sqlstate == "55P03";
      if (lock_timeout && attempt < settings_.retries && !g_interrupted && !result.history_conflict) {
        milliseconds base =
            std::min(milliseconds(30000), milliseconds(int64_t{1000} << std::min(attempt, 5)));
        milliseconds wait(std::uniform_int_distribution<int64_t>(base.count() / 2, base.count())(random_));
        end_backfill_progress_line(out_, line_open);
        line_open = false;
        write_lock_retry(out_, LockRetryView{result.error.message, attempt + 1, settings_.retries,
                                             static_cast<double>(wait.count()) / 1000.0, blockers_});
        if (!sleep_interruptibly(wait)) {
          interrupted = true;  // reported at the top of the loop
          break;
        }
        continue;
      }
      if (g_interrupted && !result.history_conflict) {
        interrupted = true;  // the batch was cancelled and rolled back: reported at the top of the loop
        break;
      }
      end_backfill_progress_line(out_, line_open);
      if (lock_timeout) {
        err_ << fmt::format("  gave up after {} retries; {}\n", settings_.retries,
                            blockers_.empty()
                                ? std::string("the blocking session had gone when miglint looked")
                                : fmt::format("blocked by {}", fmt::join(blockers_, "; ")));
      }
      return fail(result, "a backfill batch failed");
    }
    if (interrupted) {
      continue;
    }
    if (last_batch) {
      progress->finished = true;
      break;
    }
    progress->last_key = upto;
    progress->rows_done += changed;
    progress->batches += 1;
    show(false);
    if (backfill.directive.sleep.count() > 0 && !sleep_interruptibly(backfill.directive.sleep)) {
      continue;  // reported at the top of the loop
    }
  }
  if (progress->batches > 0) {
    show(true);
  }
  write_backfill_done(out_, progress->rows_done, progress->batches,
                      std::chrono::duration_cast<milliseconds>(Clock::now() - started).count(), line_open);
  return kExitDone;
}

}  // namespace miglint::runner
