// `miglint run/status/plan/approve` against a real PostgreSQL (issue 6). The miglint binary runs as a
// child process (fork/exec) so that a test can SIGKILL it mid-migration. One throwaway server per
// test process; every test has its own fresh database and its own migrations directory.
#include <fcntl.h>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <netinet/in.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/cli_support.hpp"
#include "tests/pg/throwaway_server.hpp"
#include "tests/runner_pg_support.hpp"

using namespace miglint::pgtest;
using namespace miglint::runner_pg;
using miglint::cli_support::TempDir;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
using std::chrono::seconds;
namespace fs = std::filesystem;

namespace {

// ---------------------------------------------------------------------------------------------
// 1. The happy path.

TEST_F(RunnerAgainstServer, AppliesTransactionalNoTransactionAndMixedFilesThenHasNothingToDo) {
  fs::path one = migration("001_create_items.sql",
                           "CREATE TABLE items (id bigint PRIMARY KEY, name text NOT NULL);\n"
                           "CREATE TABLE events (id bigint PRIMARY KEY, item_id bigint, at timestamptz);\n");
  fs::path two = migration("002_index_items.sql",
                           "-- miglint-no-transaction\n"
                           "CREATE INDEX CONCURRENTLY items_name_idx ON items (name);\n");
  fs::path three = migration("003_mixed.sql",
                             "ALTER TABLE items ADD COLUMN note text;\n"
                             "CREATE INDEX CONCURRENTLY events_item_idx ON events (item_id);\n"
                             "ALTER TABLE events ADD COLUMN kind text;\n");
  Miglint::Result first = run();
  ASSERT_EQ(first.exit, 0) << first;
  auto rows = history();
  ASSERT_EQ(rows.size(), 3u) << first;
  const std::vector<std::pair<std::string, fs::path>> expected = {{"001", one}, {"002", two}, {"003", three}};
  const std::vector<std::string> totals = {"2", "1", "3"};
  for (std::size_t i = 0; i < rows.size(); ++i) {
    EXPECT_EQ(rows[i][0], expected[i].first);
    EXPECT_EQ(rows[i][1], sha256_of(expected[i].second)) << rows[i][0];
    EXPECT_EQ(rows[i][2], "t") << rows[i][0];
    EXPECT_EQ(rows[i][3], totals[i]) << rows[i][0];
    EXPECT_EQ(rows[i][4], totals[i]) << rows[i][0];
  }
  EXPECT_EQ(value("SELECT count(*) FROM pg_index WHERE indisvalid AND indexrelid IN "
                  "('items_name_idx'::regclass, 'events_item_idx'::regclass)"),
            "2");
  EXPECT_EQ(value("SELECT count(*) FROM information_schema.columns WHERE (table_name, column_name) IN "
                  "(('items', 'note'), ('events', 'kind'))"),
            "2");

  Miglint::Result second = run();
  EXPECT_EQ(second.exit, 0) << second;
  EXPECT_NE(second.out.find("nothing to do"), std::string::npos) << second;
  EXPECT_EQ(history().size(), 3u);

  Miglint::Result status = miglint(args("status"));
  EXPECT_EQ(status.exit, 0) << status;
  EXPECT_EQ(count_of(status.out, "applied"), 3u) << status;
}

TEST_F(RunnerAgainstServer, AMigrationOlderThanAnAppliedOneRunsAndIsSaidToRunOutOfOrder) {
  migration("001_a.sql", "CREATE TABLE a (id int);\n");
  migration("003_c.sql", "CREATE TABLE c (id int);\n");
  ASSERT_EQ(run().exit, 0);
  // A branch merged late brings 002.
  migration("002_b.sql", "CREATE TABLE b (id int);\n");
  Miglint::Result status = miglint(args("status"));
  EXPECT_EQ(status.exit, 0) << status;
  EXPECT_NE(status.out.find("runs out of order"), std::string::npos) << status;
  Miglint::Result applied = run();
  ASSERT_EQ(applied.exit, 0) << applied;
  EXPECT_NE(applied.out.find("out of order"), std::string::npos) << applied;
  EXPECT_TRUE(has_relation("b"));
  EXPECT_EQ(history().size(), 3u);
}

TEST_F(RunnerAgainstServer, ShippedExamplesApplyOnAFreshDatabase) {
  fs::path examples = fs::path(MIGLINT_SOURCE_DIR) / "examples" / "migrations";
  Miglint::Result result = miglint({"run", examples.string(), "--db", url()});
  ASSERT_EQ(result.exit, 0) << result;
  std::size_t files = 0;
  for (const auto& entry : fs::directory_iterator(examples)) {
    files += entry.path().extension() == ".sql" ? 1 : 0;
  }
  auto rows = history();
  EXPECT_EQ(rows.size(), files);
  for (const auto& row : rows) {
    EXPECT_EQ(row[2], "t") << row[0];
    EXPECT_EQ(row[3], row[4]) << row[0];
  }
}

TEST_F(RunnerAgainstServer, FlywayVersionsApplyInNumericOrderAndUndoFilesAreSkipped) {
  migration("V1__create.sql", "CREATE TABLE t (id bigint PRIMARY KEY);\n");
  migration("V2__add.sql", "ALTER TABLE t ADD COLUMN b int;\n");
  migration("V2.1__add.sql", "ALTER TABLE t ADD COLUMN c int;\n");
  migration("V10__index.sql",
            "-- miglint-no-transaction\nCREATE INDEX CONCURRENTLY t_b_c_idx ON t (b, c);\n");
  migration("U2__undo.sql", "ALTER TABLE t DROP COLUMN b;\n");
  Miglint::Result result = run();
  ASSERT_EQ(result.exit, 0) << result;
  auto rows = history();
  ASSERT_EQ(rows.size(), 4u) << result;
  EXPECT_EQ(rows[0][0] + "," + rows[1][0] + "," + rows[2][0] + "," + rows[3][0], "1,10,2,2.1");  // text order
  EXPECT_LT(result.out.find("V2__add.sql"), result.out.find("V2.1__add.sql")) << result;
  EXPECT_LT(result.out.find("V2.1__add.sql"), result.out.find("V10__index.sql")) << result;
  EXPECT_EQ(result.out.find("U2__undo.sql"), std::string::npos) << result;
  EXPECT_EQ(value("SELECT indisvalid FROM pg_index WHERE indexrelid = to_regclass('t_b_c_idx')"), "t");
}

TEST_F(RunnerAgainstServer, DbmateFilesRunTheirUpSectionOnly) {
  migration("20240101000000_create.sql",
            "-- migrate:up\nCREATE TABLE x (id bigint PRIMARY KEY, note text);\n"
            "-- migrate:down\nDROP TABLE x;\n");
  migration("20240102000000_index.sql",
            "-- migrate:up transaction:false\nCREATE INDEX CONCURRENTLY x_note_idx ON x (note);\n"
            "-- migrate:down\nDROP INDEX x_note_idx;\n");
  Miglint::Result result = run();
  ASSERT_EQ(result.exit, 0) << result;
  EXPECT_TRUE(has_relation("x"));
  EXPECT_EQ(value("SELECT indisvalid FROM pg_index WHERE indexrelid = to_regclass('x_note_idx')"), "t");
  auto rows = history();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0][4], "1");
  EXPECT_EQ(rows[1][4], "1");
}

