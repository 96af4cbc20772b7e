// The runner's daily-use state against a real PostgreSQL (issue 14): `run/plan --target`, the
// refusal that names the first refused file, the states `status` reports (running, failed, out of
// order, modified, missing, partial), failed attempts recorded, `status --exit-code`, usage errors
// exiting 2. The JSON documents are checked in runner_json_pg_test.cpp.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/runner_pg_support.hpp"

using namespace miglint::pgtest;
using namespace miglint::runner_pg;
using Json = nlohmann::json;

namespace {

class RunnerState : public RunnerAgainstServer {
 protected:
  // A table, a column on it, then a destructive change nobody approved.
  void three() {
    migration("001_items.sql", "CREATE TABLE items (id bigint PRIMARY KEY, note text);\n");
    migration("002_kind.sql", "ALTER TABLE items ADD COLUMN kind text;\n");
    migration("003_drop_note.sql", "ALTER TABLE items DROP COLUMN note;\n");
  }
  std::vector<std::string> versions_applied() {
    std::vector<std::string> versions;
    for (const auto& row : history()) {
      versions.push_back(row[0]);
    }
    return versions;
  }
  Json status_json() {
    Miglint::Result status = miglint(args("status", {"--format", "json"}));
    EXPECT_TRUE(status.exit == 0 || status.exit == 1) << status;
    return Json::parse(status.out);
  }
  static const Json& entry(const Json& document, const std::string& version) {
    for (const Json& migration : document.at("migrations")) {
      if (migration.at("version") == version) {
        return migration;
      }
    }
    static const Json kNone;
    ADD_FAILURE() << "no migration " << version << " in " << document.dump(2);
    return kNone;
  }
};

// ---------------------------------------------------------------------------------------------
// --target

TEST_F(RunnerState, RefusalNamesTheFirstRefusedFileAndTheTargetThatAppliesTheOnesBefore) {
  three();
  Miglint::Result refused = run();
  EXPECT_EQ(refused.exit, 1) << refused;
  EXPECT_TRUE(history().empty()) << "nothing is applied without --target";
  EXPECT_NE(
      refused.err.find("the first refused migration is " + (migrations_ / "003_drop_note.sql").string() +
                       " (version 003): `miglint run --target 002` applies the 2 pending migrations "
                       "before it"),
      std::string::npos)
      << refused;
  // status and plan say the same of the run they preview.
  Miglint::Result plan = miglint(args("plan"));
  EXPECT_EQ(plan.exit, 1) << plan;
  EXPECT_NE(plan.out.find("`miglint run --target 002`"), std::string::npos) << plan;
}

TEST_F(RunnerState, AFileThatCannotBePlannedIsNamedWithItsVersionAndSkippedByTarget) {
  migration("001_items.sql", "CREATE TABLE items (id bigint PRIMARY KEY);\n");
  migration("002_copy.sql", "COPY items FROM STDIN;\n");
  Miglint::Result refused = run();
  EXPECT_EQ(refused.exit, 1) << refused;
  EXPECT_NE(
      refused.err.find("(version 002): `miglint run --target 001` applies the 1 pending migration before it"),
      std::string::npos)
      << refused;
  Miglint::Result applied = run({"--target", "001"});
  EXPECT_EQ(applied.exit, 0) << applied;
  EXPECT_EQ(versions_applied(), (std::vector<std::string>{"001"}));
}

TEST_F(RunnerState, TargetAppliesUpToItsVersionAndVetsOnlyThose) {
  three();
  Miglint::Result plan = miglint(args("plan", {"--target", "002"}));
  EXPECT_EQ(plan.exit, 0) << plan;
  EXPECT_NE(plan.out.find("001 items"), std::string::npos) << plan;
  EXPECT_NE(plan.out.find("002 kind"), std::string::npos) << plan;
  // Not a bare "003": the temporary directory's name carries the test's pid, which may contain it.
  EXPECT_EQ(plan.out.find("003_drop_note"), std::string::npos) << "003 is beyond the target: " << plan;
  EXPECT_EQ(plan.out.find("\n003 "), std::string::npos) << "003 is beyond the target: " << plan;
  EXPECT_EQ(plan.out.find("DROP COLUMN"), std::string::npos) << "003 is beyond the target: " << plan;
  EXPECT_EQ(plan.out.find("ban-drop-column"), std::string::npos) << "003 is not vetted: " << plan;

  Miglint::Result applied = run({"--target", "002"});
  EXPECT_EQ(applied.exit, 0) << applied;
  EXPECT_EQ(versions_applied(), (std::vector<std::string>{"001", "002"})) << applied;
  EXPECT_NE(applied.out.find("applied 2 migrations"), std::string::npos) << applied;
  EXPECT_EQ(
      value("SELECT count(*) FROM information_schema.columns WHERE table_name = 'items' AND column_name "
            "IN ('note', 'kind')"),
      "2")
      << "003 did not run";

  Json status = status_json();
  EXPECT_EQ(entry(status, "003").at("state"), "pending");
  EXPECT_EQ(entry(status, "002").at("state"), "applied");
  EXPECT_EQ(status.at("pending"), 1);

  // The target is applied now: nothing to do, said so, exit 0.
  Miglint::Result again = run({"--target", "002"});
  EXPECT_EQ(again.exit, 0) << again;
  EXPECT_NE(again.out.find("nothing to do: --target 002 is already applied"), std::string::npos) << again;
  Miglint::Result plan_again = miglint(args("plan", {"--target", "002"}));
  EXPECT_EQ(plan_again.exit, 0) << plan_again;
  EXPECT_NE(plan_again.out.find("nothing to do: --target 002 is already applied"), std::string::npos)
      << plan_again;
  // Without --target the refusal is back, and no pending migration comes before the refused one.
  Miglint::Result rest = run();
  EXPECT_EQ(rest.exit, 1) << rest;
  EXPECT_NE(rest.err.find("no pending migration comes before it"), std::string::npos) << rest;
  EXPECT_EQ(versions_applied().size(), 2u);
}

TEST_F(RunnerState, TargetStillRefusesForDriftBeforeIt) {
  three();
  ASSERT_EQ(run({"--target", "001"}).exit, 0);
  migration("001_items.sql", "CREATE TABLE items (id bigint PRIMARY KEY, note text, extra int);\n");
  Miglint::Result refused = run({"--target", "002"});
  EXPECT_EQ(refused.exit, 1) << refused;
  EXPECT_NE(refused.err.find("changed after it was applied"), std::string::npos) << refused;
  EXPECT_EQ(refused.err.find("--target"), std::string::npos) << "drift is not cured by --target: " << refused;
  EXPECT_EQ(versions_applied(), (std::vector<std::string>{"001"}));
}

TEST_F(RunnerState, UnknownTargetIsAUsageError) {
  three();
  for (const char* command : {"run", "plan"}) {
    Miglint::Result unknown = miglint(args(command, {"--target", "009"}));
    EXPECT_EQ(unknown.exit, 2) << command << unknown;
    EXPECT_NE(unknown.err.find("--target 009: no migration in"), std::string::npos) << command << unknown;
  }
  EXPECT_FALSE(has_relation(kHistory)) << "nothing was written";
  // status has no --target: CLI usage error.
  EXPECT_EQ(miglint(args("status", {"--target", "001"})).exit, 2);
}

// ---------------------------------------------------------------------------------------------
// Usage errors exit 2.

TEST_F(RunnerState, UsageErrorsExitTwo) {
  migration("001_items.sql", "CREATE TABLE items (id bigint PRIMARY KEY);\n");
  std::string missing = (work_->path() / "no-such-dir").string();
  for (const char* command : {"run", "status", "plan"}) {
    Miglint::Result result = miglint({command, missing, "--db", url()});
    EXPECT_EQ(result.exit, 2) << command << result;
    EXPECT_NE(result.err.find(missing + ": no such migrations directory"), std::string::npos) << result;
    Miglint::Result format = miglint(args(command, {"--format", "yaml"}));
    EXPECT_EQ(format.exit, 2) << command << format;
    Miglint::Result duration = miglint(args(command, {"--lock-timeout", "soon"}));
    EXPECT_EQ(duration.exit, 2) << command << duration;
    Miglint::Result retries = miglint(args(command, {"--retries", "many"}));
    EXPECT_EQ(retries.exit, 2) << command << retries;
  }
  Miglint::Result exit_code_on_run = miglint(args("run", {"--exit-code"}));
  EXPECT_EQ(exit_code_on_run.exit, 2) << exit_code_on_run;
  EXPECT_FALSE(has_relation(kHistory));
}

// ---------------------------------------------------------------------------------------------
// status --exit-code

TEST_F(RunnerState, StatusExitCodeSaysPendingUpToDateOrRefused) {
  migration("001_items.sql", "CREATE TABLE items (id bigint PRIMARY KEY);\n");
  migration("002_kind.sql", "ALTER TABLE items ADD COLUMN kind text;\n");
  Miglint::Result pending = miglint(args("status", {"--exit-code"}));
  EXPECT_EQ(pending.exit, 3) << pending;
  Miglint::Result plain = miglint(args("status"));
  EXPECT_EQ(plain.exit, 0) << "without --exit-code pending is 0, as before: " << plain;
  Miglint::Result json = miglint(args("status", {"--exit-code", "--format", "json"}));
  EXPECT_EQ(json.exit, 3) << json;
  EXPECT_EQ(Json::parse(json.out).at("pending"), 2);

  ASSERT_EQ(run({"--target", "001"}).exit, 0);
  EXPECT_EQ(miglint(args("status", {"--exit-code"})).exit, 3) << "002 is still pending";
  ASSERT_EQ(run().exit, 0);
  Miglint::Result current = miglint(args("status", {"--exit-code"}));
  EXPECT_EQ(current.exit, 0) << current;

  migration("001_items.sql", "CREATE TABLE items (id bigint PRIMARY KEY, changed int);\n");
  Miglint::Result drift = miglint(args("status", {"--exit-code"}));
  EXPECT_EQ(drift.exit, 1) << drift;
}

TEST_F(RunnerState, StatusExitCodeCountsOutOfOrderFailedAndPartialAsPending) {
  migration("001_items.sql", "CREATE TABLE items (id bigint PRIMARY KEY);\n");
  migration("003_more.sql", "CREATE TABLE more (id bigint PRIMARY KEY);\n");
  ASSERT_EQ(run().exit, 0);
  migration("002_late.sql", "CREATE TABLE late (id bigint PRIMARY KEY);\n");
  EXPECT_EQ(miglint(args("status", {"--exit-code"})).exit, 3) << "out of order";
  std::filesystem::remove(migrations_ / "002_late.sql");
  migration("004_fails.sql", "INSERT INTO nosuch VALUES (1);\n");
  ASSERT_EQ(run().exit, 1);
  EXPECT_EQ(miglint(args("status", {"--exit-code"})).exit, 3) << "failed";
}

// ---------------------------------------------------------------------------------------------
// Failed attempts.

TEST_F(RunnerState, AFailedAttemptIsRecordedAndShownUntilALaterSuccess) {
  migration("001_items.sql", "CREATE TABLE items (id bigint PRIMARY KEY);\n");
  migration("002_copy.sql",
            "CREATE TABLE copy (id bigint PRIMARY KEY);\nINSERT INTO copy SELECT id FROM nosuch;\n");
  Miglint::Result failed = run();
  EXPECT_EQ(failed.exit, 1) << failed;
  EXPECT_EQ(versions_applied(), (std::vector<std::string>{"001"}));
  auto db = session();
  auto rows = db->rows(
      "SELECT version, name, sqlstate, statement, error, applied_by, run_id <> '', attempted_at <= now() "
      "FROM "
      "miglint_schema_migrations_failures");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0][0], "002");
  EXPECT_EQ(rows[0][1], "copy");
  EXPECT_EQ(rows[0][2], "42P01");
  EXPECT_EQ(rows[0][3], "2") << "the second statement failed";
  EXPECT_EQ(rows[0][4], "relation \"nosuch\" does not exist");
  EXPECT_EQ(rows[0][5], "postgres");
  EXPECT_EQ(rows[0][6], "t");
  EXPECT_EQ(rows[0][7], "t");

  Miglint::Result status = miglint(args("status"));
  EXPECT_EQ(status.exit, 0) << status;
  EXPECT_NE(status.out.find("  failed   002"), std::string::npos) << status;
  EXPECT_NE(status.out.find("last attempt failed "), std::string::npos) << status;
  EXPECT_NE(status.out.find(" UTC (SQLSTATE 42P01) in statement 2: relation \"nosuch\" does not exist"),
            std::string::npos)
      << status;

  // A second failure: the latest is shown.
  migration("002_copy.sql",
            "CREATE TABLE copy (id bigint PRIMARY KEY);\nINSERT INTO copy VALUES (1), (1);\n");
  ASSERT_EQ(run().exit, 1);
  Miglint::Result second = miglint(args("status"));
  EXPECT_NE(second.out.find("(SQLSTATE 23505) in statement 2: duplicate key"), std::string::npos) << second;
  EXPECT_EQ(second.out.find("42P01"), std::string::npos) << second;

  migration("002_copy.sql", "CREATE TABLE copy (id bigint PRIMARY KEY);\nINSERT INTO copy VALUES (1);\n");
  ASSERT_EQ(run().exit, 0);
  Miglint::Result fixed = miglint(args("status"));
  EXPECT_EQ(fixed.out.find("failed"), std::string::npos) << fixed;
  EXPECT_EQ(count_of(fixed.out, "applied"), 2u) << fixed;
  EXPECT_EQ(value("SELECT count(*) FROM miglint_schema_migrations_failures"), "2") << "history is kept";
}

