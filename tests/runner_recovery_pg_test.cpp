// Every interruption of `miglint run` is recovered (issue 21): a SIGKILL of the runner, a terminated
// backend and a server restart, at every position of every statement kind that runs outside a
// transaction, are followed by a rerun that finishes the migrations exactly once and leaves no invalid
// index and no REINDEX copy behind. The failures the fault-injection trial found (F1, F2, F3, F7) each
// have a test here that failed before the runner recorded its intent.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <map>
#include <random>

#include "tests/runner_pg_support.hpp"

using namespace miglint::runner_pg;

namespace {

class RecoveryAgainstServer : public RunnerAgainstServer {
 protected:
  // The counter of a name in `counters` (incremented by the migrations; once each when all is well).
  std::string counter(const std::string& name) {
    return value("SELECT n FROM counters WHERE name = '" + name + "'");
  }
  // Indexes anywhere in the database that are invalid, or copies REINDEX CONCURRENTLY left.
  std::string bad_indexes() {
    return value(
        "SELECT coalesce(string_agg(c.relname || CASE WHEN i.indisvalid THEN '' ELSE ' (invalid)' END, ', ' "
        "ORDER BY c.relname), '') FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
        "WHERE NOT i.indisvalid OR c.relname ~ '_cc(new|old)[0-9]*$'");
  }
  // Waits until the backends of a killed runner are gone (the server notices the dead client).
  bool killed_runner_gone() {
    return wait_until([&] { return no_miglint_backends(); }, seconds(20));
  }
  // The pid of the runner's backend that waits for a lock while running `like`.
  int runner_waiting(const std::string& like) { return runner_backend(like, "wait_event_type = 'Lock'"); }
};

constexpr const char* kItems =
    "CREATE TABLE items (id bigint PRIMARY KEY, c int NOT NULL, d int NOT NULL, counter int NOT NULL DEFAULT "
    "0);"
    "INSERT INTO items (id, c, d) SELECT g, (g * 7919) % 100003, g % 1000 FROM generate_series(1, 200000) g;"
    "CREATE TABLE counters (name text PRIMARY KEY, n int NOT NULL DEFAULT 0);";

// ---------------------------------------------------------------------------------------------
// Defect 1 / F2: a CONCURRENTLY build killed as the first statement of a file.

TEST_F(RecoveryAgainstServer, ConcurrentBuildKilledAsTheFilesFirstStatementIsRebuiltByTheRerun) {
  auto db = session();
  ASSERT_EQ(db->exec(kItems), "");
  ASSERT_EQ(db->exec("INSERT INTO counters VALUES ('after')"), "");
  migration("001_index.sql",
            "CREATE INDEX CONCURRENTLY items_c_idx ON items (c);\n"
            "UPDATE counters SET n = n + 1 WHERE name = 'after';\n");
  // Held up by an open transaction that wrote to items: the build waits for it, its invalid index
  // already in the catalog.
  auto blocker = session();
  ASSERT_EQ(blocker->exec("BEGIN; LOCK TABLE items IN ROW EXCLUSIVE MODE"), "");
  {
    Miglint runner(work_->path(), args("run", {"--lock-timeout", "60s"}));
    ASSERT_TRUE(wait_until([&] { return runner_waiting("CREATE INDEX CONCURRENTLY%") != 0; }, seconds(20)))
        << runner.wait(milliseconds(1));
    runner.kill9();
    EXPECT_EQ(runner.wait().signal, SIGKILL);
  }
  ASSERT_TRUE(killed_runner_gone());
  ASSERT_EQ(blocker->exec("ROLLBACK"), "");
  ASSERT_EQ(value("SELECT indisvalid FROM pg_index WHERE indexrelid = to_regclass('items_c_idx')"), "f");
  Miglint::Result status = miglint(args("status"));
  EXPECT_NE(status.out.find("partial"), std::string::npos) << status;
  EXPECT_NE(status.out.find("interrupted in statement 1"), std::string::npos) << status;

  Miglint::Result rerun = run();
  ASSERT_EQ(rerun.exit, 0) << rerun;
  EXPECT_NE(rerun.out.find("left invalid"), std::string::npos) << rerun;
  EXPECT_EQ(value("SELECT indisvalid FROM pg_index WHERE indexrelid = to_regclass('items_c_idx')"), "t");
  EXPECT_EQ(bad_indexes(), "");
  EXPECT_EQ(counter("after"), "1");
  auto rows = history();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0][2], "t");
  EXPECT_EQ(rows[0][3], "2");
}