TEST_F(RunnerAgainstServer, HistoryInAnotherSchema) {
  migration("001_create_t.sql", "CREATE TABLE t (id bigint PRIMARY KEY);\n");
  Miglint::Result result = run({"--schema", "migrations meta"});
  ASSERT_EQ(result.exit, 0) << result;
  EXPECT_EQ(value("SELECT count(*) FROM \"migrations meta\".miglint_schema_migrations WHERE success"), "1");
  EXPECT_FALSE(has_relation(std::string("public.") + kHistory));
  Miglint::Result status = miglint(args("status", {"--schema", "migrations meta"}));
  EXPECT_EQ(status.exit, 0) << status;
  EXPECT_NE(status.out.find("applied"), std::string::npos) << status;
  Miglint::Result again = run({"--schema", "migrations meta"});
  EXPECT_EQ(again.exit, 0) << again;
  EXPECT_NE(again.out.find("nothing to do"), std::string::npos) << again;
}

// ---------------------------------------------------------------------------------------------
// 2. Vetting and approvals.

TEST_F(RunnerAgainstServer, UnvettedFileRefusesTheWholeRunUntilApproved) {
  migration("001_create_t.sql", "CREATE TABLE t (id bigint PRIMARY KEY, c text);\n");
  fs::path drop = migration("002_drop_c.sql", "ALTER TABLE t DROP COLUMN c;\n");
  Miglint::Result refused = run();
  EXPECT_EQ(refused.exit, 1) << refused;
  EXPECT_NE(refused.err.find("002_drop_c.sql"), std::string::npos) << refused;
  EXPECT_NE(refused.err.find("ban-drop-column"), std::string::npos) << refused;
  EXPECT_NE(refused.err.find("approv"), std::string::npos) << refused;
  // Vetting comes first: the clean 001 was not applied either, and nothing was written.
  EXPECT_FALSE(has_relation("t")) << refused;
  EXPECT_FALSE(has_relation(kHistory)) << refused;

  Miglint::Result approved = miglint({"approve", drop.string(), "--rule", "ban-drop-column", "--reason",
                                      "c was never read; checked in the query log", "--by", "tester"});
  ASSERT_EQ(approved.exit, 0) << approved;
  ASSERT_TRUE(fs::exists(migrations_ / "miglint.approvals.toml"));
  Miglint::Result applied = run();
  ASSERT_EQ(applied.exit, 0) << applied;
  EXPECT_EQ(
      value("SELECT count(*) FROM information_schema.columns WHERE table_name = 't' AND column_name = 'c'"),
      "0");
  EXPECT_EQ(history().size(), 2u);
}

TEST_F(RunnerAgainstServer, EditingAnApprovedFileVoidsItsApproval) {
  migration("001_create_t.sql", "CREATE TABLE t (id bigint PRIMARY KEY, c text, d text);\n");
  fs::path drop = migration("002_drop_c.sql", "ALTER TABLE t DROP COLUMN c;\n");
  Miglint::Result approved = miglint({"approve", drop.string(), "--rule", "ban-drop-column", "--reason",
                                      "c was never read", "--by", "tester"});
  ASSERT_EQ(approved.exit, 0) << approved;
  migration("002_drop_c.sql", "ALTER TABLE t DROP COLUMN c;\nALTER TABLE t DROP COLUMN d;\n");
  Miglint::Result refused = run();
  EXPECT_EQ(refused.exit, 1) << refused;
  EXPECT_NE(refused.err.find("ban-drop-column"), std::string::npos) << refused;
  EXPECT_FALSE(has_relation("t"));
}

TEST_F(RunnerAgainstServer, InlineIgnoreApprovesOnlyWithAReason) {
  migration("001_create_t.sql", "CREATE TABLE t (id bigint PRIMARY KEY, c text);\n");
  migration("002_drop_c.sql", "-- miglint-ignore ban-drop-column\nALTER TABLE t DROP COLUMN c;\n");
  Miglint::Result refused = run();
  EXPECT_EQ(refused.exit, 1) << refused;
  EXPECT_NE(refused.err.find("ban-drop-column"), std::string::npos) << refused;
  EXPECT_NE(refused.err.find("no reason"), std::string::npos) << refused;
  EXPECT_FALSE(has_relation("t"));

  migration("002_drop_c.sql",
            "-- miglint-ignore ban-drop-column -- unused since release 4.2, checked in the query log\n"
            "ALTER TABLE t DROP COLUMN c;\n");
  Miglint::Result applied = run();
  EXPECT_EQ(applied.exit, 0) << applied;
  EXPECT_EQ(history().size(), 2u);
}

TEST_F(RunnerAgainstServer, DestructiveRuleTurnedOffInTheConfigStillNeedsApproval) {
  fs::path config = work_->write("miglint.toml", "[rules.ban-drop-table]\nseverity = \"off\"\n");
  migration("001_create_t.sql", "CREATE TABLE t (id bigint PRIMARY KEY);\n");
  migration("002_drop_t.sql", "DROP TABLE t;\n");
  Miglint::Result refused = run({"--config", config.string()});
  EXPECT_EQ(refused.exit, 1) << refused;
  EXPECT_NE(refused.err.find("ban-drop-table"), std::string::npos) << refused;
  EXPECT_FALSE(has_relation("t"));
  // `lint` with the same config is silent about it: the runner's rule is its own.
  Miglint::Result lint =
      miglint({"lint", "--config", config.string(), (migrations_ / "002_drop_t.sql").string()});
  EXPECT_EQ(lint.out.find("ban-drop-table"), std::string::npos) << lint;
}

// ---------------------------------------------------------------------------------------------
// 3. Drift.

TEST_F(RunnerAgainstServer, TamperedAppliedFileIsRefusedWithBothChecksums) {
  fs::path one = migration("001_create_t.sql", "CREATE TABLE t (id bigint PRIMARY KEY);\n");
  ASSERT_EQ(run().exit, 0);
  std::string applied_sum = sha256_of(one);
  migration("001_create_t.sql", "CREATE TABLE t (id bigint PRIMARY KEY, extra text);\n");
  migration("002_create_u.sql", "CREATE TABLE u (id bigint PRIMARY KEY);\n");
  Miglint::Result refused = run();
  EXPECT_EQ(refused.exit, 1) << refused;
  EXPECT_NE(refused.err.find("001_create_t.sql"), std::string::npos) << refused;
  EXPECT_NE(refused.err.find(applied_sum), std::string::npos) << refused;
  EXPECT_NE(refused.err.find(sha256_of(one)), std::string::npos) << refused;
  EXPECT_FALSE(has_relation("u"));
  Miglint::Result status = miglint(args("status"));
  EXPECT_EQ(status.exit, 1) << status;
  EXPECT_NE(status.out.find("CHANGED"), std::string::npos) << status;
}

