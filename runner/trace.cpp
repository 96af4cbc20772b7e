#include "runner/trace.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <simdjson.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <ostream>
#include <set>

#include "analyzer/engine/linter.hpp"
#include "analyzer/model/lock_conflicts.hpp"
#include "analyzer/project/discover.hpp"
#include "analyzer/project/migration_layout.hpp"
#include "analyzer/report/reporter.hpp"
#include "analyzer/report/trace_report.hpp"
#include "analyzer/sql/sql_parser.hpp"
#include "analyzer/text/message_text.hpp"
#include "rules/registry.hpp"
#include "runner/connection_string.hpp"
#include "runner/database.hpp"
#include "runner/script.hpp"
#include "runner/sql_identifier.hpp"
#include "runner/state.hpp"
#include "runner/trace_catalog.hpp"

namespace miglint::runner {

namespace {

inline constexpr std::string_view kStrongerThanModel = "trace-stronger-than-model";
inline constexpr std::string_view kAccessExclusiveHeld = "trace-access-exclusive-held";
inline constexpr std::string_view kForeignKeyWithoutIndex = "trace-foreign-key-without-index";

struct TraceInput {
  std::string display_path;
  SourceFile source;
  MigrationScript script;
};

// A database failure that ends the trace (exit 2): the connection is gone or a bookkeeping query
// failed.
struct TraceStop {
  std::string message;
};

Finding make_finding(std::string_view rule_id, const SourceFile& source, const ScriptStatement& statement,
                     std::size_t index, std::string message, std::string help) {
  Finding finding;
  finding.rule = std::string(rule_id);
  finding.reported_by = find_rule(rule_id);
  finding.severity = finding.reported_by != nullptr ? finding.reported_by->severity : Severity::Warning;
  finding.path = source.path();
  finding.span = statement.span;
  finding.start = source.position(statement.span.begin);
  finding.end = source.position(statement.span.end);
  finding.message = std::move(message);
  finding.help = std::move(help);
  finding.statement_index = static_cast<int64_t>(index);
  set_source_line(finding, source);
  return finding;
}

bool starts_with_word(std::string_view label, std::string_view word) {
  if (label.size() < word.size()) {
    return false;
  }
  for (std::size_t i = 0; i < word.size(); ++i) {
    if (std::toupper(static_cast<unsigned char>(label[i])) != word[i]) {
      return false;
    }
  }
  return true;
}

std::string position_text(const Position& at) {
  return fmt::format("{}:{}", at.line, at.column);
}

std::string blocking_text(LockMode mode) {
  if (lock_blocks_reads(mode)) {
    return "it blocks reads and writes";
  }
  return lock_blocks_writes(mode) ? "it blocks writes" : "it blocks neither reads nor writes";
}

// Locks by relation, the strongest mode of each first.
void sort_locks(std::vector<TraceLockView>& locks) {
  std::sort(locks.begin(), locks.end(), [](const TraceLockView& a, const TraceLockView& b) {
    return a.relation != b.relation ? a.relation < b.relation : a.mode > b.mode;
  });
}

// The first statement of the file that runs outside a transaction (CONCURRENTLY, VACUUM, a file
// marked -- miglint-no-transaction), or null.
const ScriptStatement* statement_outside_a_transaction(const MigrationScript& script) {
  for (const Segment& segment : script.segments) {
    const ScriptStatement& alone = script.statements[segment.first];
    if (segment.kind == Segment::Kind::Autocommit && alone.control == ScriptStatement::Control::None) {
      return &alone;
    }
  }
  return nullptr;
}

// Why a file with such a statement was not traced rolled back; `copy_failure`: why no temporary
// copy of the database could be made for it.
std::string not_traced_outside_a_transaction(const SourceFile& source, const MigrationScript& script,
                                             const std::string& copy_failure) {
  const ScriptStatement* alone = statement_outside_a_transaction(script);
  return fmt::format(
      "not traced: the statement at {} ({}) runs outside a transaction, and what runs outside one cannot be "
      "rolled back{}: trace the file with --commit on a scratch database (--ephemeral starts one)",
      alone != nullptr ? position_text(alone->start) : std::string("?"),
      alone != nullptr ? statement_label(source.text(), *alone) : std::string("?"),
      copy_failure.empty()
          ? std::string()
          : fmt::format("; no temporary copy of the database could be made for it ({})", copy_failure));
}

// Traces the files one after another on `work`, watching autocommit statements from `watch`.
class Tracer {
 public:
  // `connect_probe` opens another session on the same database, for the blocking probes of the
  // statements that run alone.
  Tracer(PgSession& work, PgSession& watch, bool commit,
         std::function<Expected<std::unique_ptr<PgSession>>()> connect_probe)
      : work_(work), watch_(watch), commit_(commit), connect_probe_(std::move(connect_probe)) {}