// F2 as the trial ran it: a file of one build, killed at once or a little later, never blocked.
TEST_F(RecoveryAgainstServer, LoneConcurrentBuildKilledAtAnyMomentIsFinishedByTheRerun) {
  auto db = session();
  ASSERT_EQ(db->exec(kItems), "");
  migration("001_index.sql",
            "-- miglint-no-transaction\nCREATE INDEX CONCURRENTLY items_c_idx ON items (c);\n");
  for (int delay_ms : {0, 40, 120}) {
    {
      Miglint runner(work_->path(), args("run"));
      ASSERT_TRUE(wait_until([&] { return runner_backend("CREATE INDEX CONCURRENTLY%") != 0; }, seconds(20)))
          << runner.wait(milliseconds(1));
      std::this_thread::sleep_for(milliseconds(delay_ms));
      runner.kill9();
      runner.wait();
    }
    ASSERT_TRUE(killed_runner_gone());
    Miglint::Result rerun = run();
    ASSERT_EQ(rerun.exit, 0) << "killed " << delay_ms << " ms into the build\n" << rerun;
    EXPECT_EQ(value("SELECT indisvalid FROM pg_index WHERE indexrelid = to_regclass('items_c_idx')"), "t");
    EXPECT_EQ(bad_indexes(), "");
    auto rows = history();
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0][2], "t");
    ASSERT_EQ(db->exec(std::string("DROP INDEX items_c_idx; DELETE FROM ") + kHistory), "");
  }
}

// ---------------------------------------------------------------------------------------------
// F1: DETACH PARTITION CONCURRENTLY as the first statement, while another session reads the table.

constexpr const char* kEvents =
    "CREATE TABLE events (id bigint NOT NULL, at date NOT NULL) PARTITION BY RANGE (at);"
    "CREATE TABLE events_2023 PARTITION OF events FOR VALUES FROM ('2023-01-01') TO ('2024-01-01');"
    "CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');"
    "INSERT INTO events SELECT g, date '2023-01-01' + (g % 700) FROM generate_series(1, 1000) g;"
    "CREATE TABLE counters (name text PRIMARY KEY, n int NOT NULL DEFAULT 0);"
    "INSERT INTO counters VALUES ('after');";

constexpr const char* kDetachFirst =
    "ALTER TABLE events DETACH PARTITION events_2023 CONCURRENTLY;\n"
    "UPDATE counters SET n = n + 1 WHERE name = 'after';\n";

TEST_F(RecoveryAgainstServer, DetachThatTimesOutWaitingForAReaderIsFinalizedOnRetryNotSentAgain) {
  auto db = session();
  ASSERT_EQ(db->exec(kEvents), "");
  migration("001_detach.sql", kDetachFirst);
  auto reader = session();
  ASSERT_EQ(reader->exec("BEGIN; SELECT count(*) FROM events"), "");
  // CONCURRENTLY statements wait by default: this test asks them to time out like the others.
  Miglint runner(work_->path(), args("run", {"--lock-timeout", "400ms", "--concurrent-lock-timeout", "400ms",
                                             "--retries", "8"}));
  // The DETACH marks the partition pending, then waits for the reader and times out; the reader ends
  // while the runner retries.
  ASSERT_TRUE(wait_until(
      [&] { return value("SELECT count(*) FROM pg_inherits WHERE inhdetachpending") == "1"; }, seconds(20)))
      << runner.wait(milliseconds(1));
  std::this_thread::sleep_for(milliseconds(1500));
  ASSERT_EQ(reader->exec("COMMIT"), "");
  Miglint::Result result = runner.wait(milliseconds(90000));
  ASSERT_EQ(result.exit, 0) << result;
  EXPECT_EQ(result.all().find("already pending detach"), std::string::npos) << result;
  EXPECT_NE(result.out.find("FINALIZE"), std::string::npos) << result;
  EXPECT_EQ(value("SELECT count(*) FROM pg_inherits WHERE inhrelid = 'events_2023'::regclass"), "0");
  EXPECT_EQ(counter("after"), "1");
  auto rows = history();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0][2], "t");
}