TEST_F(RunnerAgainstServer, AppliedVersionMissingOnDiskIsRefused) {
  fs::path one = migration("001_create_t.sql", "CREATE TABLE t (id bigint PRIMARY KEY);\n");
  ASSERT_EQ(run().exit, 0);
  fs::remove(one);
  migration("002_create_u.sql", "CREATE TABLE u (id bigint PRIMARY KEY);\n");
  Miglint::Result refused = run();
  EXPECT_EQ(refused.exit, 1) << refused;
  EXPECT_NE(refused.err.find("001"), std::string::npos) << refused;
  EXPECT_NE(refused.err.find("no file"), std::string::npos) << refused;
  EXPECT_FALSE(has_relation("u"));
  Miglint::Result status = miglint(args("status"));
  EXPECT_EQ(status.exit, 1) << status;
  EXPECT_NE(status.out.find("MISSING"), std::string::npos) << status;
}

TEST_F(RunnerAgainstServer, DuplicateVersionsAreAnErrorNamingBothFiles) {
  migration("3_a.sql", "CREATE TABLE a (id bigint PRIMARY KEY);\n");
  migration("0003_b.sql", "CREATE TABLE b (id bigint PRIMARY KEY);\n");
  Miglint::Result refused = run();
  EXPECT_EQ(refused.exit, 1) << refused;
  EXPECT_NE(refused.err.find("3_a.sql"), std::string::npos) << refused;
  EXPECT_NE(refused.err.find("0003_b.sql"), std::string::npos) << refused;
  EXPECT_FALSE(has_relation("a"));
  EXPECT_FALSE(has_relation("b"));
}

// ---------------------------------------------------------------------------------------------
// 4. and 5. A runner killed with SIGKILL.

// A migration that sleeps while test_control says so (reruns do not sleep).
constexpr const char* kSleepWhileAsked =
    "SELECT pg_sleep(coalesce((SELECT seconds FROM test_control), 0));\n";

TEST_F(RunnerAgainstServer, KilledInATransactionalMigrationNothingIsKeptAndTheRerunAppliesItOnce) {
  auto db = session();
  ASSERT_EQ(db->exec("CREATE TABLE test_control (seconds float); INSERT INTO test_control VALUES (30);"
                     "CREATE TABLE log (msg text)"),
            "");
  migration("001_slow.sql", std::string("CREATE TABLE a (id bigint PRIMARY KEY);\n"
                                        "INSERT INTO log VALUES ('a');\n") +
                                kSleepWhileAsked);
  Miglint runner(work_->path(), args("run"));
  int backend = 0;
  ASSERT_TRUE(wait_until([&] { return (backend = runner_backend("%pg_sleep%")) != 0; }, seconds(20)))
      << runner.wait(milliseconds(1));
  runner.kill9();
  Miglint::Result killed = runner.wait();
  EXPECT_EQ(killed.signal, SIGKILL);
  EXPECT_FALSE(has_relation("a"));
  EXPECT_TRUE(history().empty());
  EXPECT_EQ(value("SELECT count(*) FROM log"), "0");

  // Rerun at once: the killed runner's backend may still be sleeping; the runner waits for it.
  ASSERT_EQ(db->exec("UPDATE test_control SET seconds = 0"), "");
  Miglint::Result rerun = run();
  ASSERT_EQ(rerun.exit, 0) << rerun;
  EXPECT_TRUE(has_relation("a"));
  EXPECT_EQ(value("SELECT count(*) FROM log WHERE msg = 'a'"), "1");
  auto rows = history();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0][2], "t");
  EXPECT_EQ(rows[0][3], "3");
}

TEST_F(RunnerAgainstServer, KilledInsideTheFilesOwnTransactionNothingIsKeptAndTheRerunAppliesItOnce) {
  auto db = session();
  ASSERT_EQ(db->exec("CREATE TABLE test_control (seconds float); INSERT INTO test_control VALUES (30);"
                     "CREATE TABLE log (msg text)"),
            "");
  migration("001_own_transaction.sql", std::string("-- miglint-no-transaction\n"
                                                   "INSERT INTO log VALUES ('before');\n"
                                                   "BEGIN;\n"
                                                   "CREATE TABLE a (id bigint PRIMARY KEY);\n"
                                                   "INSERT INTO log VALUES ('inside');\n") +
                                           kSleepWhileAsked + "COMMIT;\n");
  Miglint runner(work_->path(), args("run"));
  ASSERT_TRUE(wait_until([&] { return runner_backend("%pg_sleep%") != 0; }, seconds(20)))
      << runner.wait(milliseconds(1));
  runner.kill9();
  EXPECT_EQ(runner.wait().signal, SIGKILL);
  EXPECT_FALSE(has_relation("a"));
  EXPECT_EQ(value("SELECT string_agg(msg, ',') FROM log"), "before");
  auto rows = history();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0][2], "f");
  EXPECT_EQ(rows[0][3], "1");

  ASSERT_EQ(db->exec("UPDATE test_control SET seconds = 0"), "");
  Miglint::Result rerun = run();
  ASSERT_EQ(rerun.exit, 0) << rerun;
  EXPECT_TRUE(has_relation("a"));
  EXPECT_EQ(value("SELECT string_agg(msg, ',' ORDER BY msg) FROM log"), "before,inside");
  rows = history();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0][2], "t");
  EXPECT_EQ(rows[0][3], "6");
}

TEST_F(RunnerAgainstServer, SigtermCancelsTheRunningStatementAndKeepsNothing) {
  auto db = session();
  ASSERT_EQ(db->exec("CREATE TABLE test_control (seconds float); INSERT INTO test_control VALUES (30)"), "");
  migration("001_slow.sql", std::string("CREATE TABLE a (id bigint PRIMARY KEY);\n") + kSleepWhileAsked);
  Miglint runner(work_->path(), args("run"));
  int backend = 0;
  ASSERT_TRUE(wait_until([&] { return (backend = runner_backend("%pg_sleep%")) != 0; }, seconds(20)))
      << runner.wait(milliseconds(1));
  auto started = Clock::now();
  ::kill(runner.pid(), SIGTERM);
  Miglint::Result stopped = runner.wait(milliseconds(20000));
  EXPECT_LT(Clock::now() - started, seconds(5)) << stopped;
  EXPECT_EQ(stopped.exit, 1) << stopped;
  EXPECT_NE(stopped.err.find("interrupted"), std::string::npos) << stopped;
  EXPECT_FALSE(has_relation("a"));
  EXPECT_TRUE(history().empty());
  EXPECT_TRUE(wait_until([&] { return no_miglint_backends(); }, seconds(5)));
}

