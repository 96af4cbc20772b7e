// Managed backfills against a real PostgreSQL (docs/runner.md, "Managed backfills"): a non-idempotent
// UPDATE of 120,000 rows killed with SIGKILL at seeded moments and rerun until it completes, then
// checked row by row (every matching row changed exactly once, the others untouched); a DELETE
// backfill; a lock timeout in a batch retried; keys the runner cannot batch by refused before anything
// of the file runs; `status` while a backfill is in progress.
#include <random>

#include "tests/runner_pg_child.hpp"

namespace miglint::pgtest {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

class BackfillAgainstServer : public RunnerServerTest {
 protected:
  // items: ids 3, 6, 9, ... (gaps between keys) and a few far ones, n = 0.
  void create_items(int rows) {
    auto db = session();
    ASSERT_EQ(
        db->exec("CREATE TABLE items (id bigint PRIMARY KEY, n int NOT NULL DEFAULT 0, v int NOT NULL)"), "");
    ASSERT_EQ(db->exec("INSERT INTO items (id, v) SELECT g * 3, g FROM generate_series(1, " +
                       std::to_string(rows) + ") g"),
              "");
    ASSERT_EQ(db->exec("INSERT INTO items (id, v) VALUES (-7, -7), (9000000000, 1)"), "");
  }
  std::string progress(const std::string& column) {
    return value("SELECT " + column + " FROM miglint_schema_migrations_backfills");
  }
  bool killed_runner_gone() {
    return wait_until(
        [&] {
          return value(
                     "SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE 'miglint/%' AND "
                     "datname = '" +
                     database_ + "'") == "0";
        },
        seconds(20));
  }
  // Starts `miglint run` and kills it with SIGKILL once its backfill has recorded at least `rows`
  // rows, then waits until its sessions are gone: a backfill interrupted in the middle.
  void run_and_kill_after_rows(long long rows) {
    MiglintChild runner(work_->path(), args("run"));
    ASSERT_TRUE(wait_until(
        [&] {
          std::string done = progress("rows_done");
          return !done.empty() && std::stoll(done) >= rows;
        },
        seconds(30)))
        << runner.wait(milliseconds(1));
    runner.kill9();
    ASSERT_EQ(runner.wait().signal, SIGKILL);
    ASSERT_TRUE(killed_runner_gone());
  }
};

// The non-idempotent UPDATE: n = n + 1 on the rows with v % 10 <> 3.
constexpr const char* kIncrement =
    "ALTER TABLE items ADD COLUMN touched int NOT NULL DEFAULT 0;\n"
    "-- miglint-backfill batch=1000 sleep=10ms key=id\n"
    "UPDATE items SET n = n + 1, touched = touched + 1 WHERE v % 10 <> 3;\n";

TEST_F(BackfillAgainstServer, KilledAtSeededMomentsEveryRowIsChangedExactlyOnce) {
  const int rows = 120000;
  create_items(rows);
  migration("001_backfill.sql", kIncrement);
  std::mt19937 random(20261205);  // fixed seed: the same kill points every time
  int kills = 0;
  int kills_mid_backfill = 0;
  bool done = false;
  for (int attempt = 0; attempt < 40 && !done; ++attempt) {
    MiglintChild runner(work_->path(), args("run", {"--lock-wait", "30s"}));
    // Half the kills at a random moment from the start (the schema part, vetting, a batch), half
    // once the backfill is running, after a random delay.
    milliseconds delay(std::uniform_int_distribution<int>(0, 1500)(random));
    if (attempt % 2 == 1) {
      wait_until(
          [&] {
            return runner.stdout_so_far().find("\n  backfill ") != std::string::npos || runner.exited();
          },
          seconds(30));
    }
    std::this_thread::sleep_for(delay);
    if (runner.exited()) {
      MiglintChild::Result result = runner.wait();
      ASSERT_EQ(result.exit, 0) << result;
      done = true;
      break;
    }
    std::string done_before = progress("rows_done");
    runner.kill9();
    ASSERT_EQ(runner.wait().signal, SIGKILL);
    ++kills;
    ASSERT_TRUE(killed_runner_gone());
    std::string done_after = progress("rows_done");
    if (!done_after.empty() && std::stoll(done_after) > 0 && progress("finished_at IS NULL") == "t") {
      ++kills_mid_backfill;
      // A killed backfill leaves the migration partly applied, never fully.
      EXPECT_EQ(value("SELECT success FROM miglint_schema_migrations WHERE version = '001'"), "f");
    }
    (void)done_before;
  }
  if (!done) {
    MiglintChild::Result last = run({"--lock-wait", "30s"});
    ASSERT_EQ(last.exit, 0) << last;
  }
  std::cout << "[ kills    ] " << kills << " SIGKILLs, " << kills_mid_backfill
            << " in the middle of the backfill\n";
  EXPECT_GE(kills_mid_backfill, 3);
  // Row by row: each matching row was changed exactly once, each other row not at all, none lost.
  EXPECT_EQ(value("SELECT count(*) FROM items"), std::to_string(rows + 2));
  EXPECT_EQ(value("SELECT count(*) FROM items WHERE v % 10 <> 3 AND (n <> 1 OR touched <> 1)"), "0");
  EXPECT_EQ(value("SELECT count(*) FROM items WHERE v % 10 = 3 AND (n <> 0 OR touched <> 0)"), "0");
  EXPECT_EQ(value("SELECT count(*) FROM items WHERE n = 1"),
            value("SELECT count(*) FROM items WHERE v % 10 <> 3"));
  EXPECT_EQ(value("SELECT success FROM miglint_schema_migrations WHERE version = '001'"), "t");
  EXPECT_EQ(progress("finished_at IS NOT NULL"), "t");
  EXPECT_EQ(progress("rows_done"), value("SELECT count(*) FROM items WHERE v % 10 <> 3"));
  MiglintChild::Result again = run();
  EXPECT_EQ(again.exit, 0) << again;
  EXPECT_NE(again.out.find("nothing to do"), std::string::npos) << again;
  EXPECT_EQ(value("SELECT max(n) FROM items"), "1");
}

TEST_F(BackfillAgainstServer, StatusShowsABackfillInProgressAndRunResumesIt) {
  create_items(20000);
  migration("001_backfill.sql",
            "-- miglint-backfill batch=500 sleep=150ms key=id\n"
            "UPDATE items SET n = n + 1;\n");
  ASSERT_NO_FATAL_FAILURE(run_and_kill_after_rows(2000));
  std::string done = progress("rows_done");
  MiglintChild::Result status = miglint(args("status"));
  EXPECT_EQ(status.exit, 0) << status;
  EXPECT_NE(status.out.find("partial"), std::string::npos) << status;
  EXPECT_NE(status.out.find("backfilling "), std::string::npos) << status;
  EXPECT_NE(status.out.find("/20,002 rows"), std::string::npos) << status;
  MiglintChild::Result json = miglint(args("status", {"--format", "json"}));
  EXPECT_NE(json.out.find("\"backfill\""), std::string::npos) << json;
  EXPECT_NE(json.out.find("\"rows_done\""), std::string::npos) << json;
  EXPECT_NE(json.out.find("\"rows_total\": 20002"), std::string::npos) << json;
  MiglintChild::Result resumed = run();
  ASSERT_EQ(resumed.exit, 0) << resumed;
  EXPECT_NE(resumed.out.find("resuming after key"), std::string::npos) << resumed;
  EXPECT_NE(resumed.out.find("backfill done: 20,002 rows"), std::string::npos) << resumed;
  // Not a terminal: plain progress lines, no carriage returns.
  EXPECT_EQ(resumed.out.find('\r'), std::string::npos) << resumed;
  EXPECT_NE(resumed.out.find("rows/s"), std::string::npos) << resumed;
  EXPECT_EQ(value("SELECT count(*) FROM items WHERE n <> 1"), "0");
  MiglintChild::Result after = miglint(args("status"));
  EXPECT_EQ(after.out.find("backfilling"), std::string::npos) << after;
}

TEST_F(BackfillAgainstServer, ADeleteBackfillDeletesTheMatchingRowsInBatches) {
  create_items(30000);
  migration("001_trim.sql",
            "-- miglint-backfill batch=4000 key=id\n"
            "DELETE FROM items WHERE v % 3 = 0;\n");
  MiglintChild::Result result = run();
  ASSERT_EQ(result.exit, 0) << result;
  EXPECT_NE(result.out.find("backfill done: 10,000 rows"), std::string::npos) << result;
  EXPECT_EQ(value("SELECT count(*) FROM items"), std::to_string(30000 + 2 - 10000));
  EXPECT_EQ(value("SELECT count(*) FROM items WHERE v % 3 = 0"), "0");
  EXPECT_EQ(value("SELECT count(*) FROM generate_series(1, 30000) g WHERE g % 3 <> 0 AND NOT EXISTS "
                  "(SELECT FROM items WHERE id = g * 3)"),
            "0");
  EXPECT_EQ(value("SELECT success FROM miglint_schema_migrations WHERE version = '001'"), "t");
  EXPECT_EQ(progress("batches"), "8");  // 30,002 keys in batches of 4,000 (the last look finds none)
}

TEST_F(BackfillAgainstServer, ALockTimeoutInABatchIsRetried) {
  create_items(3000);
  migration("001_backfill.sql",
            "-- miglint-backfill batch=500 key=id\n"
            "UPDATE items SET n = n + 1;\n");
  auto blocker = session();
  ASSERT_EQ(blocker->exec("BEGIN"), "");
  ASSERT_EQ(blocker->exec("SELECT * FROM items WHERE id = 4500 FOR UPDATE"), "");
  MiglintChild runner(work_->path(), args("run", {"--lock-timeout", "200ms", "--retries", "8"}));
  ASSERT_TRUE(wait_until([&] { return runner.stdout_so_far().find("lock timeout") != std::string::npos; },
                         seconds(30)))
      << runner.wait(milliseconds(1));
  // Rows of batches before the locked one are done and recorded; the locked batch is not.
  EXPECT_EQ(value("SELECT count(*) FROM items WHERE n = 1 AND id >= 4500"), "0");
  ASSERT_EQ(blocker->exec("COMMIT"), "");
  MiglintChild::Result result = runner.wait();
  ASSERT_EQ(result.exit, 0) << result;
  EXPECT_NE(result.out.find("retry 1 of 8"), std::string::npos) << result;
  EXPECT_EQ(value("SELECT count(*) FROM items WHERE n <> 1"), "0");
}

TEST_F(BackfillAgainstServer, KeysItCannotBatchByAreRefusedBeforeAnythingRuns) {
  auto db = session();
  ASSERT_EQ(db->exec("CREATE TABLE marker (id int PRIMARY KEY)"), "");
  ASSERT_EQ(db->exec("CREATE TABLE by_text (id text PRIMARY KEY, n int)"), "");
  ASSERT_EQ(db->exec("CREATE TABLE nullable_key (id int UNIQUE, n int)"), "");
  ASSERT_EQ(db->exec("CREATE TABLE unindexed (id int NOT NULL, n int)"), "");
  ASSERT_EQ(db->exec("CREATE TABLE pair (a int, b int, n int, PRIMARY KEY (a, b))"), "");
  ASSERT_EQ(db->exec("INSERT INTO by_text VALUES ('a', 0); INSERT INTO nullable_key VALUES (1, 0); "
                     "INSERT INTO unindexed VALUES (1, 0); INSERT INTO pair VALUES (1, 1, 0)"),
            "");
  struct Case {
    std::string directive;
    std::string statement;
    std::string says;
  };
  std::vector<Case> cases{
      {"key=id", "UPDATE by_text SET n = n + 1", "is text, not an integer column"},
      {"key=id", "UPDATE nullable_key SET n = n + 1", "is nullable"},
      {"key=id", "UPDATE unindexed SET n = n + 1", "no index of \"unindexed\" starts with"},
      {"key=id", "UPDATE no_such_table SET n = n + 1", "table \"no_such_table\" does not exist"},
      {"key=nope", "UPDATE by_text SET n = n + 1", "has no column `nope`"},
      {"key=a,b", "UPDATE pair SET n = n + 1", "batches nothing: key=`a,b` is not a column name"},
      {"key=a", "UPDATE pair p SET n = 1 FROM marker m WHERE m.id = p.a", "cannot be run as a backfill"},
  };
  for (const Case& c : cases) {
    std::filesystem::remove_all(migrations_);
    std::filesystem::create_directories(migrations_);
    migration("001_x.sql", "ALTER TABLE marker ADD COLUMN c int;\n-- miglint-backfill " + c.directive + "\n" +
                               c.statement + ";\n");
    MiglintChild::Result result = run();
    EXPECT_EQ(result.exit, 1) << c.statement << "\n" << result;
    EXPECT_NE(result.err.find(c.says), std::string::npos) << c.statement << "\n" << result;
    // Nothing of the file ran: the ALTER before the backfill neither.
    EXPECT_EQ(
        value("SELECT count(*) FROM pg_attribute WHERE attrelid = 'marker'::regclass AND attname = 'c'"), "0")
        << c.statement;
    EXPECT_EQ(value("SELECT count(*) FROM miglint_schema_migrations WHERE version = '001'"),
              has_relation("miglint_schema_migrations") ? "0" : "");
  }
  EXPECT_EQ(value("SELECT sum(n) FROM by_text"), "0");
  EXPECT_EQ(value("SELECT sum(n) FROM pair"), "0");
}

TEST_F(BackfillAgainstServer, InANoTransactionFileTheBackfillsRunAfterTheStatementsInOrder) {
  create_items(5000);
  migration("001_x.sql",
            "-- miglint-no-transaction\n"
            "ALTER TABLE items ADD COLUMN a int;\n"
            "ALTER TABLE items ADD COLUMN b int;\n"
            "-- miglint-backfill batch=700 key=id\n"
            "UPDATE items SET a = v * 2;\n"
            "-- miglint-backfill batch=900 key=id\n"
            "UPDATE items SET b = a + 1;\n");  // reads what the first backfill wrote
  MiglintChild::Result result = run();
  ASSERT_EQ(result.exit, 0) << result;
  EXPECT_EQ(
      value("SELECT count(*) FROM items WHERE a IS DISTINCT FROM v * 2 OR b IS DISTINCT FROM v * 2 + 1"),
      "0");
  EXPECT_EQ(value("SELECT count(*) FROM miglint_schema_migrations_backfills WHERE finished_at IS NOT NULL"),
            "2");
  MiglintChild::Result plan = miglint(args("status"));
  EXPECT_NE(plan.out.find("applied"), std::string::npos) << plan;
}

// `repair` and backfills: a migration stopped in its backfill is listed with how to resume it; progress
// whose migration has no history row any more (history lost) is listed and, with --yes, deleted, so
// that the migration applied again backfills afresh instead of taking the finished progress for its own.
TEST_F(BackfillAgainstServer, RepairListsABackfillInProgressAndDeletesOrphanedProgress) {
  create_items(20000);
  migration("001_backfill.sql",
            "-- miglint-backfill batch=500 sleep=150ms key=id\n"
            "UPDATE items SET n = n + 1;\n");
  ASSERT_NO_FATAL_FAILURE(run_and_kill_after_rows(1000));
  MiglintChild::Result stuck = miglint(args("repair", {"--yes"}));
  EXPECT_EQ(stuck.exit, 1) << stuck;
  EXPECT_NE(stuck.out.find("001_backfill.sql: stopped in the backfill of statement 1 ("), std::string::npos)
      << stuck;
  EXPECT_NE(stuck.out.find("of 20002 rows done, up to key " + progress("last_key") +
                           "): `miglint run` resumes it after that key"),
            std::string::npos)
      << stuck;
  EXPECT_EQ(stuck.out.find("backfill progress no run will use"), std::string::npos) << stuck;
  EXPECT_EQ(value("SELECT finished_at IS NULL FROM miglint_schema_migrations_backfills"), "t");
  ASSERT_EQ(run().exit, 0);
  EXPECT_EQ(value("SELECT count(*) FROM items WHERE n <> 1"), "0");

  // The history is lost; the finished progress stays behind.
  ASSERT_EQ(session()->exec("DELETE FROM miglint_schema_migrations"), "");
  MiglintChild::Result asked = miglint(args("repair"));
  EXPECT_EQ(asked.exit, 1) << asked;
  EXPECT_NE(asked.out.find("backfill progress no run will use (repair deletes it when confirmed, --yes):\n"
                           "  version 001, statement 1: finished, 20002 rows done; no history row"),
            std::string::npos)
      << asked;
  EXPECT_NE(asked.err.find("repair needs a confirmation and stdin is not a terminal"), std::string::npos)
      << asked;
  EXPECT_EQ(progress("count(*)"), "1");
  MiglintChild::Result repaired = miglint(args("repair", {"--yes"}));
  EXPECT_EQ(repaired.exit, 0) << repaired;
  EXPECT_NE(repaired.out.find("deleted 1 backfill progress row from"), std::string::npos) << repaired;
  EXPECT_EQ(progress("count(*)"), "0");
  // Applied again, it backfills every row again (with the progress left, it would skip them all).
  MiglintChild::Result again = run();
  ASSERT_EQ(again.exit, 0) << again;
  EXPECT_EQ(value("SELECT count(*) FROM items WHERE n <> 2"), "0");
}

// `baseline` records versions as applied without running them: their backfill progress goes, in the
// same transaction, and the output says so.
TEST_F(BackfillAgainstServer, BaselineDeletesTheBackfillProgressOfTheVersionsItRecords) {
  create_items(3000);
  migration("001_backfill.sql",
            "-- miglint-backfill batch=500 key=id\n"
            "UPDATE items SET n = n + 1;\n");
  ASSERT_EQ(run().exit, 0);
  ASSERT_EQ(session()->exec("DELETE FROM miglint_schema_migrations"), "");
  ASSERT_EQ(progress("count(*)"), "1");
  MiglintChild::Result recorded = miglint(args("baseline", {"--version", "001"}));
  ASSERT_EQ(recorded.exit, 0) << recorded;
  EXPECT_NE(recorded.out.find("note: deleted the backfill progress of 001 (1 statement) from "
                              "miglint_schema_migrations_backfills"),
            std::string::npos)
      << recorded;
  EXPECT_EQ(progress("count(*)"), "0");
  EXPECT_EQ(value("SELECT success FROM miglint_schema_migrations WHERE version = '001'"), "t");
  MiglintChild::Result repair = miglint(args("repair"));
  EXPECT_EQ(repair.exit, 0) << repair;
}

// A rollback deletes the progress of the migration it rolls back: applied again, it backfills afresh.
TEST_F(BackfillAgainstServer, RolledBackMigrationBackfillsAgainWhenReapplied) {
  create_items(3000);
  migration("001_backfill.up.sql",
            "-- miglint-backfill batch=500 key=id\n"
            "UPDATE items SET n = n + 1;\n");
  migration("001_backfill.down.sql", "SELECT 1;\n");
  ASSERT_EQ(run().exit, 0);
  EXPECT_EQ(value("SELECT count(*) FROM items WHERE n <> 1"), "0");
  MiglintChild::Result rolled = miglint(args("rollback"));
  ASSERT_EQ(rolled.exit, 0) << rolled;
  EXPECT_EQ(progress("count(*)"), "0");
  ASSERT_EQ(run().exit, 0);
  EXPECT_EQ(value("SELECT count(*) FROM items WHERE n <> 2"), "0");
}

}  // namespace
}  // namespace miglint::pgtest