TEST_F(RecoveryAgainstServer, DetachKilledWhilePendingShowsAsInterruptedAndTheRerunRetriesItsFinalize) {
  auto db = session();
  ASSERT_EQ(db->exec(kEvents), "");
  migration("001_detach.sql", kDetachFirst);
  auto reader = session();
  ASSERT_EQ(reader->exec("BEGIN; SELECT count(*) FROM events"), "");
  {
    Miglint runner(work_->path(), args("run", {"--lock-timeout", "60s"}));
    ASSERT_TRUE(wait_until(
        [&] {
          return value("SELECT count(*) FROM pg_inherits WHERE inhdetachpending") == "1" &&
                 runner_waiting("ALTER TABLE events DETACH%") != 0;
        },
        seconds(20)))
        << runner.wait(milliseconds(1));
    runner.kill9();
    EXPECT_EQ(runner.wait().signal, SIGKILL);
  }
  ASSERT_TRUE(killed_runner_gone());
  Miglint::Result status = miglint(args("status"));
  EXPECT_EQ(status.out.find("pending "), std::string::npos) << status;
  EXPECT_NE(status.out.find("partial"), std::string::npos) << status;
  EXPECT_NE(status.out.find("interrupted in statement 1"), std::string::npos) << status;

  // The reader is still there: FINALIZE times out and is retried until the reader ends.
  Miglint rerun(work_->path(), args("run", {"--lock-timeout", "300ms", "--concurrent-lock-timeout", "300ms",
                                            "--retries", "8"}));
  // Released once FINALIZE has waited past its 300 ms at least once: a fixed 2 s from the start
  // raced with the rerun's own start on a loaded machine (under ASan, no retry was ever needed).
  ASSERT_TRUE(wait_until([&] { return runner_waiting("ALTER TABLE%FINALIZE%") != 0; }, seconds(60)))
      << rerun.wait(milliseconds(1));
  std::this_thread::sleep_for(milliseconds(1500));
  ASSERT_EQ(reader->exec("COMMIT"), "");
  Miglint::Result result = rerun.wait(milliseconds(90000));
  ASSERT_EQ(result.exit, 0) << result;
  EXPECT_NE(result.out.find("FINALIZE"), std::string::npos) << result;
  EXPECT_NE(result.out.find("retry 1 of 8"), std::string::npos) << result;
  EXPECT_EQ(value("SELECT count(*) FROM pg_inherits WHERE inhrelid = 'events_2023'::regclass"), "0");
  EXPECT_EQ(counter("after"), "1");
  auto rows = history();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0][2], "t");
  EXPECT_EQ(rows[0][3], "2");
}

// ---------------------------------------------------------------------------------------------
// F3: a statement after the file's own COMMIT commits together with its progress record.

TEST_F(RecoveryAgainstServer, StatementAfterTheFilesCommitIsNeverAppliedTwice) {
  auto db = session();
  ASSERT_EQ(db->exec(kItems), "");
  migration("001_audit.sql",
            "BEGIN;\nCREATE TABLE audit3 (note text);\nCOMMIT;\n"
            "-- miglint-ignore unbatched-update -- a test table of 200k rows\n"
            "UPDATE items SET counter = counter + 1 WHERE id % 4 <> 0;\n");
  // The UPDATE waits for a row lock; meanwhile the test locks the history table, so that the runner
  // is held up after the UPDATE finished and before its progress is recorded: the kill lands there.
  auto row_lock = session();
  ASSERT_EQ(row_lock->exec("BEGIN; SELECT 1 FROM items WHERE id = 1 FOR UPDATE"), "");
  auto history_lock = session();
  {
    Miglint runner(work_->path(), args("run", {"--lock-timeout", "60s"}));
    ASSERT_TRUE(wait_until([&] { return runner_waiting("UPDATE items%") != 0; }, seconds(20)))
        << runner.wait(milliseconds(1));
    ASSERT_EQ(history_lock->exec(std::string("BEGIN; LOCK TABLE ") + kHistory + " IN SHARE MODE"), "");
    ASSERT_EQ(row_lock->exec("COMMIT"), "");
    ASSERT_TRUE(
        wait_until([&] { return runner_waiting("%" + std::string(kHistory) + "%") != 0; }, seconds(20)))
        << runner.wait(milliseconds(1));
    runner.kill9();
    EXPECT_EQ(runner.wait().signal, SIGKILL);
  }
  ASSERT_TRUE(killed_runner_gone());
  ASSERT_EQ(history_lock->exec("COMMIT"), "");
  Miglint::Result rerun = run();
  ASSERT_EQ(rerun.exit, 0) << rerun;
  EXPECT_EQ(value("SELECT count(*) FROM items WHERE counter <> CASE WHEN id % 4 <> 0 THEN 1 ELSE 0 END"),
            "0");
  EXPECT_TRUE(has_relation("audit3"));
  auto rows = history();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0][2], "t");
  EXPECT_EQ(rows[0][3], "4");
}