// SIGTERM while a concurrent build waits: whether the cancel ends the build (its invalid index is
// dropped) or the build completes first, nothing after it starts.
TEST_F(RunnerAgainstServer, SigtermDuringAConcurrentBuildStopsThereAndLeavesNoInvalidIndex) {
  auto db = session();
  ASSERT_EQ(db->exec("CREATE TABLE t2 (id bigint PRIMARY KEY, v int)"), "");
  migration("001_index.sql",
            "-- miglint-no-transaction\nCREATE INDEX CONCURRENTLY i2 ON t2 (v);\n"
            "CREATE TABLE after_index (id bigint PRIMARY KEY);\n");
  migration("002_more.sql", "CREATE TABLE more (id bigint PRIMARY KEY);\n");
  auto blocker = session();
  ASSERT_EQ(blocker->exec("BEGIN; LOCK TABLE t2 IN ROW EXCLUSIVE MODE"), "");
  Miglint runner(work_->path(), args("run", {"--lock-timeout", "60s"}));
  ASSERT_TRUE(wait_until([&] { return runner_backend("CREATE INDEX CONCURRENTLY i2%") != 0; }, seconds(20)))
      << runner.wait(milliseconds(1));
  ::kill(runner.pid(), SIGTERM);
  ASSERT_EQ(blocker->exec("ROLLBACK"), "");
  Miglint::Result stopped = runner.wait(milliseconds(20000));
  EXPECT_EQ(stopped.exit, 1) << stopped;
  EXPECT_NE(stopped.err.find("interrupted"), std::string::npos) << stopped;
  EXPECT_FALSE(has_relation("after_index")) << stopped;
  EXPECT_FALSE(has_relation("more")) << stopped;
  std::string valid = value("SELECT indisvalid FROM pg_index WHERE indexrelid = to_regclass('i2')");
  auto rows = history();
  if (valid.empty()) {
    // (The row, when there is one, is shown: this failed once under a loaded machine.)
    EXPECT_TRUE(rows.empty()) << stopped << "history row: "
                              << (rows.empty() ? std::string()
                                               : fmt::format("{}", fmt::join(rows[0], " | ")));
  } else {
    EXPECT_EQ(valid, "t") << stopped;  // completed before the cancel: kept and recorded
    ASSERT_EQ(rows.size(), 1u) << stopped;
    EXPECT_EQ(rows[0][3], "1") << stopped;
  }
}

// SIGTERM while the runner waits for a backend an earlier runner left working: it stops there,
// without cancelling that backend and without applying anything.
TEST_F(RunnerAgainstServer, SigtermWhileWaitingForLeftoversAppliesNothing) {
  migration("001_create_t.sql", "CREATE TABLE t (id bigint PRIMARY KEY);\n");
  // A backend named like a runner's, still working (as one of a killed runner may be).
  Session leftover(server_->conninfo(database_) + " application_name=miglint");
  ASSERT_TRUE(leftover.ok()) << leftover.error();
  int leftover_pid = leftover.backend_pid();
  ASSERT_EQ(PQsendQuery(leftover.raw(), "SELECT pg_sleep(60)"), 1);
  Miglint runner(work_->path(), args("run"));
  // The runner has its two sessions: it is waiting (before it reads the history, which a
  // leftover could still change).
  ASSERT_TRUE(wait_until([&] { return miglint_backends() == "3"; }, seconds(20)))
      << runner.wait(milliseconds(1));
  std::this_thread::sleep_for(milliseconds(300));
  ::kill(runner.pid(), SIGTERM);
  Miglint::Result stopped = runner.wait(milliseconds(20000));
  EXPECT_EQ(stopped.exit, 1) << stopped;
  EXPECT_NE(stopped.err.find("interrupted"), std::string::npos) << stopped;
  EXPECT_NE(stopped.out.find("waiting for a backend"), std::string::npos) << stopped;
  EXPECT_FALSE(has_relation("t")) << stopped;
  EXPECT_EQ(value("SELECT state FROM pg_stat_activity WHERE pid = " + std::to_string(leftover_pid)),
            "active");
  value("SELECT pg_cancel_backend(" + std::to_string(leftover_pid) + ")");
}

// Statements: [CREATE TABLE t, INSERT 'first'] (a transaction), CIC i1, CIC i2 (on t2, which the
// test's blocker holds), INSERT 'after'.
constexpr const char* kSequence =
    "CREATE TABLE t (id bigint PRIMARY KEY, v int);\n"
    "INSERT INTO log VALUES ('first');\n"
    "CREATE INDEX CONCURRENTLY i1 ON t (v);\n"
    "CREATE INDEX CONCURRENTLY i2 ON t2 (v);\n"
    "INSERT INTO log VALUES ('after');\n";

TEST_F(RunnerAgainstServer, KilledInANonTransactionalSequenceResumesWithoutRepeatingAnything) {
  auto db = session();
  ASSERT_EQ(db->exec("CREATE TABLE log (msg text); CREATE TABLE t2 (id bigint PRIMARY KEY, v int)"), "");
  migration("001_sequence.sql", kSequence);
  // The blocker: an open transaction holding a lock on t2 that CREATE INDEX CONCURRENTLY waits out.
  auto blocker = session();
  ASSERT_EQ(blocker->exec("BEGIN; LOCK TABLE t2 IN ROW EXCLUSIVE MODE"), "");
  int backend = kill_runner_while_building_i2();
  ASSERT_NE(backend, 0);
  // The server notices the client is gone (client_connection_check_interval) and ends the build.
  ASSERT_TRUE(wait_until([&] { return no_miglint_backends(); }, seconds(15)));
  auto rows = history();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0][2], "f");
  EXPECT_EQ(rows[0][3], "3");  // the transaction and i1
  EXPECT_EQ(value("SELECT indisvalid FROM pg_index WHERE indexrelid = to_regclass('i2')"), "f");
  Miglint::Result status = miglint(args("status"));
  EXPECT_EQ(status.exit, 0) << status;
  EXPECT_NE(status.out.find("partial"), std::string::npos) << status;
  EXPECT_NE(status.out.find("3 of 5 statements applied"), std::string::npos) << status;
  ASSERT_EQ(blocker->exec("ROLLBACK"), "");

  Miglint::Result rerun = run();
  ASSERT_EQ(rerun.exit, 0) << rerun;
  EXPECT_NE(rerun.out.find("left invalid"), std::string::npos) << rerun;
  EXPECT_EQ(value("SELECT count(*) FROM log WHERE msg = 'first'"), "1");
  EXPECT_EQ(value("SELECT count(*) FROM log WHERE msg = 'after'"), "1");
  EXPECT_EQ(value("SELECT count(*) FROM pg_index WHERE indisvalid AND indexrelid IN "
                  "(to_regclass('i1'), to_regclass('i2'))"),
            "2");
  rows = history();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0][2], "t");
  EXPECT_EQ(rows[0][3], "5");
}

// Dropping the invalid index an interrupted build left waits for the same blocker: a lock timeout
// there is retried like any other.
TEST_F(RunnerAgainstServer, LockTimeoutWhileReconcilingAnInterruptedBuildIsRetried) {
  auto db = session();
  ASSERT_EQ(db->exec("CREATE TABLE log (msg text); CREATE TABLE t2 (id bigint PRIMARY KEY, v int)"), "");
  migration("001_sequence.sql", kSequence);
  auto blocker = session();
  ASSERT_EQ(blocker->exec("BEGIN; LOCK TABLE t2 IN ROW EXCLUSIVE MODE"), "");
  ASSERT_NE(kill_runner_while_building_i2(), 0);
  ASSERT_TRUE(wait_until([&] { return no_miglint_backends(); }, seconds(15)));
  ASSERT_EQ(value("SELECT indisvalid FROM pg_index WHERE indexrelid = to_regclass('i2')"), "f");
  // The blocker is still there when the rerun reconciles; it goes during the first retry's backoff.
  // CONCURRENTLY statements wait by default: this test asks them to time out like the others.
  Miglint rerun(work_->path(), args("run", {"--lock-timeout", "300ms", "--concurrent-lock-timeout", "300ms",
                                            "--retries", "3"}));
  int backend = 0;
  ASSERT_TRUE(
      wait_until([&] { return (backend = runner_backend("DROP INDEX CONCURRENTLY%")) != 0; }, seconds(20)))
      << rerun.wait(milliseconds(1));
  ASSERT_TRUE(wait_until(
      [&] {
        return value("SELECT count(*) FROM pg_stat_activity WHERE pid = " + std::to_string(backend) +
                     " AND state <> 'idle'") == "0";
      },
      seconds(20)));
  ASSERT_EQ(blocker->exec("ROLLBACK"), "");
  Miglint::Result result = rerun.wait(milliseconds(60000));
  ASSERT_EQ(result.exit, 0) << result;
  EXPECT_NE(result.out.find("retry 1 of 3"), std::string::npos) << result;
  EXPECT_EQ(value("SELECT count(*) FROM log WHERE msg = 'first'"), "1");
  EXPECT_EQ(value("SELECT count(*) FROM log WHERE msg = 'after'"), "1");
  EXPECT_EQ(value("SELECT indisvalid FROM pg_index WHERE indexrelid = to_regclass('i2')"), "t");
  auto rows = history();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0][2], "t");
}

