#include "runner/applier.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <ostream>
#include <thread>

#include <unistd.h>

#include "analyzer/report/apply_progress.hpp"
#include "analyzer/text/duration.hpp"
#include "analyzer/text/hash.hpp"
#include "analyzer/text/message_text.hpp"
#include "analyzer/text/source_file.hpp"
#include "runner/activity.hpp"
#include "runner/failures.hpp"

namespace miglint::runner {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

Applier::StepResult Applier::exec(const std::string& sql) {
  PgOutcome outcome = work_.query(sql);
  return StepResult{outcome.ok, outcome.error};
}

Applier::StepResult Applier::set_timeouts(bool local, bool concurrent) {
  milliseconds statement = concurrent ? settings_.concurrent_statement_timeout : settings_.statement_timeout;
  // A CONCURRENTLY statement waits without a lock timeout by default: its SHARE UPDATE EXCLUSIVE
  // lock blocks no reads or writes, and it waits for every older transaction to end, which a lock
  // timeout would turn into a failure that throws the finished build away.
  milliseconds lock = concurrent ? settings_.concurrent_lock_timeout : settings_.lock_timeout;
  // Fixed text from integers: no user input reaches these statements.
  std::string scope = local ? "SET LOCAL" : "SET";
  StepResult result = exec(fmt::format("{} lock_timeout = '{}'", scope, postgres_duration(lock)));
  if (result.ok) {
    result = exec(fmt::format("{} statement_timeout = '{}'", scope, postgres_duration(statement)));
  }
  return result;
}

Applier::StepResult Applier::record(const MigrationState& migration, std::size_t applied,
                                    std::optional<int> running) {
  auto total = migration.script->statements.size();
  auto duration = std::chrono::duration_cast<milliseconds>(Clock::now() - started_).count();
  auto text = [](std::optional<int> value) {
    return value ? std::optional<std::string>(std::to_string(*value)) : std::nullopt;
  };
  std::vector<std::optional<std::string>> params{migration.file.version,
                                                 migration.file.name,
                                                 migration.sha256,
                                                 std::to_string(duration),
                                                 std::to_string(applied),
                                                 std::to_string(total),
                                                 applied == total ? "true" : "false",
                                                 text(running)};
  PgOutcome outcome;
  if (!mark_.exists) {
    // A row another runner inserted meanwhile is not overwritten: nothing is returned.
    outcome = work_.query(
        fmt::format("INSERT INTO {} (version, name, checksum_sha256, applied_at, duration_ms, applied_by, "
                    "statements_applied, statements_total, success, running_statement) "
                    "VALUES ($1, $2, $3, now(), $4, session_user, $5, $6, $7, $8::int) "
                    "ON CONFLICT (version) DO NOTHING RETURNING version",
                    table_),
        params);
  } else {
    // Only the row as this runner read (or last wrote) it: a row another runner moved on matches nothing.
    params.push_back(std::to_string(mark_.applied));
    params.push_back(text(mark_.running));
    outcome = work_.query(
        fmt::format(
            "UPDATE {} SET name = $2, applied_at = now(), duration_ms = $4, applied_by = session_user, "
            "statements_applied = $5, statements_total = $6, success = $7, running_statement = $8::int "
            "WHERE version = $1 AND checksum_sha256 = $3 AND NOT success "
            "AND statements_applied = $9::int AND running_statement IS NOT DISTINCT FROM $10::int "
            "RETURNING version",
            table_),
        params);
  }
  if (!outcome.ok) {
    return StepResult{false, outcome.error};
  }
  if (outcome.rows.empty()) {
    StepResult conflict{false, PgError{}, true};
    conflict.error.message = fmt::format(
        "{}: the history row of version {} is not what this runner read ({}): another runner changed "
        "the history; stopping, nothing more is applied",
        migration.display_path, migration.file.version,
        mark_.exists ? fmt::format("{} statements applied", mark_.applied) : std::string("no row"));
    return conflict;
  }
  HistoryMark written{true, static_cast<int>(applied), running};
  if (work_.in_transaction()) {
    staged_ = written;  // it holds once the transaction commits
  } else {
    mark_ = written;
    mark_written_ = true;
  }
  return {};
}

Applier::StepResult Applier::commit() {
  StepResult result = exec("COMMIT");
  if (result.ok && staged_) {
    mark_ = *staged_;
    mark_written_ = true;
  }
  staged_.reset();
  return result;
}

void Applier::rollback() {
  staged_.reset();
  if (work_.alive() && work_.in_transaction()) {
    exec("ROLLBACK");
  }
}

void Applier::describe_blockers() {
  PgOutcome seen = watch_.query(
      "SELECT pid, coalesce(state, ''), coalesce(wait_event_type, ''), left(regexp_replace(query, '\\s+', ' "
      "', 'g'), "
      "200), coalesce(to_char(query_start AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') || ' UTC', '?'), "
      "coalesce(extract(epoch FROM now() - query_start)::bigint, 0), "
      "coalesce(extract(epoch FROM now() - xact_start)::bigint, 0) "
      "FROM pg_stat_activity WHERE pid = ANY (pg_blocking_pids($1::int)) ORDER BY pid",
      {std::to_string(work_.backend_pid())});
  waiting_for_.clear();
  if (!seen.ok || seen.rows.empty()) {
    return;
  }
  blockers_.clear();
  for (const PgRow& row : seen.rows) {
    std::string query = escape_for_message(row[3].value_or(""));
    blockers_.push_back(
        fmt::format("pid {} ({}): {}", row[0].value_or("?"), escape_for_message(row[1].value_or("")), query));
    waiting_for_.push_back(fmt::format("pid {} ({}, transaction open {} s, query started {}, {} s ago): {}",
                                       row[0].value_or("?"), escape_for_message(row[1].value_or("")),
                                       row[6].value_or("0"), row[4].value_or("?"), row[5].value_or("0"),
                                       query));
  }
}

Applier::StepResult Applier::check_runner_lock() {
  // The session that holds the advisory lock must still be there and still hold it: when it is
  // gone (terminated, the connection broken), another runner may already hold the lock and read
  // the history; nothing more may be applied.
  PgOutcome held = watch_.query(
      "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND granted AND "
      "objsubid = 1 AND classid::bigint = ((hashtextextended($1, 0) >> 32) & 4294967295) AND objid::bigint = "
      "(hashtextextended($1, 0) & 4294967295)",
      {lock_key_text(settings_.schema)});
  if (held.ok && held.rows.at(0).at(0) == std::optional<std::string>("1")) {
    return {};
  }
  lock_lost_ = true;
  StepResult lost{false, {}};
  lost.error.message = held.ok ? "the runner's lock session no longer holds the runner lock"
                               : fmt::format("the runner's lock session (pid {}) has ended: {}",
                                             watch_.backend_pid(), held.error.message);
  return lost;
}

std::string Applier::where(const MigrationState& migration, std::size_t index) const {
  const ScriptStatement& statement = migration.script->statements[index];
  return fmt::format("{}:{}:{}", migration.display_path, statement.start.line, statement.start.column);
}

Applier::StepResult Applier::run_statement(const MigrationState& migration, std::size_t index) {
  const ScriptStatement& statement = migration.script->statements[index];
  if (StepResult lock = check_runner_lock(); !lock.ok) {
    return lock;
  }
  std::string sql(std::string_view(*migration.bytes)
                      .substr(statement.span.begin, statement.span.end - statement.span.begin));
  blockers_.clear();
  // Look at what blocks the statement several times within lock_timeout: a first look only after
  // the timeout has fired would find the statement no longer waiting, and name no blocker.
  milliseconds lock_timeout =
      statement.concurrent ? settings_.concurrent_lock_timeout : settings_.lock_timeout;
  milliseconds tick_every(200);
  if (lock_timeout.count() > 0) {
    tick_every = std::clamp(lock_timeout / 4, milliseconds(10), milliseconds(200));
  }
  // A statement that waits says so, and for whom: first after kFirstWaitReport, then every
  // kWaitReportEvery (a CONCURRENTLY build may wait for a long transaction for hours).
  std::optional<Clock::time_point> waiting_since;
  Clock::time_point next_report;
  auto watch = [&] {
    describe_blockers();
    auto now = Clock::now();
    if (waiting_for_.empty()) {
      waiting_since.reset();
      return;
    }
    if (!waiting_since) {
      waiting_since = now;
      next_report = now + kFirstWaitReport;
    }
    if (now < next_report) {
      return;
    }
    next_report = now + kWaitReportEvery;
    auto waited = std::chrono::duration_cast<std::chrono::seconds>(now - *waiting_since).count();
    write_still_waiting(
        out_, StillWaitingView{where(migration, index), waited, waiting_for_, statement.concurrent});
  };
  PgOutcome outcome = work_.run(sql, watch, tick_every);
  return StepResult{outcome.ok, outcome.error};
}

namespace {

bool builds_index_concurrently(const ScriptStatement& statement) {
  // reconcile.table is set for every CREATE INDEX CONCURRENTLY, named or not.
  return statement.concurrent && !statement.reconcile->table.empty() &&
         (statement.reconcile->kind == Reconcile::Kind::CreateIndex ||
          statement.reconcile->kind == Reconcile::Kind::UnnamedIndexBuild);
}

}  // namespace

Applier::StepResult Applier::indexes_before(const ScriptStatement& statement, std::string& oids) {
  PgOutcome found = work_.query(
      "SELECT coalesce(array_agg(indexrelid), '{}')::text FROM pg_index WHERE indrelid = to_regclass($1)",
      {statement.reconcile->table});
  if (!found.ok) {
    return StepResult{false, found.error};
  }
  oids = found.rows.at(0).at(0).value_or("{}");
  return {};
}

Applier::StepResult Applier::drop_new_invalid_indexes(const ScriptStatement& statement,
                                                      const std::string& before, bool& found) {
  found = false;
  PgOutcome invalid = work_.query(
      "SELECT format('%I.%I', n.nspname, c.relname) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
      "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE i.indrelid = to_regclass($1) AND NOT i.indisvalid "
      "AND i.indexrelid <> ALL ($2::oid[]) ORDER BY 1",
      {statement.reconcile->table, before});
  if (!invalid.ok) {
    return StepResult{false, invalid.error};
  }
  found = !invalid.rows.empty();
  for (const PgRow& row : invalid.rows) {
    left_invalid_.push_back(row[0].value_or(""));
  }
  return drop_left_invalid();
}

Applier::StepResult Applier::drop_left_invalid() {
  while (!left_invalid_.empty()) {
    // DROP INDEX CONCURRENTLY waits for the transactions using the table, under lock_timeout: it can
    // fail for the same reason the build did.
    StepResult dropped = exec(fmt::format("DROP INDEX CONCURRENTLY IF EXISTS {}", left_invalid_.front()));
    if (!dropped.ok) {
      return dropped;
    }
    left_invalid_.erase(left_invalid_.begin());
  }
  return {};
}

Applier::StepResult Applier::drop_reindex_leftovers(const std::string& originals, const std::string& target) {
  // A copy is named after its original (<name>_ccnew, _ccold, with a number when taken) and sits
  // on the same table. It is dropped valid or not: REINDEX marks the copy valid before the swap,
  // and the old index (then _ccold) stays valid until it is marked dead.
  PgOutcome leftovers = work_.query(
      "SELECT DISTINCT format('%I.%I', n.nspname, c.relname) FROM pg_index o "
      "JOIN pg_class oc ON oc.oid = o.indexrelid JOIN pg_index i ON i.indrelid = o.indrelid "
      "JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
      "WHERE (" +
          originals +
          ") AND c.oid <> oc.oid AND left(c.relname, length(oc.relname)) = oc.relname "
          "AND substr(c.relname, length(oc.relname) + 1) ~ '^_cc(new|old)[0-9]*$' ORDER BY 1",
      {target});
  if (!leftovers.ok) {
    return StepResult{false, leftovers.error};
  }
  for (const PgRow& row : leftovers.rows) {
    write_leftover(out_, Leftover::ReindexCopyDropped, row[0].value_or(""));
    left_invalid_.push_back(row[0].value_or(""));
  }
  // Dropped under the lock timeout: a timeout here is retried like the statement's own.
  return drop_left_invalid();
}

Applier::StepResult Applier::reconcile(const ScriptStatement& statement, bool& finished) {
  const Reconcile& what = *statement.reconcile;
  finished = false;
  switch (what.kind) {
    case Reconcile::Kind::None:
    case Reconcile::Kind::UnnamedIndexBuild:  // refused before anything runs
      return {};
    case Reconcile::Kind::CreateIndex: {
      PgOutcome found = work_.query(
          "SELECT i.indisvalid FROM pg_index i WHERE i.indexrelid = to_regclass($1) AND i.indrelid = "
          "to_regclass($2)",
          {what.index, what.table});
      if (!found.ok) {
        return StepResult{false, found.error};
      }
      if (found.rows.empty()) {
        return {};
      }
      if (found.rows[0][0] == std::optional<std::string>("t")) {
        write_leftover(out_, Leftover::IndexBuilt, what.index);
        finished = true;
        return {};
      }
      write_leftover(out_, Leftover::IndexInvalidRebuilt, what.index);
      // Dropped under the lock timeout: a timeout here is retried like the build's own.
      left_invalid_.push_back(what.index);
      return drop_left_invalid();
    }
    case Reconcile::Kind::DropIndex: {
      PgOutcome found = work_.query("SELECT to_regclass($1) IS NULL", {what.index});
      if (!found.ok) {
        return StepResult{false, found.error};
      }
      finished = found.rows[0][0] == std::optional<std::string>("t");
      if (finished) {
        write_leftover(out_, Leftover::IndexDropped, what.index);
      }
      return {};
    }
    case Reconcile::Kind::ReindexIndex:
      return drop_reindex_leftovers("o.indexrelid = to_regclass($1)", what.index);
    case Reconcile::Kind::ReindexTable:
      // The table's indexes and its TOAST table's.
      return drop_reindex_leftovers(
          "o.indrelid IN (SELECT t.oid FROM pg_class t WHERE t.oid = to_regclass($1) UNION ALL "
          "SELECT t.reltoastrelid FROM pg_class t WHERE t.oid = to_regclass($1))",
          what.table);
    case Reconcile::Kind::AddEnumValue: {
      // Sent again, a value that was added would fail ("already exists").
      PgOutcome found =
          work_.query("SELECT count(*) FROM pg_enum WHERE enumtypid = to_regtype($1) AND enumlabel = $2",
                      {what.type, what.label});
      if (!found.ok) {
        return StepResult{false, found.error};
      }
      finished = found.rows[0][0] != std::optional<std::string>("0");
      if (finished) {
        write_leftover(out_, Leftover::EnumValueAdded, what.type, what.label);
      }
      return {};
    }
    case Reconcile::Kind::DetachPartition: {
      PgOutcome found = work_.query(
          "SELECT inhdetachpending FROM pg_inherits WHERE inhrelid = to_regclass($1) AND inhparent = "
          "to_regclass($2)",
          {what.partition, what.table});
      if (!found.ok) {
        return StepResult{false, found.error};
      }
      if (found.rows.empty()) {
        write_leftover(out_, Leftover::PartitionDetached, what.partition);
        finished = true;
        return {};
      }
      if (found.rows[0][0] == std::optional<std::string>("t")) {
        // Sending the DETACH again would fail ("already pending detach"). FINALIZE waits like the
        // DETACH did: a lock timeout here is retried with the same backoff.
        write_leftover(out_, Leftover::PartitionDetachPending, what.partition);
        StepResult finalized =
            exec(fmt::format("ALTER TABLE {} DETACH PARTITION {} FINALIZE", what.table, what.partition));
        finished = finalized.ok;
        return finalized;
      }
      return {};
    }
  }
  return {};
}

Applier::StepResult Applier::run_in_own_transaction(MigrationState& migration, const Segment& segment) {
  StepResult result = exec("BEGIN");
  if (result.ok) {
    result = set_timeouts(true, false);
  }
  for (std::size_t i = segment.first; result.ok && i < segment.last; ++i) {
    result = run_statement(migration, i);
    if (!result.ok) {
      result.error.message = fmt::format("{}: {}", where(migration, i), result.error.message);
      result.statement = i;
    }
  }
  if (result.ok) {
    result = record(migration, segment.last, std::nullopt);
  }
  if (result.ok) {
    result = commit();
  }
  if (!result.ok) {
    rollback();
  }
  return result;
}

Applier::StepResult Applier::run_unwrapped(MigrationState& migration, const Segment& segment) {
  const ScriptStatement& statement = migration.script->statements[segment.first];
  const int number = static_cast<int>(segment.first) + 1;
  StepResult result = set_timeouts(false, statement.concurrent);
  if (result.ok) {
    // An earlier attempt's build left an invalid index that could not be dropped then: rebuilt,
    // a named one would be "already exists".
    result = drop_left_invalid();
  }
  // Sent before when the intent says so (by a killed runner, or by this runner's attempt that hit a
  // lock timeout), or when the row comes from a release that recorded no intent: ask the catalog.
  bool may_have_run = mark_.exists && mark_.applied == static_cast<int>(segment.first) &&
                      (mark_.running == number || (!mark_written_ && !mark_.running));
  if (result.ok && may_have_run && statement.reconcile->kind != Reconcile::Kind::None) {
    bool finished = false;
    result = reconcile(statement, finished);
    if (!result.ok) {
      result.error.message = fmt::format("{}: checking what the interrupted statement left: {}",
                                         where(migration, segment.first), result.error.message);
      return result;
    }
    if (finished) {
      return record(migration, segment.last, std::nullopt);
    }
  }
  if (result.ok) {
    // The intent, committed before the statement is sent: whatever happens to this runner, the next
    // one knows the statement may have run, and reconciles it.
    result = record(migration, segment.first, number);
  }
  std::string before;
  if (result.ok && builds_index_concurrently(statement)) {
    result = indexes_before(statement, before);
  }
  if (result.ok) {
    result = run_statement(migration, segment.first);
    if (!result.ok) {
      result.error.message = fmt::format("{}: {}", where(migration, segment.first), result.error.message);
      result.statement = segment.first;
    }
  }
  if (work_.alive() && !before.empty()) {
    // A failed (or cancelled) concurrent build leaves an invalid index behind: never keep it.
    bool found = false;
    StepResult dropped = drop_new_invalid_indexes(statement, before, found);
    if (result.ok && (found || !dropped.ok)) {
      result = dropped;
      result.ok = false;
      result.error.message =
          fmt::format("{}: the build left an invalid index (pg_index.indisvalid is false){}",
                      where(migration, segment.first),
                      dropped.ok ? "; miglint dropped it" : "; dropping it failed: " + dropped.error.message);
    }
  }
  if (result.ok) {
    result = record(migration, segment.last, std::nullopt);
  }
  return result;
}

Applier::StepResult Applier::run_segment(MigrationState& migration, const Segment& segment) {
  const auto& statements = migration.script->statements;
  switch (segment.kind) {
    case Segment::Kind::Wrapped:
      return run_in_own_transaction(migration, segment);
    case Segment::Kind::Explicit: {
      StepResult result = set_timeouts(false, false);
      bool recorded = false;
      for (std::size_t i = segment.first; result.ok && i < segment.last; ++i) {
        bool closes = i + 1 == segment.last && statements[i].control == ScriptStatement::Control::Commit;
        if (closes) {
          // Progress commits with the file's own transaction.
          result = record(migration, segment.last, std::nullopt);
          if (!result.ok) {
            break;
          }
        }
        result = run_statement(migration, i);
        if (!result.ok) {
          result.error.message = fmt::format("{}: {}", where(migration, i), result.error.message);
          result.statement = i;
        } else if (closes && staged_) {
          mark_ = *staged_;  // the file's COMMIT committed it
          mark_written_ = true;
          staged_.reset();
          recorded = true;
        }
      }
      if (!result.ok) {
        rollback();
      }
      if (result.ok && !recorded) {
        result = record(migration, segment.last, std::nullopt);  // a block that ended in ROLLBACK
      }
      return result;
    }
    case Segment::Kind::Autocommit: {
      const ScriptStatement& statement = statements[segment.first];
      if (!statement.outside_transaction && !statement.controls_transaction) {
        // A statement outside the file's own blocks that can run in a transaction runs in the
        // runner's, with its progress record: what autocommit would do, and a kill can never leave it
        // done but unrecorded (a rerun would repeat it).
        return run_in_own_transaction(migration, segment);
      }
      return run_unwrapped(migration, segment);
    }
  }
  return {};
}

int Applier::wait_for_leftovers() {
  // An earlier runner's sessions that may still write: (1) the holder of the work lock, which the
  // session running statements takes for its whole life (a runner whose lock session ended is
  // still running until it notices; a killed runner's backend until the server notices), and
  // (2) working backends named like a runner's (`miglint`, `miglint/<run id>`) whose run has no
  // other session holding an advisory lock: a killed runner's statements, still running. A live
  // runner of another history table (another --schema) holds its own lock and is left alone.
  // Runners polling for the lock hold nothing and are not waited for.
  const std::string sql =
      "SELECT a.pid, coalesce(a.state, ''), left(regexp_replace(a.query, '\\s+', ' ', 'g'), 120) "
      "FROM pg_stat_activity a WHERE a.datname = current_database() AND a.pid <> ALL ($1::int[]) "
      "AND (a.application_name = 'miglint' OR a.application_name LIKE 'miglint/%') AND ("
      " EXISTS (SELECT FROM pg_locks l WHERE l.pid = a.pid AND l.locktype = 'advisory' AND l.granted "
      "  AND l.objsubid = 1 AND l.classid::bigint = ((hashtextextended($2, 0) >> 32) & 4294967295) "
      "  AND l.objid::bigint = (hashtextextended($2, 0) & 4294967295))"
      " OR (a.state IS NOT NULL AND a.state <> 'idle' AND a.query NOT LIKE '%pg_try_advisory_lock%' "
      "  AND NOT EXISTS (SELECT FROM pg_stat_activity o JOIN pg_locks l ON l.pid = o.pid "
      "   AND l.locktype = 'advisory' AND l.granted WHERE a.application_name LIKE 'miglint/%' "
      "   AND split_part(o.application_name, ' ', 1) = split_part(a.application_name, ' ', 1) "
      "   AND o.pid <> a.pid))) ORDER BY a.pid";
  const std::string work_key = work_lock_key_text(settings_.schema);
  std::string ours = fmt::format("{{{},{}}}", work_.backend_pid(), watch_.backend_pid());
  auto deadline = Clock::now() + settings_.lock_wait;
  bool announced = false;
  bool cancelled = false;
  bool have_work_lock = false;
  while (true) {
    if (!have_work_lock) {
      PgOutcome got = work_.query("SELECT pg_try_advisory_lock(hashtextextended($1, 0))", {work_key});
      if (!got.ok) {
        err_ << fmt::format("miglint: error: cannot take the runner's work lock: {}\n", got.error.message);
        return got.error.connection_lost || !work_.alive() ? kExitError : kExitRefused;
      }
      have_work_lock = got.rows.at(0).at(0) == std::optional<std::string>("t");
    }
    PgOutcome found = watch_.query(sql, {ours, work_key});
    if (!found.ok) {
      err_ << fmt::format("miglint: error: cannot look for an earlier runner's sessions: {}\n",
                          found.error.message);
      return found.error.connection_lost || !watch_.alive() ? kExitError : kExitRefused;
    }
    if (have_work_lock && found.rows.empty()) {
      return kExitDone;
    }
    if (!announced) {
      announced = true;
      for (const PgRow& row : found.rows) {
        write_waiting_for_leftover_backend(out_, row[0].value_or("?"), row[1].value_or(""),
                                           row[2].value_or(""));
      }
    }
    if (g_interrupted) {
      err_ << "miglint: error: interrupted: nothing was applied\n";
      return kExitRefused;  // stop: neither cancel the leftovers nor go on to apply
    }
    if (Clock::now() >= deadline) {
      if (cancelled) {
        err_ << fmt::format(
            "miglint: error: an earlier runner's session is still there after --lock-wait and after "
            "cancelling it: nothing was applied\n");
        return kExitRefused;
      }
      cancelled = true;
      for (const PgRow& row : found.rows) {
        write_cancelling_leftover_backend(out_, row[0].value_or("?"));
        watch_.query("SELECT pg_cancel_backend($1::int)", {row[0]});
      }
      std::this_thread::sleep_for(milliseconds(500));
      PgOutcome again = watch_.query(sql, {ours, work_key});
      for (const PgRow& row : again.ok ? again.rows : std::vector<PgRow>{}) {
        watch_.query("SELECT pg_terminate_backend($1::int)", {row[0]});
      }
      deadline = Clock::now() + milliseconds(10000);  // for the terminated sessions to go
    }
    std::this_thread::sleep_for(milliseconds(200));
  }
}

namespace {}  // namespace

int Applier::apply(MigrationState& migration) {
  MigrationScript& script = *migration.script;
  started_ = Clock::now();
  // The file must still be what was vetted.
  Expected<std::string> now_on_disk = read_file_bytes(migration.file.path, max_file_size(settings_));
  if (!now_on_disk || sha256_hex(*now_on_disk) != migration.sha256) {
    err_ << fmt::format("miglint: error: {}: the file changed after it was vetted; nothing more is applied\n",
                        migration.display_path);
    return kExitRefused;
  }
  std::size_t done = migration.row ? static_cast<std::size_t>(migration.row->statements_applied) : 0;
  mark_ = migration.row
              ? HistoryMark{true, migration.row->statements_applied, migration.row->running_statement}
              : HistoryMark{};
  mark_written_ = false;
  staged_.reset();
  write_applying(out_, ApplyingView{migration.file.version, migration.file.name, migration.display_path,
                                    script.statements.size(), script_mode_name(script.mode), done,
                                    migration.out_of_order});
  // Every file starts from the session's defaults (a SET search_path of an earlier file does not
  // leak into it), and the settings this file made before the point it resumes at are made again:
  // its statements run as they would have for the runner that was interrupted.
  last_failure_.reset();
  StepResult session = exec("RESET ALL");
  if (session.ok && work_.server_version() >= 140000) {
    session = exec("SET client_connection_check_interval = '1s'");  // as PgSession::connect sets it
  }
  if (session.ok && !run_id_.empty()) {
    // Which file this run applies, for `status` in other sessions (runner/activity.hpp).
    PgOutcome named = work_.query("SELECT set_config('application_name', $1, false)",
                                  {applying_application_name(run_id_, ::getpid(), migration.file.version)});
    session = StepResult{named.ok, named.error};
  }
  for (std::size_t i = 0; session.ok && i < done; ++i) {
    if (script.statements[i].session_setting) {
      session = run_statement(migration, i);
    }
  }
  if (!session.ok) {
    err_ << fmt::format("miglint: error: {}: cannot set up the session: {}\n", migration.display_path,
                        session.error.message);
    return session.error.connection_lost || !work_.alive() ? kExitError : kExitRefused;
  }
  if (int checked = check_backfill_keys(migration, done); checked != kExitDone) {
    return checked;  // before anything of the file runs
  }
  if (script.statements.empty()) {
    StepResult recorded = record(migration, 0, std::nullopt);
    if (!recorded.ok) {
      err_ << fmt::format("miglint: error: {}: {}\n", migration.display_path, recorded.error.message);
      return recorded.error.connection_lost || recorded.history_conflict ? kExitError : kExitRefused;
    }
    return kExitDone;
  }
  for (const Segment& segment : script.segments) {
    if (segment.last <= done) {
      continue;
    }
    if (g_interrupted) {
      // A statement that completed although a SIGINT/SIGTERM came is kept; nothing more starts.
      err_ << fmt::format("miglint: error: interrupted before {}; {} of {} statements of {} are applied\n",
                          where(migration, segment.first), done, script.statements.size(),
                          migration.display_path);
      return kExitRefused;
    }
    if (StepResult lock = check_runner_lock(); !lock.ok) {
      return stop_without_lock(migration, segment.first, done, lock.error.message);
    }
    if (segment.first < done) {
      // Progress is only ever recorded at segment ends.
      err_ << fmt::format(
          "miglint: error: {}: the history says {} statements were applied, which is inside a "
          "transaction segment\n",
          migration.display_path, done);
      return kExitRefused;
    }
    if (script.statements[segment.first].backfill) {
      if (int status = run_backfill(migration, segment); status != kExitDone) {
        return status;
      }
      done = segment.last;
      continue;
    }
    for (int attempt = 0;; ++attempt) {
      StepResult result = run_segment(migration, segment);
      if (result.ok) {
        break;
      }
      if (lock_lost_) {
        return stop_without_lock(migration, segment.first, segment.first, result.error.message);
      }
      if (result.history_conflict) {
        err_ << fmt::format("miglint: error: {}\n", result.error.message);
        return kExitError;
      }
      if (result.error.connection_lost || !work_.alive()) {
        err_ << fmt::format(
            "miglint: error: lost the connection to the database: {}\n"
            "  the history is consistent: run again to resume\n",
            result.error.message);
        return kExitError;
      }
      bool lock_timeout = result.error.sqlstate == "55P03";
      if (g_interrupted) {
        err_ << fmt::format("miglint: error: interrupted: {}\n", result.error.message);
        return kExitRefused;
      }
      if (lock_timeout && attempt < settings_.retries) {
        // Backoff from 1s, doubling to 30s, with jitter so that runners do not retry in step.
        milliseconds base =
            std::min(milliseconds(30000), milliseconds(int64_t{1000} << std::min(attempt, 5)));
        milliseconds wait(std::uniform_int_distribution<int64_t>(base.count() / 2, base.count())(random_));
        write_lock_retry(out_, LockRetryView{result.error.message, attempt + 1, settings_.retries,
                                             static_cast<double>(wait.count()) / 1000.0, blockers_});
        if (!sleep_interruptibly(wait)) {
          err_ << "miglint: error: interrupted\n";
          return kExitRefused;
        }
        continue;
      }
      err_ << fmt::format(
          "miglint: error: {}{}\n", result.error.message,
          result.error.sqlstate.empty() ? "" : fmt::format(" (SQLSTATE {})", result.error.sqlstate));
      if (!result.error.detail.empty()) {
        err_ << fmt::format("  detail: {}\n", result.error.detail);
      }
      if (lock_timeout) {
        err_ << fmt::format("  gave up after {} retries; {}\n", settings_.retries,
                            blockers_.empty()
                                ? std::string("the blocking session had gone when miglint looked")
                                : fmt::format("blocked by {}", fmt::join(blockers_, "; ")));
      }
      const ScriptStatement& failed = script.statements[segment.first];
      bool unwrapped = segment.kind == Segment::Kind::Autocommit &&
                       (failed.outside_transaction || failed.controls_transaction);
      bool partial = segment.first > 0 && script.mode != ScriptMode::OneTransaction;
      if (unwrapped && failed.reconcile->kind != Reconcile::Kind::None) {
        // It ran outside a transaction: it may have done part of its work (a partition left DETACH
        // PENDING, copies of REINDEX), which the next run finds and finishes.
        err_ << fmt::format(
            "  {} of {} statements of {} are applied; {} ran outside a transaction and is recorded as "
            "started: the next run checks what it left and finishes it\n",
            segment.first, script.statements.size(), migration.display_path, where(migration, segment.first));
      } else if (partial) {
        err_ << fmt::format(
            "  {} of {} statements of {} are applied (recorded in the history); fix the cause and "
            "run again to resume\n",
            segment.first, script.statements.size(), migration.display_path);
      } else if (left_invalid_.empty()) {
        err_ << fmt::format("  nothing of {} was kept\n", migration.display_path);
      }
      for (const std::string& index : left_invalid_) {
        err_ << fmt::format(
            "  index {} was left invalid and could not be dropped: run DROP INDEX CONCURRENTLY {} before "
            "running "
            "again\n",
            index, index);
      }
      record_failed_attempt(migration, result);
      return kExitRefused;
    }
    done = segment.last;
  }
  auto elapsed = std::chrono::duration_cast<milliseconds>(Clock::now() - started_).count();
  write_migration_done(out_, elapsed);
  return kExitDone;
}

void Applier::record_failed_attempt(const MigrationState& migration, const StepResult& result) {
  FailedAttempt attempt{migration.file.version, migration.file.name,   migration.sha256, "",
                        result.error.message,   result.error.sqlstate, std::nullopt,     run_id_};
  if (result.statement) {
    attempt.statement = static_cast<int>(*result.statement) + 1;
    // The server's message, without the position every line of output gives it.
    std::string prefix = where(migration, *result.statement) + ": ";
    if (attempt.error.starts_with(prefix)) {
      attempt.error.erase(0, prefix.size());
    }
  }
  last_failure_ = attempt;
  rollback();
  if (!work_.alive()) {
    return;
  }
  std::string problem = record_failure(work_, settings_.schema, attempt);
  if (!problem.empty()) {
    err_ << fmt::format("  the failed attempt could not be recorded in {}: {}\n",
                        failures_table(settings_.schema), problem);
  }
}

int Applier::stop_without_lock(const MigrationState& migration, std::size_t at, std::size_t applied,
                               const std::string& why) {
  if (work_.alive() && work_.in_transaction()) {
    exec("ROLLBACK");
  }
  err_ << fmt::format(
      "miglint: error: lost the runner lock: {}\n"
      "  stopped before {} so that no other runner applies the same migrations; {} of {} statements of {} "
      "are applied (recorded in the history): run again to resume\n",
      why, where(migration, at), applied, migration.script->statements.size(), migration.display_path);
  return kExitError;
}

std::string lock_key_text(const std::string& schema) {
  return "miglint:" + schema + "." + kHistoryTable;
}

std::string work_lock_key_text(const std::string& schema) {
  return "miglint-work:" + schema + "." + kHistoryTable;
}

bool acquire_runner_lock(PgSession& session, const RunSettingsResolved& settings, std::ostream& out,
                         std::ostream& err, bool& connection_lost) {
  // Polled with pg_try_advisory_lock, never pg_advisory_lock: a session blocked in the server
  // would be a transaction that a CREATE INDEX CONCURRENTLY of the other runner waits for.
  auto deadline = Clock::now() + settings.lock_wait;
  milliseconds wait(100);
  std::mt19937 random{std::random_device{}()};
  bool announced = false;
  while (true) {
    PgOutcome got = session.query("SELECT pg_try_advisory_lock(hashtextextended($1, 0))",
                                  {lock_key_text(settings.schema)});
    if (!got.ok) {
      connection_lost = got.error.connection_lost;
      err << fmt::format("miglint: error: cannot take the runner lock: {}\n", got.error.message);
      return false;
    }
    if (got.rows[0][0] == std::optional<std::string>("t")) {
      return true;
    }
    if (!announced) {
      announced = true;
      write_waiting_for_runner_lock(out);
    }
    if (Clock::now() >= deadline || g_interrupted) {
      err << fmt::format(
          "miglint: error: another miglint run held the runner lock for longer than --lock-wait ({} ms)\n",
          settings.lock_wait.count());
      return false;
    }
    milliseconds jittered(std::uniform_int_distribution<int64_t>(wait.count() / 2, wait.count())(random));
    if (!sleep_interruptibly(jittered)) {
      err << "miglint: error: interrupted\n";
      return false;
    }
    wait = std::min(milliseconds(2000), wait * 2);
  }
}

}  // namespace miglint::runner