// ---------------------------------------------------------------------------------------------
// F7: a CONCURRENTLY build without an index name is refused before anything runs.

TEST_F(RecoveryAgainstServer, UnnamedConcurrentBuildIsRefusedWithItsPositionBeforeAnythingRuns) {
  auto db = session();
  ASSERT_EQ(db->exec("CREATE TABLE items (id bigint PRIMARY KEY, c int)"), "");
  migration("001_comment.sql", "COMMENT ON TABLE items IS 'x';\nCREATE INDEX CONCURRENTLY ON items (c);\n");
  Miglint::Result refused = run();
  EXPECT_EQ(refused.exit, 1) << refused;
  EXPECT_NE(refused.err.find("001_comment.sql:2:1: CREATE INDEX CONCURRENTLY needs an index name"),
            std::string::npos)
      << refused;
  EXPECT_EQ(value("SELECT coalesce(obj_description('items'::regclass, 'pg_class'), 'none')"), "none");
  EXPECT_EQ(value("SELECT count(*) FROM pg_index WHERE indrelid = 'items'::regclass"), "1");
  EXPECT_TRUE(history().empty());
  Miglint::Result status = miglint(args("status"));
  EXPECT_EQ(status.exit, 1) << status;
}

// ---------------------------------------------------------------------------------------------
// REINDEX TABLE CONCURRENTLY killed: its _ccnew copies are dropped and the table reindexed.

TEST_F(RecoveryAgainstServer, ReindexTableKilledLeavesNoCopiesAfterTheRerun) {
  auto db = session();
  ASSERT_EQ(db->exec(kItems), "");
  ASSERT_EQ(db->exec("CREATE INDEX items_c_idx ON items (c); CREATE INDEX items_d_idx ON items (d)"), "");
  migration("001_reindex.sql", "-- miglint-no-transaction\nREINDEX TABLE CONCURRENTLY items;\n");
  auto blocker = session();
  ASSERT_EQ(blocker->exec("BEGIN; LOCK TABLE items IN ROW EXCLUSIVE MODE"), "");
  {
    Miglint runner(work_->path(), args("run", {"--lock-timeout", "60s"}));
    ASSERT_TRUE(wait_until([&] { return runner_waiting("REINDEX TABLE%") != 0; }, seconds(20)))
        << runner.wait(milliseconds(1));
    runner.kill9();
    runner.wait();
  }
  ASSERT_TRUE(killed_runner_gone());
  ASSERT_EQ(blocker->exec("ROLLBACK"), "");
  ASSERT_NE(bad_indexes(), "");  // the copies the kill left
  Miglint::Result rerun = run();
  ASSERT_EQ(rerun.exit, 0) << rerun;
  EXPECT_NE(rerun.out.find("_ccnew"), std::string::npos) << rerun;
  EXPECT_EQ(bad_indexes(), "");
  EXPECT_EQ(value("SELECT count(*) FROM pg_index WHERE indrelid = 'items'::regclass"), "3");
  auto rows = history();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0][2], "t");
}

// DROP INDEX CONCURRENTLY killed while it waits for a transaction using the table.
TEST_F(RecoveryAgainstServer, DropIndexKilledWhileWaitingIsFinishedByTheRerun) {
  auto db = session();
  ASSERT_EQ(db->exec(kItems), "");
  ASSERT_EQ(db->exec("CREATE INDEX items_c_idx ON items (c); INSERT INTO counters VALUES ('after')"), "");
  migration("001_drop.sql",
            "-- miglint-no-transaction\nDROP INDEX CONCURRENTLY items_c_idx;\n"
            "UPDATE counters SET n = n + 1 WHERE name = 'after';\n");
  auto blocker = session();
  ASSERT_EQ(blocker->exec("BEGIN; LOCK TABLE items IN ROW EXCLUSIVE MODE"), "");
  {
    Miglint runner(work_->path(), args("run", {"--lock-timeout", "60s"}));
    ASSERT_TRUE(wait_until([&] { return runner_waiting("DROP INDEX CONCURRENTLY%") != 0; }, seconds(20)))
        << runner.wait(milliseconds(1));
    runner.kill9();
    runner.wait();
  }
  ASSERT_TRUE(killed_runner_gone());
  ASSERT_EQ(blocker->exec("ROLLBACK"), "");
  Miglint::Result rerun = run();
  ASSERT_EQ(rerun.exit, 0) << rerun;
  EXPECT_FALSE(has_relation("items_c_idx"));
  EXPECT_EQ(bad_indexes(), "");
  EXPECT_EQ(counter("after"), "1");
  auto rows = history();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0][2], "t");
}