// Session settings a file makes (SET search_path) before the point a killed runner stopped at
// hold for the statements the rerun resumes with, as they did for the killed runner.
TEST_F(RunnerAgainstServer, ResumedMigrationKeepsTheFilesSessionSettings) {
  auto db = session();
  ASSERT_EQ(db->exec("CREATE SCHEMA app; CREATE TABLE app.log (msg text); "
                     "CREATE TABLE app.t (id bigint PRIMARY KEY, v int); "
                     "CREATE TABLE app.t2 (id bigint PRIMARY KEY, v int)"),
            "");
  migration("001_in_app.sql",
            "SET search_path = app;\n"
            "CREATE INDEX CONCURRENTLY i1 ON t (v);\n"
            "CREATE INDEX CONCURRENTLY i2 ON t2 (v);\n"
            "INSERT INTO log VALUES ('after');\n");
  migration("002_public.sql", "CREATE TABLE plain (id bigint PRIMARY KEY);\n");
  auto blocker = session();
  ASSERT_EQ(blocker->exec("BEGIN; LOCK TABLE app.t2 IN ROW EXCLUSIVE MODE"), "");
  ASSERT_NE(kill_runner_while_building_i2(), 0);
  ASSERT_TRUE(wait_until([&] { return no_miglint_backends(); }, seconds(15)));
  ASSERT_EQ(blocker->exec("ROLLBACK"), "");
  Miglint::Result rerun = run();
  ASSERT_EQ(rerun.exit, 0) << rerun;
  EXPECT_EQ(value("SELECT count(*) FROM app.log WHERE msg = 'after'"), "1");
  EXPECT_EQ(value("SELECT indisvalid FROM pg_index WHERE indexrelid = to_regclass('app.i2')"), "t") << rerun;
  // Each file starts with the session's own settings: 002 does not inherit 001's search_path.
  EXPECT_TRUE(has_relation("public.plain")) << rerun;
  auto rows = history();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0][2], "t");
}

// The rerun starts at once, while the killed runner's build may still be running (and may finish
// or be ended by the server): the runner waits for it, then reconciles whichever it finds.
TEST_F(RunnerAgainstServer, RerunStartedWhileTheKilledRunnersBuildStillRunsWaitsForIt) {
  auto db = session();
  ASSERT_EQ(db->exec("CREATE TABLE log (msg text); CREATE TABLE t2 (id bigint PRIMARY KEY, v int)"), "");
  migration("001_sequence.sql", kSequence);
  auto blocker = session();
  ASSERT_EQ(blocker->exec("BEGIN; LOCK TABLE t2 IN ROW EXCLUSIVE MODE"), "");
  ASSERT_NE(kill_runner_while_building_i2(), 0);
  ASSERT_EQ(blocker->exec("ROLLBACK"), "");
  Miglint::Result rerun = run();
  ASSERT_EQ(rerun.exit, 0) << rerun;
  EXPECT_EQ(value("SELECT count(*) FROM log WHERE msg = 'first'"), "1");
  EXPECT_EQ(value("SELECT count(*) FROM log WHERE msg = 'after'"), "1");
  EXPECT_EQ(value("SELECT count(*) FROM pg_index WHERE indisvalid AND indexrelid IN "
                  "(to_regclass('i1'), to_regclass('i2'))"),
            "2");
  EXPECT_EQ(value("SELECT count(*) FROM pg_index WHERE indrelid = 't2'::regclass"), "2");  // pkey, i2
  auto rows = history();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0][2], "t");
  EXPECT_EQ(rows[0][3], "5");
}

// The next runner waits for the advisory lock a killed runner held, then resumes its work.
TEST_F(RunnerAgainstServer, RunnerWaitingForTheLockTakesOverFromAKilledRunner) {
  auto db = session();
  ASSERT_EQ(db->exec("CREATE TABLE test_control (seconds float); INSERT INTO test_control VALUES (30);"
                     "CREATE TABLE log (msg text)"),
            "");
  migration("001_slow.sql", std::string("CREATE TABLE a (id bigint PRIMARY KEY);\n"
                                        "INSERT INTO log VALUES ('a');\n") +
                                kSleepWhileAsked);
  migration("002_index.sql",
            "-- miglint-no-transaction\nCREATE INDEX CONCURRENTLY log_msg_idx ON log (msg);\n");
  Miglint first(work_->path(), args("run"));
  ASSERT_TRUE(wait_until([&] { return runner_backend("%pg_sleep%") != 0; }, seconds(20)))
      << first.wait(milliseconds(1));
  Miglint second(work_->path(), args("run"));
  // The second runner is connected (its session polls for the lock): three miglint sessions.
  ASSERT_TRUE(wait_until([&] { return miglint_backends() == "3"; }, seconds(20)))
      << second.wait(milliseconds(1));
  ASSERT_EQ(db->exec("UPDATE test_control SET seconds = 0"), "");
  first.kill9();
  EXPECT_EQ(first.wait().signal, SIGKILL);
  Miglint::Result result = second.wait(milliseconds(60000));
  ASSERT_EQ(result.exit, 0) << result;
  EXPECT_NE(result.out.find("applied 2 migrations"), std::string::npos) << result;
  EXPECT_EQ(value("SELECT count(*) FROM log WHERE msg = 'a'"), "1");
  EXPECT_EQ(value("SELECT indisvalid FROM pg_index WHERE indexrelid = to_regclass('log_msg_idx')"), "t");
  auto rows = history();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0][2], "t");
  EXPECT_EQ(rows[1][2], "t");
}

TEST_F(RunnerAgainstServer, InterruptedConcurrentBuildThatHadFinishedIsNotRunAgain) {
  auto db = session();
  ASSERT_EQ(db->exec("CREATE TABLE log (msg text); CREATE TABLE t2 (id bigint PRIMARY KEY, v int)"), "");
  migration("001_sequence.sql", kSequence);
  ASSERT_EQ(run().exit, 0);
  // What a runner killed after i2 was built but before its progress was recorded leaves behind.
  ASSERT_EQ(db->exec(std::string("UPDATE ") + kHistory +
                     " SET statements_applied = 3, success = false; DELETE FROM log WHERE msg = 'after'"),
            "");
  std::string oid = value("SELECT to_regclass('i2')::oid");
  Miglint::Result rerun = run();
  ASSERT_EQ(rerun.exit, 0) << rerun;
  EXPECT_NE(rerun.out.find("exists and is valid"), std::string::npos) << rerun;
  EXPECT_EQ(value("SELECT to_regclass('i2')::oid"), oid);  // not rebuilt
  EXPECT_EQ(value("SELECT count(*) FROM log WHERE msg = 'first'"), "1");
  EXPECT_EQ(value("SELECT count(*) FROM log WHERE msg = 'after'"), "1");
  auto rows = history();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0][2], "t");
  EXPECT_EQ(rows[0][3], "5");
}