  TraceFileView trace(const TraceInput& input, const FileLocks* model);

 private:
  // The statement's effects measured around it; false when it failed (recorded in `shown`).
  void run_in_transaction(const TraceInput& input, std::size_t index, const RelationFiles& before,
                          TraceStatementView& shown, std::vector<SessionLock>& taken);
  void run_alone(const TraceInput& input, std::size_t index, const RelationFiles& before,
                 const StatementLocks* model, TraceStatementView& shown, std::vector<SessionLock>& taken);
  void command(const std::string& sql) {
    PgOutcome done = work_.query(sql);
    if (!done.ok) {
      throw TraceStop{fmt::format("{}: {}", sql, done.error.message)};
    }
  }
  template <typename T>
  T value(Expected<T>&& read) {
    if (!read) {
      throw TraceStop{read.error().message};
    }
    return std::move(*read);
  }
  void compare_with_model(const TraceInput& input, std::size_t index, const StatementLocks* model,
                          const RelationFiles& before, const std::vector<SessionLock>& held_before,
                          TraceStatementView& shown, std::vector<Finding>& findings);
  void describe_changes(const RelationFiles& before, const RelationFiles& after,
                        const Constraints& constraints_before, const Constraints& constraints_after,
                        TraceStatementView& shown);

  PgSession& work_;
  PgSession& watch_;
  bool commit_;
  std::function<Expected<std::unique_ptr<PgSession>>()> connect_probe_;
  // Foreign keys added by the file's statements: (constraint oid, statement index).
  std::vector<std::pair<std::string, std::size_t>> new_foreign_keys_;
  // The relations that existed when the current transaction began (for a statement run alone: before
  // it): a lock on any other one blocks nobody.
  RelationFiles existing_;
};

void Tracer::describe_changes(const RelationFiles& before, const RelationFiles& after,
                              const Constraints& constraints_before, const Constraints& constraints_after,
                              TraceStatementView& shown) {
  for (const auto& [oid, relation] : after) {
    auto old = before.find(oid);
    if (old != before.end() && old->second.filenode != relation.filenode && old->second.filenode != "0" &&
        relation.filenode != "0") {
      shown.rewritten.push_back(
          TraceLockView{old->second.name, relation_kind_name(relation.kind), LockMode::None});
    }
  }
  for (const auto& [oid, constraint] : constraints_after) {
    auto old = constraints_before.find(oid);
    bool added = old == constraints_before.end();
    bool validated = !added && !old->second.valid && constraint.valid;
    if (added || validated) {
      shown.constraints.push_back(TraceConstraintView{constraint.name, constraint.on,
                                                      constraint_type_name(constraint.type), constraint.valid,
                                                      validated});
    }
  }
}

void Tracer::run_in_transaction(const TraceInput& input, std::size_t index, const RelationFiles& before,
                                TraceStatementView& shown, std::vector<SessionLock>& taken) {
  const ScriptStatement& statement = input.script.statements[index];
  std::string sql(
      input.source.text().substr(statement.span.begin, statement.span.end - statement.span.begin));
  std::vector<SessionLock> held = value(read_session_locks(work_, work_.backend_pid()));
  // A savepoint per statement: a failing statement is undone alone and the file's later statements
  // are still traced.
  command("SAVEPOINT miglint_trace");
  auto started = std::chrono::steady_clock::now();
  PgOutcome done = work_.run(sql, {});
  shown.duration_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  if (!done.ok) {
    if (done.error.connection_lost) {
      throw TraceStop{done.error.message};
    }
    shown.error = done.error.sqlstate.empty()
                      ? done.error.message
                      : fmt::format("{} (SQLSTATE {})", done.error.message, done.error.sqlstate);
    command("ROLLBACK TO SAVEPOINT miglint_trace");
    command("RELEASE SAVEPOINT miglint_trace");
    return;
  }
  command("RELEASE SAVEPOINT miglint_trace");
  std::vector<SessionLock> after = value(read_session_locks(work_, work_.backend_pid()));
  name_relations_from(after, before);
  name_relations_from(held, before);
  for (const SessionLock& lock : after) {
    bool was_held = std::find(held.begin(), held.end(), lock) != held.end();
    (was_held ? shown.held : shown.locks)
        .push_back(TraceLockView{lock.relation, relation_kind_name(lock.kind), lock.mode,
                                 !existing_.contains(lock.oid)});
    if (!was_held) {
      taken.push_back(lock);
    }
  }
  sort_locks(shown.locks);
  sort_locks(shown.held);
}

// Whether the model's `effect_relation` covers the relation `name` ("public.orders"): the same
// name, or a set that holds it ("*": every relation; "billing.*": those of schema billing).
bool effect_covers(std::string_view effect_relation, std::string_view name) {
  if (is_relation_set(effect_relation)) {
    effect_relation.remove_suffix(1);  // "*" -> "", "billing.*" -> "billing."
    return name.starts_with(effect_relation);
  }
  return name == effect_relation;
}

// A blocking probe: another session holding EXCLUSIVE on one existing table, so that the statement
// run alone must ask for its lock on that table and wait, in pg_locks, until the probe lets go.
// Sampling alone misses the locks of a statement quicker than the polling interval (a VACUUM of a
// small table, a concurrent index build on an empty one); a probed table's first lock stronger than
// ACCESS SHARE is seen every time. EXCLUSIVE, not ACCESS EXCLUSIVE: it lets the ACCESS SHARE that
// VACUUM and others take first to look the table up pass, and stops the lock that matters.
struct BlockingProbe {
  std::string oid;
  std::unique_ptr<PgSession> session;  // holding the lock while not null
};

// At most this many probes (sessions) per statement; the locks on further tables are sampled.
constexpr std::size_t kMostProbes = 32;

// The existing plain and partitioned tables the static model says the statement locks (LOCK TABLE
// takes no other kind), each of a set ("*": VACUUM FULL of the database) too, probed; a table that
// cannot be locked within a second, or when the server has no session left to give, is left to
// sampling.
std::vector<BlockingProbe> probe_tables(
    const StatementLocks* model, const RelationFiles& before,
    const std::function<Expected<std::unique_ptr<PgSession>>()>& connect) {
  std::vector<BlockingProbe> probes;
  if (model == nullptr) {
    return probes;
  }
  for (const RelationEffect& effect : model->relations) {
    for (const auto& [oid, relation] : before) {
      if (!effect_covers(effect.relation, relation.name) || (relation.kind != 'r' && relation.kind != 'p') ||
          probes.size() >= kMostProbes ||
          std::any_of(probes.begin(), probes.end(), [&](const BlockingProbe& p) { return p.oid == oid; })) {
        continue;
      }
      Expected<std::unique_ptr<PgSession>> session = connect();
      if (!session) {
        return probes;  // no more sessions to be had (max_connections): the rest is sampled
      }
      std::size_t dot = relation.name.find('.');
      std::string lock = fmt::format("LOCK TABLE ONLY {}.{} IN EXCLUSIVE MODE",
                                     quote_identifier(relation.name.substr(0, dot)),
                                     quote_identifier(relation.name.substr(dot + 1)));
      if ((*session)->query("BEGIN").ok && (*session)->query("SET LOCAL lock_timeout = '1s'").ok &&
          (*session)->query(lock).ok) {
        probes.push_back(BlockingProbe{oid, std::move(*session)});
      }
    }
  }
  return probes;
}

void Tracer::run_alone(const TraceInput& input, std::size_t index, const RelationFiles& before,
                       const StatementLocks* model, TraceStatementView& shown,
                       std::vector<SessionLock>& taken) {
  const ScriptStatement& statement = input.script.statements[index];
  std::string sql(
      input.source.text().substr(statement.span.begin, statement.span.end - statement.span.begin));
  shown.sampled = true;
  // A probe makes the statement wait a few milliseconds for its lock: not under a lock_timeout the
  // file set that short (the wait would fail it), then sampling alone.
  PgOutcome timeout = work_.query("SELECT setting::bigint FROM pg_settings WHERE name = 'lock_timeout'");
  const long long lock_timeout_ms =
      timeout.ok && !timeout.rows.empty() && timeout.rows[0][0] ? std::stoll(*timeout.rows[0][0]) : 0;
  std::vector<BlockingProbe> probes;
  if (lock_timeout_ms == 0 || lock_timeout_ms >= 100) {
    probes = probe_tables(model, before, connect_probe_);
  }
  auto release = [](BlockingProbe& probe) {
    if (probe.session) {
      probe.session->query("ROLLBACK");
      probe.session.reset();
    }
  };
  std::set<std::pair<std::string, LockMode>> seen;
  std::string sample_error;
  auto sample = [&] {
    Expected<std::vector<SessionLock>> locks = read_session_locks(watch_, work_.backend_pid());
    if (!locks) {
      sample_error = locks.error().message;
      for (BlockingProbe& probe : probes) {
        release(probe);  // never leave the statement waiting on a probe nobody watches
      }
      return;
    }
    name_relations_from(*locks, before);
    for (const SessionLock& lock : *locks) {
      if (seen.insert({lock.oid, lock.mode}).second) {
        taken.push_back(lock);
      }
      // Its lock on a probed table is asked for (and waits): seen, the probe lets it go.
      for (BlockingProbe& probe : probes) {
        if (probe.oid == lock.oid) {
          release(probe);
        }
      }
    }
  };
  auto started = std::chrono::steady_clock::now();
  PgOutcome done = work_.run(sql, sample, std::chrono::milliseconds(2));
  for (BlockingProbe& probe : probes) {
    release(probe);
  }
  shown.duration_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  if (!sample_error.empty()) {
    throw TraceStop{sample_error};
  }
  if (!done.ok) {
    if (done.error.connection_lost) {
      throw TraceStop{done.error.message};
    }
    shown.error = done.error.sqlstate.empty()
                      ? done.error.message
                      : fmt::format("{} (SQLSTATE {})", done.error.message, done.error.sqlstate);
    return;
  }
  for (const SessionLock& lock : taken) {
    shown.locks.push_back(TraceLockView{lock.relation, relation_kind_name(lock.kind), lock.mode,
                                        !existing_.contains(lock.oid)});
  }
  sort_locks(shown.locks);
}

// The model's prediction against what the server did, for the tables that existed before the
// statement (the model speaks of tables; a table the statement creates is nobody else's yet).
// ACCESS SHARE is left out on both sides: it blocks only ACCESS EXCLUSIVE, and the model does not
// describe plain reads. A lock the session already held in the same mode gets no new pg_locks row:
// then a weaker or missing observation is not a difference.
void Tracer::compare_with_model(const TraceInput& input, std::size_t index, const StatementLocks* model,
                                const RelationFiles& before, const std::vector<SessionLock>& held_before,
                                TraceStatementView& shown, std::vector<Finding>& findings) {
  const ScriptStatement& statement = input.script.statements[index];
  std::map<std::string, LockMode> existing;  // table-like relations before the statement, by name
  for (const auto& [oid, relation] : before) {
    if (is_table_like(relation.kind)) {
      existing[relation.name] = LockMode::None;
    }
  }
  std::map<std::string, LockMode> predicted;
  std::set<std::string> predicted_rewrites;
  if (model != nullptr) {
    shown.model.relations = model->relations;
    auto predict = [&](const std::string& relation, const RelationEffect& effect) {
      predicted[relation] = std::max(predicted[relation], effect.lock);
      if (effect.rewrite) {
        predicted_rewrites.insert(relation);
      }
    };
    for (const RelationEffect& effect : model->relations) {
      if (!is_relation_set(effect.relation)) {
        if (existing.contains(effect.relation)) {
          predict(effect.relation, effect);
        }
        continue;
      }
      // "*" (VACUUM FULL, CLUSTER without a table) or "schema.*" (DROP SCHEMA ... CASCADE): each
      // existing table of the set.
      for (const auto& [name, unused] : existing) {
        if (effect_covers(effect.relation, name)) {
          predict(name, effect);
        }
      }
    }
  }
  std::map<std::string, LockMode> observed;
  for (const TraceLockView& lock : shown.locks) {
    if (existing.contains(lock.relation) && lock.mode != LockMode::AccessShare &&
        (lock.kind == "table" || lock.kind == "partitioned table" || lock.kind == "materialized view")) {
      observed[lock.relation] = std::max(observed[lock.relation], lock.mode);
    }
  }
  std::set<std::string> observed_rewrites;
  bool truncate = starts_with_word(statement_label(input.source.text(), statement),
                                   "TRUNCATE");  // a new empty file, no row copied
  for (const TraceLockView& rewritten : shown.rewritten) {
    if (!truncate && existing.contains(rewritten.relation)) {
      observed_rewrites.insert(rewritten.relation);
    }
  }
  auto held_exactly = [&](const std::string& relation, LockMode mode) {
    return std::any_of(held_before.begin(), held_before.end(), [&](const SessionLock& lock) {
      return lock.relation == relation && lock.mode == mode;
    });
  };
  bool agrees = observed_rewrites == predicted_rewrites;
  std::set<std::string> relations;
  for (const auto& [name, mode] : predicted) {
    relations.insert(name);
  }
  for (const auto& [name, mode] : observed) {
    relations.insert(name);
  }
  for (const std::string& relation : relations) {
    LockMode expected = predicted.contains(relation) ? predicted[relation] : LockMode::None;
    LockMode seen = observed.contains(relation) ? observed[relation] : LockMode::None;
    if (seen == expected || (seen < expected && held_exactly(relation, expected))) {
      continue;
    }
    agrees = false;
    if (seen > expected) {
      findings.push_back(make_finding(
          kStrongerThanModel, input.source, statement, index,
          fmt::format(
              "the server took {} on {} ({}), but miglint's static lock model predicted {} for this "
              "statement: the migration locks more than `miglint lint` and `miglint locks` assume, which "
              "is also a problem of miglint's model (please report it)",
              lock_mode_name(seen), escape_for_message(relation), blocking_text(seen),
              expected == LockMode::None ? std::string("no lock") : std::string(lock_mode_name(expected)),
              escape_for_message(relation)),
          "Plan the deployment for the lock the trace shows (lock_timeout, a quiet hour, a smaller "
          "statement), and report the statement to miglint so that its model predicts it."));
    }
  }
  for (const std::string& relation : observed_rewrites) {
    if (!predicted_rewrites.contains(relation)) {
      findings.push_back(make_finding(
          kStrongerThanModel, input.source, statement, index,
          fmt::format(
              "the server rewrote {} (pg_class.relfilenode changed: every row copied, every index "
              "rebuilt, under ACCESS EXCLUSIVE), but miglint's static lock model predicted no rewrite "
              "for this statement: `miglint lint` cannot see it, which is also a problem of miglint's "
              "model (please report it)",
              escape_for_message(relation)),
          "Avoid the rewrite (a type change that is binary-coercible, a new column backfilled in batches "
          "and swapped in), or plan for the table to be unavailable while it is copied."));
    }
  }
  shown.model.agrees = agrees;
}

TraceFileView Tracer::trace(const TraceInput& input, const FileLocks* model) {
  TraceFileView file;
  file.path = input.display_path;
  const MigrationScript& script = input.script;
  if (!commit_ && statement_outside_a_transaction(script) != nullptr) {
    // The caller traces such a file in a temporary copy of the database (trace_in_a_copy).
    file.outcome = not_traced_outside_a_transaction(input.source, script, "");
    return file;
  }
  new_foreign_keys_.clear();
  bool in_transaction = false;
  // ACCESS EXCLUSIVE locks on tables that existed before the transaction, taken by a statement of
  // it: (relation, statement index), and the later statements of the transaction that ran under it.
  struct HeldExclusive {
    std::string relation;
    std::size_t taken_by;
    std::vector<std::size_t> later;
    double later_ms = 0;
  };
  std::vector<HeldExclusive> exclusive;
  RelationFiles before_transaction;
  auto end_transaction_findings = [&] {
    for (const HeldExclusive& held : exclusive) {
      if (held.later.empty()) {
        continue;
      }
      const ScriptStatement& taker = script.statements[held.taken_by];
      file.findings.push_back(make_finding(
          kAccessExclusiveHeld, input.source, script.statements[held.later.front()], held.later.front(),
          fmt::format(
              "this statement and {} more after it ran while the transaction held the ACCESS EXCLUSIVE "
              "lock that the statement at {} took on {} ({:.1f} ms of statements under it in the trace): "
              "every query on {}, plain SELECT included, waits until the transaction ends",
              held.later.size() - 1, position_text(taker.start), escape_for_message(held.relation),
              held.later_ms, escape_for_message(held.relation)),
          "End the transaction right after the statement that takes ACCESS EXCLUSIVE: move what follows it "
          "into its own transaction or migration, and combine changes of the same table into one ALTER "
          "TABLE."));
    }
    exclusive.clear();
  };
  auto open = [&] {
    if (!in_transaction) {
      command("BEGIN");
      in_transaction = true;
      before_transaction = value(read_relation_files(work_));
      existing_ = before_transaction;
    }
  };
  std::map<Position, const StatementLocks*> model_at;
  if (model != nullptr) {
    for (const StatementLocks& statement : model->statements) {
      model_at[statement.start] = &statement;
    }
  }
  for (const Segment& segment : script.segments) {
    const bool alone = segment.kind == Segment::Kind::Autocommit;
    bool ends_in_rollback = false;
    for (std::size_t i = segment.first; i < segment.last; ++i) {
      const ScriptStatement& statement = script.statements[i];
      if (g_interrupted) {
        throw TraceStop{"interrupted"};  // the open transaction is rolled back with the session
      }
      if (statement.control != ScriptStatement::Control::None) {
        ends_in_rollback = statement.control == ScriptStatement::Control::Rollback;
        continue;  // the trace opens and ends the transactions itself
      }
      TraceStatementView& shown = file.statements.emplace_back();
      shown.start = statement.start;
      shown.label = statement_label(input.source.text(), statement);
      if (statement.controls_transaction) {
        shown.error =
            "not traced: the statement controls transactions itself (SAVEPOINT, PREPARE, a CALL that "
            "commits)";
        continue;
      }
      auto predicted_at = model_at.find(statement.start);
      const StatementLocks* predicted = predicted_at == model_at.end() ? nullptr : predicted_at->second;
      RelationFiles before = value(read_relation_files(work_));
      Constraints constraints_before = value(read_constraints(work_));
      std::vector<SessionLock> held_before;
      std::vector<SessionLock> taken;
      if (alone) {
        if (in_transaction) {
          end_transaction_findings();
          command("COMMIT");
          in_transaction = false;
        }
        existing_ = before;
        if (statement.outside_transaction) {
          run_alone(input, i, before, predicted, shown, taken);
        } else {
          // Outside a transaction block, a statement PostgreSQL allows in one is its own implicit
          // transaction: run in an explicit one of its own, it takes the same locks and commits the
          // same way, and its session can read them before they go (sampled from the other session,
          // a statement of a few milliseconds shows none).
          command("BEGIN");
          run_in_transaction(input, i, before, shown, taken);
          command(commit_ ? "COMMIT" : "ROLLBACK");
        }
      } else {
        open();
        held_before = value(read_session_locks(work_, work_.backend_pid()));
        name_relations_from(held_before, before);
        run_in_transaction(input, i, before, shown, taken);
      }
      if (!shown.error.empty()) {
        continue;
      }
      RelationFiles after = value(read_relation_files(work_));
      Constraints constraints_after = value(read_constraints(work_));
      describe_changes(before, after, constraints_before, constraints_after, shown);
      for (const auto& [oid, constraint] : constraints_after) {
        if (constraint.type == 'f' && !constraints_before.contains(oid)) {
          new_foreign_keys_.emplace_back(oid, i);
        }
      }
      compare_with_model(input, i, predicted, before, held_before, shown, file.findings);
      if (in_transaction && !alone) {
        for (HeldExclusive& held : exclusive) {
          if (!statement.session_setting) {
            held.later.push_back(i);
            held.later_ms += shown.duration_ms;
          }
        }
        for (const SessionLock& lock : taken) {
          auto existed = before_transaction.find(lock.oid);
          if (lock.mode == LockMode::AccessExclusive && existed != before_transaction.end() &&
              is_table_like(existed->second.kind) &&
              std::none_of(exclusive.begin(), exclusive.end(),
                           [&](const HeldExclusive& held) { return held.relation == lock.relation; })) {
            exclusive.push_back(HeldExclusive{lock.relation, i, {}, 0});
          }
        }
      }
    }
    // With --commit, each of the file's transactions ends where the file ends it; rolled back, the
    // whole file is one transaction, but a lock held across its own COMMIT is not the file's fault.
    if (!alone && in_transaction) {
      end_transaction_findings();
      if (commit_) {
        command(ends_in_rollback ? "ROLLBACK" : "COMMIT");
        in_transaction = false;
      }
    }
  }
  // Foreign keys without an index on their referencing columns, once the file is through (an index
  // the file builds after its foreign key counts).
  for (const auto& [oid, index] : new_foreign_keys_) {
    Expected<bool> indexed = foreign_key_has_index(work_, oid);
    if (!indexed) {
      throw TraceStop{indexed.error().message};
    }
    if (*indexed) {
      continue;
    }
    const TraceStatementView* shown = nullptr;
    for (const TraceStatementView& candidate : file.statements) {
      if (candidate.start == script.statements[index].start) {
        shown = &candidate;
      }
    }
    std::string name = "a foreign key";
    std::string table;
    if (shown != nullptr) {
      for (const TraceConstraintView& constraint : shown->constraints) {
        if (constraint.type == "foreign key") {
          name = fmt::format("foreign key {}", escape_for_message(constraint.name));
          table = escape_for_message(constraint.on);
          break;
        }
      }
    }
    file.findings.push_back(make_finding(
        kForeignKeyWithoutIndex, input.source, script.statements[index], index,
        fmt::format(
            "{}{} has no index on its referencing columns: every DELETE or key UPDATE of a referenced "
            "row reads the whole of {} under a lock, and joins along the key scan it too",
            name, table.empty() ? "" : " on " + table, table.empty() ? "the referencing table" : table),
        "Create an index whose leading columns are the foreign key's columns (CREATE INDEX CONCURRENTLY on a "
        "table in use), in this migration or the next."));
  }
  if (in_transaction) {
    command(commit_ ? "COMMIT" : "ROLLBACK");
  }
  std::sort(file.findings.begin(), file.findings.end(), [](const Finding& a, const Finding& b) {
    return std::tie(a.start.line, a.start.column, a.rule) < std::tie(b.start.line, b.start.column, b.rule);
  });
  file.outcome = commit_ ? "committed" : "rolled back";
  file.traced = true;
  return file;
}

// The trace's two sessions: `work` runs the statements, `watch` samples the locks of those that
// run alone.
struct TraceSessions {
  std::unique_ptr<PgSession> work;
  std::unique_ptr<PgSession> watch;
  // Connects both to `database` of the URL's server (empty: the URL's own).
  std::optional<Error> connect(const std::string& url, const Redactor& redact, const std::string& database) {
    Expected<std::unique_ptr<PgSession>> new_work =
        PgSession::connect(url, redact, "miglint-trace", database);
    if (!new_work) {
      return new_work.error();
    }
    Expected<std::unique_ptr<PgSession>> new_watch =
        PgSession::connect(url, redact, "miglint-trace-watch", database);
    if (!new_watch) {
      return new_watch.error();
    }
    work = std::move(*new_work);
    watch = std::move(*new_watch);
    return std::nullopt;
  }
  void close() {
    work.reset();
    watch.reset();
  }
};

// A file with statements that cannot run in a transaction, traced without --commit: what runs
// outside a transaction cannot be rolled back, so the file runs committed in a temporary copy of
// the database (CREATE DATABASE miglint_trace_<pid> TEMPLATE <the database>), dropped afterwards.
// The database itself is left as it was, and the file is traced against it as it was, as a file
// rolled back is. A copy needs the CREATEDB privilege and no other session on the database (the
// trace's own are closed meanwhile): without either, the file is not traced, and says why.
TraceFileView trace_in_a_copy(const std::string& url, const Redactor& redact, TraceSessions& sessions,
                              const TraceInput& input, const FileLocks* model) {
  PgOutcome named = sessions.work->query("SELECT current_database()");
  if (!named.ok || named.rows.empty() || !named.rows[0][0]) {
    throw TraceStop{named.error.message};
  }
  const std::string original = *named.rows[0][0];
  const int server_version = sessions.work->server_version();
  const std::string copy = fmt::format("miglint_trace_{}", ::getpid());
  auto not_traced = [&](const std::string& why) {
    TraceFileView file;
    file.path = input.display_path;
    file.outcome = not_traced_outside_a_transaction(input.source, input.script, why);
    return file;
  };
  // CREATE and DROP DATABASE run from another database of the server.
  Expected<std::unique_ptr<PgSession>> admin =
      PgSession::connect(url, redact, "miglint-trace-copy", "postgres");
  if (!admin) {
    admin = PgSession::connect(url, redact, "miglint-trace-copy", "template1");
  }
  if (!admin) {
    return not_traced(admin.error().message);
  }
  sessions.close();
  auto reconnect = [&] {
    if (std::optional<Error> failed = sessions.connect(url, redact, {})) {
      throw TraceStop{failed->message};
    }
  };
  PgOutcome made = (*admin)->query(
      fmt::format("CREATE DATABASE {} TEMPLATE {}", quote_identifier(copy), quote_identifier(original)));
  if (!made.ok) {
    reconnect();
    return not_traced(made.error.message);
  }
  auto drop = [&] {
    return (*admin)->query(fmt::format("DROP DATABASE IF EXISTS {}{}", quote_identifier(copy),
                                       server_version >= 130000 ? " WITH (FORCE)" : ""));
  };
  TraceFileView file;
  try {
    TraceSessions in_copy;
    if (std::optional<Error> failed = in_copy.connect(url, redact, copy)) {
      throw TraceStop{failed->message};
    }
    Tracer tracer(*in_copy.work, *in_copy.watch, true,
                  [&] { return PgSession::connect(url, redact, "miglint-trace-probe", copy); });
    file = tracer.trace(input, model);
  } catch (const TraceStop&) {
    drop();
    throw;
  }
  PgOutcome dropped = drop();
  if (!dropped.ok) {
    throw TraceStop{
        fmt::format("the temporary copy {} of the database could not be dropped (drop it by hand): {}", copy,
                    dropped.error.message)};
  }
  reconnect();
  if (file.traced) {
    file.outcome = fmt::format(
        "committed in a temporary copy of the database ({}, dropped afterwards): statements that run outside "
        "a transaction cannot be rolled back; the database itself is unchanged",
        copy);
  }
  return file;
}

// The tables the files create (CREATE TABLE), as "schema.name", with the file that creates each.
std::vector<std::pair<std::string, std::string>> created_tables(const std::vector<TraceInput>& inputs) {
  std::vector<std::pair<std::string, std::string>> tables;
  for (const TraceInput& input : inputs) {
    simdjson::dom::parser parser;
    ParsedSql parsed = parse_sql(input.source.c_str(), input.source.size(), parser);
    for (std::size_t i = 0; i < parsed.statements.size(); ++i) {
      Statement statement(input.source, parsed.statements[i].ast, parsed.statements[i].raw,
                          parsed.statements[i].location_base, static_cast<uint32_t>(i));
      if (statement.kind() == "CreateStmt") {
        tables.emplace_back(statement.relation_name(), input.display_path);
      }
    }
  }
  return tables;
}

}  // namespace

int trace_migrations(const RunSettingsResolved& settings, const TraceRequest& request, std::ostream& out,
                     std::ostream& err) {
  if (settings.database_url.empty()) {
    err << "miglint: error: no database: give --db URL (a scratch database), use --ephemeral, set "
           "MIGLINT_DATABASE_URL, or [run] database_url in miglint.toml\n";
    return kExitError;
  }
  if (std::string problem = connection_string_problem(settings.database_url, settings.database_url_source);
      !problem.empty()) {
    err << fmt::format("miglint: error: {}\n", problem);
    return kExitError;
  }
  std::vector<std::string> paths =
      request.paths.empty() ? std::vector<std::string>{settings.directory} : request.paths;
  DiscoveredInputs discovered = discover_inputs(paths, "stdin.sql");
  if (!discovered.errors.empty()) {
    err << input_error_line(discovered.errors.front());
    return kExitError;
  }
  std::vector<LintInput> lint_inputs;
  for (const LintInput& input : discovered.inputs) {
    if (!input.contents && !is_down_migration_path(input.display_path)) {
      lint_inputs.push_back(input);
    }
  }
  if (lint_inputs.empty()) {
    err << fmt::format("miglint: error: no migration files in {}\n",
                       escape_for_message(fmt::format("{}", fmt::join(paths, ", "))));
    return kExitError;
  }
  Redactor redact(settings.database_url);
  TraceSessions sessions;
  if (std::optional<Error> failed = sessions.connect(settings.database_url, redact, {})) {
    err << fmt::format("miglint: error: {}\n", failed->message);
    return kExitError;
  }
  const int server_major = sessions.work->server_version() / 10000;
  std::vector<TraceInput> inputs;
  for (const LintInput& input : lint_inputs) {
    Expected<SourceFile> source =
        load_source_file(input.filesystem_path, input.display_path, max_file_size(settings));
    if (!source) {
      err << fmt::format("miglint: error: {}: {}\n", escape_for_message(input.display_path),
                         source.error().message);
      return kExitError;
    }
    Expected<MigrationScript> script = plan_script(*source, server_major);
    if (!script) {
      err << fmt::format("miglint: error: {}\n", escape_for_message(script.error().message));
      return kExitError;
    }
    inputs.push_back(TraceInput{input.display_path, std::move(*source), std::move(*script)});
  }
  if (!request.commit) {
    std::vector<std::pair<std::string, std::string>> tables = created_tables(inputs);
    tables.emplace_back(fmt::format("{}.{}", settings.schema, kHistoryTable), "miglint run");
    for (const auto& [table, creator] : tables) {
      std::size_t dot = table.find('.');
      PgOutcome found = sessions.work->query(
          "SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND "
          "c.relname = $2",
          {table.substr(0, dot), table.substr(dot + 1)});
      if (!found.ok) {
        err << fmt::format("miglint: error: {}\n", found.error.message);
        return kExitError;
      }
      if (!found.rows.empty()) {
        err << fmt::format(
            "miglint: error: the database already holds {} (created by {}): trace locks and changes what it "
            "touches, so it needs a scratch database (--ephemeral starts one); --commit traces on this one "
            "anyway\n",
            escape_for_message(table), escape_for_message(creator));
        return kExitError;
      }
    }
  }
  // The static model's view of the same files, as `miglint locks` and `miglint plan` read them.
  std::map<std::string, FileLocks> model;
  RuleSet rules(all_rules(), {}, {});
  explain_locks_in_order(
      lint_inputs, rules,
      [&](const std::string&) {
        LintOptions options;
        options.pg_version = server_major;
        options.execution = ExecutionMode::Runner;
        return options;
      },
      [&](const std::string& path, Expected<FileLocks>&& explained) {
        if (explained) {
          model.emplace(path, std::move(*explained));
        }
      });
  TraceView view;
  view.server_version = sessions.work->server_version();
  view.commit = request.commit;
  try {
    for (const TraceInput& input : inputs) {
      auto found = model.find(input.display_path);
      const FileLocks* file_model = found == model.end() ? nullptr : &found->second;
      if (!request.commit && statement_outside_a_transaction(input.script) != nullptr) {
        view.files.push_back(trace_in_a_copy(settings.database_url, redact, sessions, input, file_model));
      } else {
        Tracer tracer(*sessions.work, *sessions.watch, request.commit, [&] {
          return PgSession::connect(settings.database_url, redact, "miglint-trace-probe");
        });
        view.files.push_back(tracer.trace(input, file_model));
      }
    }
  } catch (const TraceStop& stop) {
    err << fmt::format("miglint: error: {}\n", stop.message);
    return kExitError;
  }
  bool failed = false;
  for (const TraceFileView& file : view.files) {
    for (const TraceStatementView& statement : file.statements) {
      failed = failed || !statement.error.empty();
      if (statement.error.empty()) {
        ++view.compared;
        view.agreed += statement.model.agrees ? 1 : 0;
      }
    }
    failed = failed || std::any_of(file.findings.begin(), file.findings.end(),
                                   [](const Finding& f) { return f.severity >= Severity::Warning; });
  }
  if (request.format == "json") {
    write_trace_json(out, view);
  } else if (request.format == "markdown") {
    write_trace_markdown(out, view);
  } else if (request.format == "sarif") {
    write_trace_sarif(out, view);
  } else {
    write_trace_text(out, view);
  }
  return failed ? kExitRefused : kExitDone;
}

}  // namespace miglint::runner