// ---------------------------------------------------------------------------------------------
// running: another runner holds the runner lock and applies the file.

constexpr const char* kControl =
    "CREATE TABLE test_control (at text);"
    "CREATE FUNCTION wait_while_asked(wanted text) RETURNS void LANGUAGE plpgsql AS $$ BEGIN "
    "WHILE EXISTS (SELECT FROM test_control WHERE at = wanted) LOOP PERFORM pg_sleep(0.05); END LOOP; END "
    "$$;";

TEST_F(RunnerState, StatusShowsAMigrationAnotherRunnerIsApplyingWithItsPid) {
  {
    auto db = session();
    ASSERT_EQ(db->exec(std::string(kControl) + "INSERT INTO test_control VALUES ('002')"), "");
  }
  migration("001_items.sql", "CREATE TABLE items (id bigint PRIMARY KEY);\n");
  migration("002_slow.sql", "CREATE TABLE slow (id int);\nSELECT wait_while_asked('002');\n");
  migration("003_after.sql", "CREATE TABLE after_slow (id int);\n");
  Miglint runner(work_->path(), args("run"));
  ASSERT_TRUE(wait_until([&] { return runner_backend("%wait_while_asked%") != 0; }, seconds(20)))
      << runner.wait(milliseconds(1));
  Miglint::Result status = miglint(args("status"));
  EXPECT_EQ(status.exit, 0) << status;
  EXPECT_NE(status.out.find("  running  002"), std::string::npos) << status;
  EXPECT_NE(status.out.find("being applied now by miglint pid " + std::to_string(runner.pid())),
            std::string::npos)
      << status;
  EXPECT_NE(status.out.find("  pending  003"), std::string::npos) << status;
  Miglint::Result json = miglint(args("status", {"--format", "json"}));
  Json document = Json::parse(json.out);
  const Json& running = entry(document, "002");
  EXPECT_EQ(running.at("state"), "running");
  EXPECT_EQ(running.at("running").at("pid"), runner.pid());
  EXPECT_EQ(running.at("running").at("backend_pid"), runner_backend("%wait_while_asked%"));
  EXPECT_EQ(entry(document, "003").at("state"), "pending");
  EXPECT_EQ(miglint(args("status", {"--exit-code"})).exit, 3) << "a running migration is not applied yet";

  // The same as another, non-superuser role that owns nothing of the runner's.
  {
    auto db = session();
    db->exec("DROP ROLE IF EXISTS watcher");
    ASSERT_EQ(db->exec("CREATE ROLE watcher LOGIN"), "");
    // What `status` reads: the history and the failed attempts.
    ASSERT_EQ(
        db->exec("GRANT SELECT ON miglint_schema_migrations, miglint_schema_migrations_failures TO watcher"),
        "");
  }
  std::string watcher_url =
      "postgresql://watcher@127.0.0.1:" + std::to_string(server_->port()) + "/" + database_;
  Miglint::Result as_watcher =
      miglint({"status", migrations_.string(), "--db", watcher_url, "--format", "json"});
  ASSERT_EQ(as_watcher.exit, 0) << as_watcher;
  Json seen = Json::parse(as_watcher.out);
  EXPECT_EQ(entry(seen, "002").at("state"), "running") << as_watcher;
  EXPECT_EQ(entry(seen, "002").at("running").at("pid"), runner.pid());

  {
    auto db = session();
    ASSERT_EQ(db->exec("DELETE FROM test_control"), "");
  }
  Miglint::Result finished = runner.wait();
  EXPECT_EQ(finished.exit, 0) << finished;
  Json after = status_json();
  EXPECT_EQ(entry(after, "002").at("state"), "applied");
  EXPECT_FALSE(entry(after, "002").contains("running"));
  {
    auto db = session();
    db->exec("DROP OWNED BY watcher");
    db->exec("DROP ROLE watcher");
  }
}

}  // namespace