// ---------------------------------------------------------------------------------------------
// 6. Two runners at once.

TEST_F(RunnerAgainstServer, TwoRunnersAtOnceApplyEveryMigrationExactlyOnce) {
  auto db = session();
  ASSERT_EQ(db->exec("CREATE TABLE log (msg text)"), "");
  migration("001_create.sql",
            "CREATE TABLE items (id bigint PRIMARY KEY, name text);\n"
            "INSERT INTO log VALUES ('001');\n"
            "SELECT pg_sleep(2);\n");
  migration("002_index.sql",
            "-- miglint-no-transaction\nCREATE INDEX CONCURRENTLY items_name_idx ON items (name);\n");
  migration("003_mixed.sql",
            "INSERT INTO log VALUES ('003');\n"
            "CREATE INDEX CONCURRENTLY items_id_name_idx ON items (id, name);\n"
            "INSERT INTO log VALUES ('003 after');\n");
  Miglint first(work_->path(), args("run"));
  Miglint second(work_->path(), args("run"));
  Miglint::Result a = first.wait(milliseconds(60000));
  Miglint::Result b = second.wait(milliseconds(60000));
  ASSERT_EQ(a.exit, 0) << a;
  ASSERT_EQ(b.exit, 0) << b;
  // One applied all three; the other waited for the lock and found nothing to do.
  EXPECT_EQ(count_of(a.out + b.out, "applied 3 migrations"), 1u) << a << b;
  EXPECT_EQ(count_of(a.out + b.out, "nothing to do"), 1u) << a << b;
  EXPECT_EQ(count_of(a.out + b.out, "waiting for another miglint run"), 1u) << a << b;
  EXPECT_EQ(value("SELECT string_agg(msg, ',' ORDER BY msg) FROM log"), "001,003,003 after");
  auto rows = history();
  ASSERT_EQ(rows.size(), 3u);
  for (const auto& row : rows) {
    EXPECT_EQ(row[2], "t") << row[0];
  }
  EXPECT_EQ(value("SELECT count(*) FROM pg_index WHERE indisvalid AND indexrelid IN "
                  "(to_regclass('items_name_idx'), to_regclass('items_id_name_idx'))"),
            "2");
}

TEST_F(RunnerAgainstServer, RunnerGivesUpWaitingForTheLockAfterLockWait) {
  auto db = session();
  ASSERT_EQ(db->exec("CREATE TABLE test_control (seconds float); INSERT INTO test_control VALUES (30)"), "");
  migration("001_slow.sql", std::string("CREATE TABLE a (id bigint PRIMARY KEY);\n") + kSleepWhileAsked);
  Miglint first(work_->path(), args("run"));
  ASSERT_TRUE(wait_until([&] { return runner_backend("%pg_sleep%") != 0; }, seconds(20)))
      << first.wait(milliseconds(1));
  auto started = Clock::now();
  Miglint::Result second = run({"--lock-wait", "1s"});
  EXPECT_LT(Clock::now() - started, seconds(10));
  EXPECT_EQ(second.exit, 1) << second;
  EXPECT_NE(second.err.find("--lock-wait"), std::string::npos) << second;
  ASSERT_EQ(db->exec("UPDATE test_control SET seconds = 0"), "");
  first.kill9();
  first.wait();
}

// ---------------------------------------------------------------------------------------------
// 7. A table another session holds.

TEST_F(RunnerAgainstServer, LockTimeoutRetriesNameTheBlockerAndDoNotStallOtherTraffic) {
  auto db = session();
  ASSERT_EQ(db->exec("CREATE TABLE t (id bigint PRIMARY KEY); INSERT INTO t VALUES (1)"), "");
  migration("001_alter_t.sql",
            "CREATE TABLE kept (id bigint PRIMARY KEY);\n"
            "ALTER TABLE t ADD COLUMN x int;\n");
  auto blocker = session();
  ASSERT_EQ(blocker->exec("BEGIN; LOCK TABLE t IN ACCESS SHARE MODE"), "");
  int blocker_pid = blocker->backend_pid();
  Miglint runner(work_->path(), args("run", {"--lock-timeout", "200ms", "--retries", "2"}));
  ASSERT_TRUE(wait_until([&] { return runner_backend("ALTER TABLE t%", "wait_event_type = 'Lock'") != 0; },
                         seconds(20)))
      << runner.wait(milliseconds(1));
  // Other traffic queues behind the waiting ALTER for at most about lock_timeout.
  auto reader = session();
  auto started = Clock::now();
  EXPECT_EQ(reader->rows("SELECT * FROM t").size(), 1u);
  auto waited = Clock::now() - started;
  EXPECT_LT(waited, seconds(3));
  Miglint::Result result = runner.wait(milliseconds(60000));
  EXPECT_EQ(result.exit, 1) << result;
  EXPECT_NE(result.err.find("lock timeout"), std::string::npos) << result;
  EXPECT_NE(result.err.find("2 retries"), std::string::npos) << result;
  EXPECT_NE(result.err.find("pid " + std::to_string(blocker_pid)), std::string::npos) << result;
  EXPECT_NE(result.err.find("LOCK TABLE t IN ACCESS SHARE MODE"), std::string::npos) << result;
  EXPECT_EQ(count_of(result.out, "retry "), 2u) << result;
  // Nothing of the migration was kept.
  EXPECT_FALSE(has_relation("kept"));
  EXPECT_EQ(
      value("SELECT count(*) FROM information_schema.columns WHERE table_name = 't' AND column_name = 'x'"),
      "0");
  EXPECT_TRUE(history().empty());
  blocker->exec("ROLLBACK");
}

// A file's own BEGIN ... COMMIT is retried whole from its BEGIN after a lock timeout.
TEST_F(RunnerAgainstServer, LockTimeoutInTheFilesOwnTransactionRetriesItWhole) {
  auto db = session();
  ASSERT_EQ(db->exec("CREATE TABLE t (id bigint PRIMARY KEY); CREATE TABLE log (msg text)"), "");
  migration("001_own.sql",
            "BEGIN;\n"
            "CREATE TABLE kept (id bigint PRIMARY KEY);\n"
            "ALTER TABLE t ADD COLUMN x int;\n"
            "COMMIT;\n");
  auto blocker = session();
  ASSERT_EQ(blocker->exec("BEGIN; LOCK TABLE t IN ACCESS SHARE MODE"), "");
  Miglint runner(work_->path(), args("run", {"--lock-timeout", "200ms", "--retries", "5"}));
  int backend = 0;
  ASSERT_TRUE(wait_until([&] { return (backend = runner_backend("ALTER TABLE t%")) != 0; }, seconds(20)))
      << runner.wait(milliseconds(1));
  // Released while the runner waits to retry.
  ASSERT_TRUE(wait_until(
      [&] {
        return value("SELECT count(*) FROM pg_stat_activity WHERE pid = " + std::to_string(backend) +
                     " AND state <> 'idle'") == "0";
      },
      seconds(20)));
  ASSERT_EQ(blocker->exec("ROLLBACK"), "");
  Miglint::Result result = runner.wait(milliseconds(60000));
  ASSERT_EQ(result.exit, 0) << result;
  EXPECT_NE(result.out.find("retry 1 of 5"), std::string::npos) << result;
  EXPECT_TRUE(has_relation("kept"));
  auto rows = history();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0][2], "t");
  EXPECT_EQ(rows[0][3], "4");
}