// ---------------------------------------------------------------------------------------------
// History writes are conditional on what the runner read.

TEST_F(RecoveryAgainstServer, HistoryChangedUnderTheRunnerStopsItWithExit2) {
  auto db = session();
  ASSERT_EQ(db->exec(kItems), "");
  ASSERT_EQ(db->exec("INSERT INTO counters VALUES ('after')"), "");
  migration("001_index.sql",
            "CREATE TABLE a (id bigint PRIMARY KEY);\n"
            "CREATE INDEX CONCURRENTLY items_c_idx ON items (c);\n"
            "UPDATE counters SET n = n + 1 WHERE name = 'after';\n");
  auto blocker = session();
  ASSERT_EQ(blocker->exec("BEGIN; LOCK TABLE items IN ROW EXCLUSIVE MODE"), "");
  Miglint runner(work_->path(), args("run", {"--lock-timeout", "60s"}));
  ASSERT_TRUE(wait_until([&] { return runner_waiting("CREATE INDEX CONCURRENTLY%") != 0; }, seconds(20)))
      << runner.wait(milliseconds(1));
  // What a second runner working from the same history would have written meanwhile.
  ASSERT_EQ(db->exec(std::string("UPDATE ") + kHistory +
                     " SET statements_applied = 3, success = true, running_statement = NULL"),
            "");
  ASSERT_EQ(blocker->exec("ROLLBACK"), "");
  Miglint::Result result = runner.wait(milliseconds(60000));
  EXPECT_EQ(result.exit, 2) << result;
  EXPECT_NE(result.err.find("another runner changed the history"), std::string::npos) << result;
  EXPECT_EQ(counter("after"), "0");
}

// A history table an earlier release created (no running_statement) keeps working, partial rows too.
TEST_F(RecoveryAgainstServer, HistoryTableOfTheEarlierReleaseIsExtendedAndItsPartialRowResumed) {
  auto db = session();
  ASSERT_EQ(db->exec(kItems), "");
  ASSERT_EQ(db->exec("INSERT INTO counters VALUES ('first'), ('after')"), "");
  fs::path file = migration("001_index.sql",
                            "UPDATE counters SET n = n + 1 WHERE name = 'first';\n"
                            "CREATE INDEX CONCURRENTLY items_c_idx ON items (c);\n"
                            "UPDATE counters SET n = n + 1 WHERE name = 'after';\n");
  // The earlier release's layout, and what it left when killed during the build: one segment
  // recorded, an invalid index.
  ASSERT_EQ(
      db->exec(std::string("CREATE TABLE ") + kHistory +
               " (version text PRIMARY KEY, name text NOT NULL, checksum_sha256 text NOT NULL, applied_at "
               "timestamptz, duration_ms bigint, applied_by text, statements_applied int NOT NULL, "
               "statements_total int NOT NULL, success boolean NOT NULL);"
               "INSERT INTO " +
               kHistory + " VALUES ('001', 'index', '" + sha256_of(file) +
               "', now(), 1, 'x', 1, 3, false);"
               "UPDATE counters SET n = 1 WHERE name = 'first'"),
      "");
  auto blocker = session();
  ASSERT_EQ(blocker->exec("BEGIN; LOCK TABLE items IN ROW EXCLUSIVE MODE"), "");
  auto builder = session();
  ASSERT_EQ(builder->exec("SET lock_timeout = '300ms'"), "");
  EXPECT_NE(builder->exec("CREATE INDEX CONCURRENTLY items_c_idx ON items (c)"), "");  // times out: invalid
  ASSERT_EQ(blocker->exec("ROLLBACK"), "");
  ASSERT_EQ(value("SELECT indisvalid FROM pg_index WHERE indexrelid = to_regclass('items_c_idx')"), "f");
  Miglint::Result status = miglint(args("status"));
  EXPECT_EQ(status.exit, 0) << status;
  EXPECT_NE(status.out.find("1 of 3 statements applied"), std::string::npos) << status;

  Miglint::Result rerun = run();
  ASSERT_EQ(rerun.exit, 0) << rerun;
  EXPECT_EQ(value("SELECT indisvalid FROM pg_index WHERE indexrelid = to_regclass('items_c_idx')"), "t");
  EXPECT_EQ(counter("first"), "1");
  EXPECT_EQ(counter("after"), "1");
  auto rows = history();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0][2], "t");
  EXPECT_EQ(value(std::string("SELECT count(*) FROM ") + kHistory + " WHERE running_statement IS NULL"), "1");
}