// ---------------------------------------------------------------------------------------------
// 8. The database unreachable, or lost mid-run.

TEST_F(RunnerAgainstServer, UnreachableDatabaseIsExit2WithOneLineAndNoPassword) {
  migration("001_create_t.sql", "CREATE TABLE t (id bigint PRIMARY KEY);\n");
  std::string secret_url = "postgresql://u:s3cretpw@127.0.0.1:" + std::to_string(free_port()) + "/x";
  for (const char* command : {"run", "status", "plan"}) {
    Miglint::Result result = miglint({command, migrations_.string(), "--db", secret_url});
    EXPECT_EQ(result.exit, 2) << command << result;
    EXPECT_EQ(result.all().find("s3cretpw"), std::string::npos) << command << result;
    EXPECT_EQ(count_of(result.err, "\n"), 1u) << command << result;
    EXPECT_NE(result.err.find("127.0.0.1"), std::string::npos) << command << result;
  }
  // Also as a key=value string.
  std::string keywords = "host=127.0.0.1 port=" + std::to_string(free_port()) + " user=u password=s3cretpw";
  Miglint::Result result = miglint({"run", migrations_.string(), "--db", keywords});
  EXPECT_EQ(result.exit, 2) << result;
  EXPECT_EQ(result.all().find("s3cretpw"), std::string::npos) << result;
}

TEST_F(RunnerAgainstServer, ServerRestartedMidRunIsExit2AndTheRerunAppliesOnce) {
  {
    auto db = session();
    ASSERT_EQ(db->exec("CREATE TABLE test_control (seconds float); INSERT INTO test_control VALUES (30);"
                       "CREATE TABLE log (msg text)"),
              "");
  }
  migration("001_first.sql", "CREATE TABLE before_restart (id bigint PRIMARY KEY);\n");
  migration("002_slow.sql", std::string("CREATE TABLE r (id bigint PRIMARY KEY);\n"
                                        "INSERT INTO log VALUES ('r');\n") +
                                kSleepWhileAsked);
  Miglint runner(work_->path(), args("run"));
  ASSERT_TRUE(wait_until([&] { return runner_backend("%pg_sleep%") != 0; }, seconds(20)))
      << runner.wait(milliseconds(1));
  ASSERT_TRUE(server_->restart());
  Miglint::Result lost = runner.wait(milliseconds(30000));
  EXPECT_EQ(lost.exit, 2) << lost;
  EXPECT_NE(lost.err.find("connection"), std::string::npos) << lost;
  EXPECT_TRUE(has_relation("before_restart"));
  EXPECT_FALSE(has_relation("r"));
  auto rows = history();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0][0], "001");
  EXPECT_EQ(value("SELECT count(*) FROM log"), "0");

  auto db = session();
  ASSERT_EQ(db->exec("UPDATE test_control SET seconds = 0"), "");
  Miglint::Result rerun = run();
  ASSERT_EQ(rerun.exit, 0) << rerun;
  EXPECT_TRUE(has_relation("r"));
  EXPECT_EQ(value("SELECT count(*) FROM log WHERE msg = 'r'"), "1");
  rows = history();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[1][2], "t");
}

// ---------------------------------------------------------------------------------------------
// 9. A concurrent build that fails.

TEST_F(RunnerAgainstServer, FailedConcurrentBuildLeavesNoInvalidIndex) {
  auto db = session();
  ASSERT_EQ(db->exec("CREATE TABLE d (id bigint PRIMARY KEY, v int); INSERT INTO d VALUES (1, 7), (2, 7)"),
            "");
  migration("001_unique.sql",
            "-- miglint-no-transaction\nCREATE UNIQUE INDEX CONCURRENTLY d_v_key ON d (v);\n");
  Miglint::Result failed = run();
  EXPECT_EQ(failed.exit, 1) << failed;
  EXPECT_NE(failed.err.find("001_unique.sql"), std::string::npos) << failed;
  EXPECT_NE(failed.err.find("23505"), std::string::npos) << failed;
  EXPECT_FALSE(has_relation("d_v_key")) << failed;
  for (const auto& row : history()) {
    EXPECT_NE(row[2], "t") << row[0];
  }
}

// An unnamed index: the runner finds the invalid index the build left by comparing the table's
// indexes before and after.
// An unnamed concurrent build is refused before anything runs (issue 21, F7): interrupted, its
// invalid index could not be found by name. (It used to run, and a failure dropped what it left.)
TEST_F(RunnerAgainstServer, UnnamedConcurrentBuildIsRefusedAndBuildsNothing) {
  auto db = session();
  ASSERT_EQ(db->exec("CREATE TABLE d (id bigint PRIMARY KEY, v int); INSERT INTO d VALUES (1, 7), (2, 7);"
                     "CREATE INDEX d_other_idx ON d (id, v)"),
            "");
  migration("001_unique.sql", "-- miglint-no-transaction\nCREATE UNIQUE INDEX CONCURRENTLY ON d (v);\n");
  Miglint::Result refused = run();
  EXPECT_EQ(refused.exit, 1) << refused;
  EXPECT_NE(refused.err.find("001_unique.sql:2:1: CREATE INDEX CONCURRENTLY needs an index name"),
            std::string::npos)
      << refused;
  EXPECT_EQ(value("SELECT string_agg(indexrelid::regclass::text, ',' ORDER BY indexrelid::regclass::text) "
                  "FROM pg_index "
                  "WHERE indrelid = 'd'::regclass"),
            "d_other_idx,d_pkey")
      << refused;
}

// A concurrent build that timed out waiting for a lock leaves an invalid index; the retry must not
// trip over it ("relation already exists") when dropping it had timed out too.
TEST_F(RunnerAgainstServer, ConcurrentBuildRetriedAfterALockTimeoutSucceedsOnceTheBlockerIsGone) {
  auto db = session();
  ASSERT_EQ(db->exec("CREATE TABLE t2 (id bigint PRIMARY KEY, v int)"), "");
  migration("001_index.sql", "-- miglint-no-transaction\nCREATE INDEX CONCURRENTLY i2 ON t2 (v);\n");
  auto blocker = session();
  ASSERT_EQ(blocker->exec("BEGIN; LOCK TABLE t2 IN ROW EXCLUSIVE MODE"), "");
  // CONCURRENTLY statements wait by default: this test asks them to time out like the others.
  Miglint runner(work_->path(), args("run", {"--lock-timeout", "300ms", "--concurrent-lock-timeout", "300ms",
                                             "--retries", "3"}));
  // The build times out; so does dropping the invalid index it leaves (the blocker holds t2).
  int backend = 0;
  ASSERT_TRUE(wait_until([&] { return (backend = runner_backend("CREATE INDEX CONCURRENTLY i2%")) != 0; },
                         seconds(20)))
      << runner.wait(milliseconds(1));
  // Released once the first attempt is over (the runner sleeps 0.5 to 1 s before its retry).
  ASSERT_TRUE(wait_until([&] { return runner_backend("DROP INDEX CONCURRENTLY%") == backend; }, seconds(20)))
      << runner.wait(milliseconds(1));
  ASSERT_TRUE(wait_until(
      [&] {
        return value("SELECT count(*) FROM pg_stat_activity WHERE pid = " + std::to_string(backend) +
                     " AND state = 'idle'") == "1";
      },
      seconds(20)));
  ASSERT_EQ(blocker->exec("ROLLBACK"), "");
  Miglint::Result result = runner.wait(milliseconds(60000));
  EXPECT_EQ(result.exit, 0) << result;
  EXPECT_EQ(value("SELECT indisvalid FROM pg_index WHERE indexrelid = to_regclass('i2')"), "t") << result;
  auto rows = history();
  ASSERT_EQ(rows.size(), 1u) << result;
  EXPECT_EQ(rows[0][2], "t");
}

// ---------------------------------------------------------------------------------------------
// Failures of the migrations themselves.

TEST_F(RunnerAgainstServer, FailingMigrationKeepsNothingOfItselfAndTheEarlierOnesStayApplied) {
  migration("001_create_t.sql", "CREATE TABLE t (id bigint PRIMARY KEY);\n");
  migration("002_broken.sql",
            "CREATE TABLE u (id bigint PRIMARY KEY);\n"
            "INSERT INTO missing VALUES (1);\n");
  migration("003_create_v.sql", "CREATE TABLE v (id bigint PRIMARY KEY);\n");
  Miglint::Result failed = run();
  EXPECT_EQ(failed.exit, 1) << failed;
  EXPECT_NE(failed.err.find("002_broken.sql:2:1"), std::string::npos) << failed;
  EXPECT_NE(failed.err.find("42P01"), std::string::npos) << failed;
  EXPECT_NE(failed.err.find("nothing of"), std::string::npos) << failed;
  EXPECT_TRUE(has_relation("t"));
  EXPECT_FALSE(has_relation("u"));
  EXPECT_FALSE(has_relation("v"));
  auto rows = history();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0][0], "001");
  // Fixed in the database (the file is applied as written): the rerun applies 002 and 003.
  auto db = session();
  ASSERT_EQ(db->exec("CREATE TABLE missing (id int)"), "");
  Miglint::Result rerun = run();
  ASSERT_EQ(rerun.exit, 0) << rerun;
  EXPECT_EQ(history().size(), 3u);
}

TEST_F(RunnerAgainstServer, SegmentedMigrationFailingAfterAConcurrentBuildResumesAfterIt) {
  auto db = session();
  ASSERT_EQ(db->exec("CREATE TABLE t (id bigint PRIMARY KEY, v int); CREATE TABLE log (msg text)"), "");
  migration("001_segmented.sql",
            "INSERT INTO log VALUES ('first');\n"
            "CREATE INDEX CONCURRENTLY t_v_idx ON t (v);\n"
            "INSERT INTO missing VALUES (1);\n"
            "INSERT INTO log VALUES ('last');\n");
  Miglint::Result failed = run();
  EXPECT_EQ(failed.exit, 1) << failed;
  EXPECT_NE(failed.err.find("2 of 4 statements"), std::string::npos) << failed;
  auto rows = history();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0][2], "f");
  EXPECT_EQ(rows[0][3], "2");
  Miglint::Result plan = miglint(args("plan"));
  EXPECT_EQ(plan.exit, 0) << plan;
  EXPECT_NE(plan.out.find("resuming after statement 2"), std::string::npos) << plan;
  ASSERT_EQ(db->exec("CREATE TABLE missing (id int)"), "");
  Miglint::Result rerun = run();
  ASSERT_EQ(rerun.exit, 0) << rerun;
  EXPECT_EQ(value("SELECT string_agg(msg, ',' ORDER BY msg) FROM log"), "first,last");
  EXPECT_EQ(value("SELECT count(*) FROM missing"), "1");
  rows = history();
  EXPECT_EQ(rows[0][2], "t");
  EXPECT_EQ(rows[0][3], "4");
}

TEST_F(RunnerAgainstServer, StatementTimeoutEndsALongStatement) {
  migration("001_slow.sql", "CREATE TABLE a (id bigint PRIMARY KEY);\nSELECT pg_sleep(30);\n");
  auto started = Clock::now();
  Miglint::Result result = run({"--statement-timeout", "300ms"});
  EXPECT_LT(Clock::now() - started, seconds(10));
  EXPECT_EQ(result.exit, 1) << result;
  EXPECT_NE(result.err.find("57014"), std::string::npos) << result;
  EXPECT_FALSE(has_relation("a"));
  EXPECT_TRUE(history().empty());
}

TEST_F(RunnerAgainstServer, UnparsableMigrationIsRefusedBeforeAnythingRuns) {
  migration("001_create_t.sql", "CREATE TABLE t (id bigint PRIMARY KEY);\n");
  migration("002_typo.sql", "CREATE TABLE u (id bigint PRIMARY KEY);\nALTER TABLEE u ADD COLUMN x int;\n");
  Miglint::Result refused = run();
  EXPECT_EQ(refused.exit, 1) << refused;
  EXPECT_NE(refused.err.find("002_typo.sql:2"), std::string::npos) << refused;
  EXPECT_FALSE(has_relation("t"));
  EXPECT_FALSE(has_relation(kHistory));
}

// ---------------------------------------------------------------------------------------------
// 10. plan and status write nothing.

TEST_F(RunnerAgainstServer, PlanAndStatusWriteNothingAndRefuseLikeRun) {
  migration("001_create_t.sql", "CREATE TABLE t (id bigint PRIMARY KEY, c text);\n");
  migration("002_index.sql", "-- miglint-no-transaction\nCREATE INDEX CONCURRENTLY t_c_idx ON t (c);\n");
  Miglint::Result plan = miglint(args("plan"));
  EXPECT_EQ(plan.exit, 0) << plan;
  EXPECT_NE(plan.out.find("CREATE INDEX CONCURRENTLY"), std::string::npos) << plan;
  Miglint::Result status = miglint(args("status"));
  EXPECT_EQ(status.exit, 0) << status;
  EXPECT_EQ(count_of(status.out, "pending"), 2u) << status;
  EXPECT_FALSE(has_relation(kHistory));
  EXPECT_FALSE(has_relation("t"));

  migration("003_drop_c.sql", "ALTER TABLE t DROP COLUMN c;\n");
  plan = miglint(args("plan"));
  EXPECT_EQ(plan.exit, 1) << plan;
  EXPECT_NE(plan.out.find("ban-drop-column"), std::string::npos) << plan;
  status = miglint(args("status"));
  EXPECT_EQ(status.exit, 1) << status;
  EXPECT_NE(status.out.find("ban-drop-column"), std::string::npos) << status;
  EXPECT_FALSE(has_relation(kHistory));
  EXPECT_FALSE(has_relation("t"));
  EXPECT_EQ(value("SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace"), "0");
}

}  // namespace