// ---------------------------------------------------------------------------------------------
// Interruptions at random moments over a mixed set: every statement kind that runs outside a
// transaction, first, in the middle, last and alone in its file, beside transactional data changes.
// Seeded: MIGLINT_RECOVERY_SEED=N reproduces a run (the seed is printed).

struct MixedMigration {
  const char* file;
  const char* sql;
};

constexpr MixedMigration kMixedSet[] = {
    {"001_build_alone.sql",
     "-- miglint-no-transaction\nCREATE INDEX CONCURRENTLY items_c_idx ON items (c);\n"},
    {"002_build_first.sql",
     "CREATE INDEX CONCURRENTLY items_d_idx ON items (d);\n"
     "-- miglint-ignore unbatched-update -- a test table of 200k rows\n"
     "UPDATE items SET counter = counter + 1 WHERE id % 10 = 0;\n"},
    {"003_build_middle.sql",
     "UPDATE counters SET n = n + 1 WHERE name = '003a';\n"
     "CREATE INDEX CONCURRENTLY items_cd_idx ON items (c, d);\n"
     "UPDATE counters SET n = n + 1 WHERE name = '003b';\n"},
    {"004_build_last.sql",
     "UPDATE counters SET n = n + 1 WHERE name = '004';\n"
     "CREATE INDEX CONCURRENTLY items_counter_idx ON items (counter);\n"},
    {"005_reindex.sql",
     "-- miglint-no-transaction\n"
     "REINDEX INDEX CONCURRENTLY items_c_idx;\n"
     "REINDEX TABLE CONCURRENTLY tags;\n"
     "UPDATE counters SET n = n + 1 WHERE name = '005';\n"},
    {"006_drop_detach.sql",
     "-- miglint-no-transaction\n"
     "DROP INDEX CONCURRENTLY items_cd_idx;\n"
     "ALTER TABLE events DETACH PARTITION events_2023 CONCURRENTLY;\n"
     "UPDATE counters SET n = n + 1 WHERE name = '006';\n"},
    {"007_as_written.sql",
     "BEGIN;\nCREATE TABLE audit3 (note text);\nCOMMIT;\n"
     "-- miglint-ignore unbatched-update -- a test table of 200k rows\n"
     "UPDATE items SET counter = counter + 1 WHERE id % 10 = 5;\n"
     "ALTER TYPE mood ADD VALUE 'calm' AFTER 'sad';\n"},
    {"008_vacuum.sql",
     "-- miglint-no-transaction\nVACUUM items;\nUPDATE counters SET n = n + 1 WHERE name = '008';\n"},
};

// What a targeted cut waits for, in the order the set runs them. The DROP INDEX of the set finishes
// too fast to be aimed at (it is cut when a moment falls on it; DropIndexKilledWhileWaitingIsFinished-
// ByTheRerun holds one up to cut it).
// The DETACH is aimed at while a session reads `events`: it waits for the reader (a lock timeout
// after --lock-timeout, then FINALIZE retried), and the cut lands in the wait or in a retry.
constexpr const char* kDetachTarget = "ALTER TABLE events DETACH%";
constexpr const char* kTargets[] = {"CREATE INDEX CONCURRENTLY items_c_idx%",
                                    "CREATE INDEX CONCURRENTLY items_d_idx%",
                                    "UPDATE items SET counter = counter + 1 WHERE id % 10 = 0%",
                                    "CREATE INDEX CONCURRENTLY items_cd_idx%",
                                    "CREATE INDEX CONCURRENTLY items_counter_idx%",
                                    "REINDEX INDEX CONCURRENTLY%",
                                    "REINDEX TABLE CONCURRENTLY%",
                                    kDetachTarget,
                                    "UPDATE items SET counter = counter + 1 WHERE id % 10 = 5%",
                                    "VACUUM%"};

enum class Cut { Kill, Terminate, Restart };

const char* cut_name(Cut cut) {
  switch (cut) {
    case Cut::Kill:
      return "SIGKILL";
    case Cut::Terminate:
      return "pg_terminate_backend";
    case Cut::Restart:
      return "server restart";
  }
  return "";
}

TEST_F(RecoveryAgainstServer, RandomInterruptionsOverAMixedSetAreEachRecoveredExactlyOnce) {
  unsigned seed = std::random_device{}();
  if (const char* given = std::getenv("MIGLINT_RECOVERY_SEED"); given != nullptr && *given != '\0') {
    seed = static_cast<unsigned>(std::strtoul(given, nullptr, 10));
  }
  std::cout << "[ seed     ] MIGLINT_RECOVERY_SEED=" << seed << " reproduces this run\n";
  RecordProperty("seed", std::to_string(seed));
  std::mt19937 random(seed);
  auto uniform = [&](int low, int high) { return std::uniform_int_distribution<int>(low, high)(random); };

  // The template every round starts from.
  const std::string base = database_;
  {
    auto db = session();
    ASSERT_EQ(db->exec(kItems), "");
    ASSERT_EQ(
        db->exec(
            "CREATE TABLE tags (id bigint PRIMARY KEY, label text NOT NULL);"
            "INSERT INTO tags SELECT g, md5(g::text) FROM generate_series(1, 50000) g;"
            "CREATE INDEX tags_label_idx ON tags (label);"
            "INSERT INTO counters VALUES ('003a'), ('003b'), ('004'), ('005'), ('006'), ('008');"
            "CREATE TYPE mood AS ENUM ('sad');"
            "CREATE TABLE events (id bigint NOT NULL, at date NOT NULL) PARTITION BY RANGE (at);"
            "CREATE TABLE events_2023 PARTITION OF events FOR VALUES FROM ('2023-01-01') TO "
            "('2024-01-01');"
            "CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO "
            "('2025-01-01');"
            "INSERT INTO events SELECT g, date '2023-01-01' + (g % 700) FROM generate_series(1, 1000) g"),
        "");
  }
  for (const MixedMigration& file : kMixedSet) {
    migration(file.file, file.sql);
  }

  // 30 SIGKILLs, 4 terminated backends, 3 restarts, in a seeded order; up to 4 per round.
  std::vector<Cut> schedule(30, Cut::Kill);
  schedule.insert(schedule.end(), 4, Cut::Terminate);
  schedule.insert(schedule.end(), 3, Cut::Restart);
  std::shuffle(schedule.begin(), schedule.end(), random);
  std::map<std::string, int> cut_during;  // what the runner's backend was running when cut
  std::map<Cut, int> cuts_made;
  std::size_t next = 0;
  int rounds = 0;
  auto started = Clock::now();
  while (next < schedule.size()) {
    ASSERT_LT(Clock::now() - started, seconds(400)) << "seed " << seed << ": the cuts never landed";
    database_ = base + "_r" + std::to_string(rounds++);
    {
      Session admin(server_->conninfo());
      ASSERT_EQ(admin.exec("DROP DATABASE IF EXISTS " + database_ + " WITH (FORCE)"), "");
      ASSERT_EQ(admin.exec("CREATE DATABASE " + database_ + " TEMPLATE " + base), "");
    }
    std::string story;
    std::size_t first_target = 0;  // the statements before it are done, or were cut already
    for (int in_round = 0; in_round < 4 && next < schedule.size(); ++in_round) {
      Cut cut = schedule[next];
      Miglint runner(work_->path(), args("run", {"--lock-wait", "20s"}));
      std::unique_ptr<Session> reader;  // ends after the cut
      if (first_target < std::size(kTargets) && uniform(0, 2) != 0) {
        // Targeted: once the runner's backend runs a chosen statement, a moment into it.
        std::size_t target = static_cast<std::size_t>(
            uniform(static_cast<int>(first_target), static_cast<int>(std::size(kTargets)) - 1));
        first_target = target + 1;
        std::string like = kTargets[target];
        if (like == kDetachTarget) {
          reader = session();
          ASSERT_EQ(reader->exec("BEGIN; SELECT count(*) FROM events"), "");
        }
        wait_until([&] { return runner.exited() || runner_backend(like) != 0; }, seconds(30));
        std::this_thread::sleep_for(milliseconds(uniform(0, like == kDetachTarget ? 3500 : 300)));
      } else {
        // Any moment of the run.
        std::this_thread::sleep_for(milliseconds(uniform(0, 2000)));
      }
      if (runner.exited()) {
        Miglint::Result finished = runner.wait();
        ASSERT_EQ(finished.exit, 0) << "seed " << seed << ", round " << rounds << story << "\n" << finished;
        story += "; finished before the cut";
        break;
      }
      std::string work_backend = value(
          "SELECT pid || ' ' || CASE WHEN state = 'active' THEN left(regexp_replace(query, '\\s+', ' ', "
          "'g'), 60) "
          "ELSE 'between statements' END FROM pg_stat_activity WHERE application_name LIKE 'miglint/%' AND "
          "datname = current_database() AND pid <> pg_backend_pid() AND pid NOT IN (SELECT pid FROM pg_locks "
          "WHERE locktype = 'advisory' AND ((classid::bigint << 32) | objid::bigint) = "
          "hashtextextended('miglint:public.miglint_schema_migrations', 0)) ORDER BY backend_start LIMIT 1");
      std::string during =
          work_backend.empty() ? "connecting" : work_backend.substr(work_backend.find(' ') + 1);
      if (cut == Cut::Terminate && work_backend.empty()) {
        cut = Cut::Kill;  // no work session yet: nothing to terminate
      }
      switch (cut) {
        case Cut::Kill:
          runner.kill9();
          break;
        case Cut::Terminate:
          value("SELECT pg_terminate_backend(" + work_backend.substr(0, work_backend.find(' ')) + ")");
          break;
        case Cut::Restart:
          ASSERT_TRUE(server_->restart());
          break;
      }
      Miglint::Result cut_run = runner.wait(milliseconds(60000));
      ASSERT_FALSE(cut_run.timed_out) << cut_run;
      if (cut != Cut::Kill && cut_run.exit == 0) {
        story += std::string("; ") + cut_name(cut) + " after the run had finished";
        break;
      }
      ++next;
      ++cuts_made[cut];
      ++cut_during[during];
      story += std::string("; ") + cut_name(cut) + " during " + during;
    }
    std::cout << "[ round " << rounds << " ] " << story.substr(std::min<std::size_t>(2, story.size()))
              << "\n";
    // The recovery: one run finishes everything, exactly once.
    Miglint::Result recovery = run({"--lock-wait", "20s"});
    ASSERT_EQ(recovery.exit, 0) << "seed " << seed << ", round " << rounds << ": " << story << "\n"
                                << recovery;
    auto rows = history();
    ASSERT_EQ(rows.size(), std::size(kMixedSet)) << "seed " << seed << ", round " << rounds;
    for (const auto& row : rows) {
      EXPECT_EQ(row[2], "t") << "seed " << seed << ", round " << rounds << ": " << row[0];
      EXPECT_EQ(row[3], row[4]) << "seed " << seed << ", round " << rounds << ": " << row[0];
    }
    EXPECT_EQ(bad_indexes(), "") << "seed " << seed << ", round " << rounds << ": " << story;
    EXPECT_EQ(value("SELECT count(*) FROM items WHERE counter <> (CASE WHEN id % 10 IN (0, 5) THEN 1 ELSE 0 "
                    "END)"),
              "0")
        << "seed " << seed << ", round " << rounds << ": " << story;
    EXPECT_EQ(value("SELECT string_agg(name || '=' || n, ',' ORDER BY name) FROM counters"),
              "003a=1,003b=1,004=1,005=1,006=1,008=1")
        << "seed " << seed << ", round " << rounds << ": " << story;
    EXPECT_EQ(value("SELECT string_agg(c.relname, ',' ORDER BY c.relname) FROM pg_index i JOIN pg_class c ON "
                    "c.oid = i.indexrelid WHERE i.indrelid IN ('items'::regclass, 'tags'::regclass)"),
              "items_c_idx,items_counter_idx,items_d_idx,items_pkey,tags_label_idx,tags_pkey")
        << "seed " << seed << ", round " << rounds << ": " << story;
    EXPECT_EQ(value("SELECT count(*) FROM pg_inherits WHERE inhrelid = 'events_2023'::regclass"), "0");
    EXPECT_EQ(value("SELECT string_agg(enumlabel, ',' ORDER BY enumsortorder) FROM pg_enum WHERE enumtypid = "
                    "'mood'::regtype"),
              "sad,calm");
    EXPECT_TRUE(has_relation("audit3"));
    Session admin(server_->conninfo());
    admin.exec("DROP DATABASE IF EXISTS " + database_ + " WITH (FORCE)");
    if (HasFailure()) {
      break;
    }
  }
  database_ = base;
  auto elapsed = std::chrono::duration_cast<seconds>(Clock::now() - started).count();
  std::cout << "[ cuts     ] " << cuts_made[Cut::Kill] << " SIGKILL, " << cuts_made[Cut::Terminate]
            << " pg_terminate_backend, " << cuts_made[Cut::Restart] << " server restarts in " << rounds
            << " rounds, " << elapsed << " s\n";
  for (const auto& [during, count] : cut_during) {
    std::cout << "[ cut at   ] " << count << " x " << during << "\n";
  }
  EXPECT_GE(cuts_made[Cut::Kill], 30);
}

}  // namespace
