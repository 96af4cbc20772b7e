// `status`, `plan` and `run --format json` against a real PostgreSQL (issue 14): the documents parse
// and say, key by key, what docs/runner.md ("Machine-readable output") promises, for each state.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "tests/runner_pg_support.hpp"

using namespace miglint::pgtest;
using namespace miglint::runner_pg;
using Json = nlohmann::json;

namespace {

class RunnerJson : public RunnerAgainstServer {
 protected:
  Json document(const std::string& command, const std::vector<std::string>& extra = {}, int exit = 0) {
    std::vector<std::string> all = extra;
    all.insert(all.begin(), {"--format", "json"});
    Miglint::Result result = miglint(args(command, all));
    EXPECT_EQ(result.exit, exit) << command << result;
    Json parsed = Json::parse(result.out, nullptr, false);
    EXPECT_FALSE(parsed.is_discarded()) << "stdout is one JSON document: " << result;
    last_err_ = result.err;
    return parsed;
  }
  static const Json& entry(const Json& document, const std::string& version) {
    for (const Json& migration : document.at("migrations")) {
      if (migration.at("version") == version) {
        return migration;
      }
    }
    static const Json kNone = Json::object();
    ADD_FAILURE() << "no migration " << version << " in " << document.dump(2);
    return kNone;
  }
  void expect_header(const Json& document, const std::string& command) {
    EXPECT_EQ(document.at("schema_version"), 1);
    EXPECT_EQ(document.at("command"), command);
    EXPECT_EQ(document.at("directory"), migrations_.string());
    EXPECT_EQ(document.at("schema"), "public");
    EXPECT_EQ(document.at("history_table"), "miglint_schema_migrations");
    EXPECT_GE(document.at("server_version").get<int>(), 150000);
    EXPECT_LT(document.at("server_version").get<int>(), 160000);
  }
  std::string last_err_;
};

TEST_F(RunnerJson, StatusOfAppliedPendingOutOfOrderModifiedAndMissingMigrations) {
  fs::path one = migration("001_items.sql", "CREATE TABLE items (id bigint PRIMARY KEY);\n");
  migration("002_gone.sql", "CREATE TABLE gone (id bigint PRIMARY KEY);\n");
  migration("004_more.sql", "CREATE TABLE more (id bigint PRIMARY KEY);\n");
  ASSERT_EQ(run().exit, 0);
  fs::path three = migration("003_late.sql", "CREATE TABLE late (id bigint PRIMARY KEY);\n");
  fs::path five = migration("005_new.sql", "CREATE TABLE newer (id bigint PRIMARY KEY);\n");

  Json clean = document("status");
  expect_header(clean, "status");
  EXPECT_EQ(clean.at("target"), nullptr);
  EXPECT_EQ(clean.at("pending"), 2);
  EXPECT_EQ(clean.at("refused"), false);
  EXPECT_EQ(clean.at("refusals"), Json::array());
  EXPECT_EQ(clean.at("first_refused"), nullptr);
  ASSERT_EQ(clean.at("migrations").size(), 5u);
  const Json& applied = entry(clean, "001");
  EXPECT_EQ(applied.at("state"), "applied");
  EXPECT_EQ(applied.at("file"), one.string());
  EXPECT_EQ(applied.at("name"), "items");
  EXPECT_EQ(applied.at("checksum"), sha256_of(one));
  EXPECT_FALSE(applied.contains("recorded_checksum"));
  EXPECT_EQ(applied.at("applied_at"),
            value("SELECT to_char(applied_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') FROM "
                  "miglint_schema_migrations WHERE version = '001'"));
  EXPECT_EQ(applied.at("duration_ms"),
            std::stoll(value("SELECT duration_ms FROM miglint_schema_migrations WHERE version = '001'")));
  EXPECT_EQ(applied.at("would_run"), false);
  const Json& late = entry(clean, "003");
  EXPECT_EQ(late.at("state"), "out_of_order");
  EXPECT_EQ(late.at("checksum"), sha256_of(three));
  EXPECT_FALSE(late.contains("applied_at"));
  EXPECT_EQ(late.at("would_run"), true);
  EXPECT_EQ(entry(clean, "005").at("state"), "pending");
  EXPECT_EQ(entry(clean, "005").at("file"), five.string());

  // Modified and missing: refused, both named, both checksums given.
  std::string recorded = sha256_of(one);
  migration("001_items.sql", "CREATE TABLE items (id bigint PRIMARY KEY, extra int);\n");
  fs::remove(migrations_ / "002_gone.sql");
  Json drift = document("status", {}, 1);
  EXPECT_EQ(drift.at("refused"), true);
  EXPECT_EQ(drift.at("refusals").size(), 2u) << drift.dump(2);
  EXPECT_EQ(drift.at("first_refused"), nullptr) << "drift is not a file --target can stop before";
  const Json& modified = entry(drift, "001");
  EXPECT_EQ(modified.at("state"), "modified");
  EXPECT_EQ(modified.at("checksum"), sha256_of(one));
  EXPECT_EQ(modified.at("recorded_checksum"), recorded);
  EXPECT_NE(modified.at("checksum"), modified.at("recorded_checksum"));
  const Json& missing = entry(drift, "002");
  EXPECT_EQ(missing.at("state"), "missing");
  EXPECT_EQ(missing.at("file"), nullptr);
  EXPECT_EQ(missing.at("name"), "gone");
  EXPECT_EQ(missing.at("checksum"), nullptr);
  EXPECT_EQ(missing.at("recorded_checksum").get<std::string>().size(), 64u);
  EXPECT_TRUE(missing.at("applied_at").is_string());
  // --exit-code: refused wins over pending.
  Miglint::Result exit_code = miglint(args("status", {"--format", "json", "--exit-code"}));
  EXPECT_EQ(exit_code.exit, 1) << exit_code;
}

TEST_F(RunnerJson, StatusOfPartialAndFailedMigrations) {
  // 001 fails in its third statement, after the concurrent build (its own segment) committed.
  fs::path one = migration("001_mixed.sql",
                           "CREATE TABLE items (id bigint PRIMARY KEY, n int);\n"
                           "CREATE INDEX CONCURRENTLY items_n_idx ON items (n);\n"
                           "INSERT INTO items SELECT 1, 1 FROM nosuch;\n");
  Json failed_run = document("run", {}, 1);
  EXPECT_EQ(failed_run.at("outcome"), "failed");
  EXPECT_EQ(failed_run.at("applied"), Json::array());
  EXPECT_EQ(failed_run.at("error").at("sqlstate"), "42P01");
  EXPECT_EQ(failed_run.at("error").at("message"), "relation \"nosuch\" does not exist");
  EXPECT_EQ(failed_run.at("error").at("version"), "001");
  EXPECT_EQ(failed_run.at("error").at("file"), one.string());
  EXPECT_EQ(failed_run.at("error").at("statement"), 3);
  EXPECT_NE(last_err_.find("applying 001"), std::string::npos) << "progress goes to stderr: " << last_err_;

  Json status = document("status");
  const Json& failed = entry(status, "001");
  EXPECT_EQ(failed.at("state"), "failed");
  EXPECT_EQ(failed.at("statements_applied"), 2);
  EXPECT_EQ(failed.at("statements_total"), 3);
  EXPECT_EQ(failed.at("failure").at("sqlstate"), "42P01");
  EXPECT_EQ(failed.at("failure").at("error"), "relation \"nosuch\" does not exist");
  EXPECT_EQ(failed.at("failure").at("statement"), 3);
  EXPECT_EQ(failed.at("failure").at("time"),
            value("SELECT to_char(attempted_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') FROM "
                  "miglint_schema_migrations_failures"));
  EXPECT_EQ(status.at("pending"), 1);

  // Partial without a failure on record (a runner killed between segments): state partial.
  ASSERT_EQ(
      value("WITH d AS (DELETE FROM miglint_schema_migrations_failures RETURNING 1) SELECT count(*) FROM d"),
      "1");
  Json partial = document("status");
  const Json& row = entry(partial, "001");
  EXPECT_EQ(row.at("state"), "partial");
  EXPECT_FALSE(row.contains("failure"));
  EXPECT_EQ(row.at("statements_applied"), 2);
  EXPECT_EQ(row.at("interrupted_statement"), nullptr);
  EXPECT_EQ(row.at("would_run"), true);
}

TEST_F(RunnerJson, PlanHasSegmentsStatementsLocksAndMissingApprovals) {
  migration("001_items.sql", "CREATE TABLE items (id bigint PRIMARY KEY, note text, n int);\n");
  ASSERT_EQ(run().exit, 0);
  fs::path two = migration("002_index.sql",
                           "ALTER TABLE items ADD COLUMN kind text;\n"
                           "CREATE INDEX CONCURRENTLY items_n_idx ON items (n);\n");
  migration("003_drop.sql", "ALTER TABLE items DROP COLUMN note;\n");
  Json plan = document("plan", {}, 1);
  expect_header(plan, "plan");
  EXPECT_EQ(plan.at("refused"), true);
  EXPECT_EQ(plan.at("pending"), 2);
  EXPECT_EQ(plan.at("first_refused").at("version"), "003");
  EXPECT_EQ(plan.at("first_refused").at("target_before"), "002");
  EXPECT_EQ(plan.at("first_refused").at("pending_before"), 1);
  EXPECT_EQ(plan.at("timeouts").at("lock_timeout_ms"), 2000);
  EXPECT_EQ(plan.at("timeouts").at("statement_timeout_ms"), 60000);
  EXPECT_EQ(plan.at("timeouts").at("concurrent_lock_timeout_ms"), nullptr);
  EXPECT_EQ(plan.at("timeouts").at("retries"), 5);
  EXPECT_FALSE(entry(plan, "001").contains("plan")) << "applied: nothing to plan";

  const Json& index = entry(plan, "002");
  EXPECT_EQ(index.at("file"), two.string());
  const Json& steps = index.at("plan");
  EXPECT_EQ(steps.at("mode"), "segmented");
  EXPECT_EQ(steps.at("statements_total"), 2);
  EXPECT_EQ(steps.at("resuming_after"), 0);
  ASSERT_EQ(steps.at("segments").size(), 2u) << steps.dump(2);
  const Json& wrapped = steps.at("segments")[0];
  EXPECT_EQ(wrapped.at("transactional"), true);
  EXPECT_EQ(wrapped.at("kind"), "transaction");
  EXPECT_EQ(wrapped.at("lock_timeout"), "2000ms");  // as the runner sets it (SET LOCAL lock_timeout)
  ASSERT_EQ(wrapped.at("statements").size(), 1u);
  const Json& add = wrapped.at("statements")[0];
  EXPECT_EQ(add.at("number"), 1);
  EXPECT_EQ(add.at("line"), 1);
  EXPECT_EQ(add.at("column"), 1);
  EXPECT_NE(add.at("text").get<std::string>().find("ALTER TABLE"), std::string::npos) << add.dump();
  ASSERT_EQ(add.at("locks").size(), 1u) << add.dump();
  EXPECT_EQ(add.at("locks")[0].at("mode"), "ACCESS EXCLUSIVE");
  EXPECT_EQ(add.at("locks")[0].at("relation"), "public.items");
  EXPECT_EQ(add.at("locks")[0].at("rewrite"), false);
  const Json& alone = steps.at("segments")[1];
  EXPECT_EQ(alone.at("transactional"), false);
  EXPECT_EQ(alone.at("lock_timeout"), nullptr);
  const Json& build = alone.at("statements")[0];
  EXPECT_EQ(build.at("number"), 2);
  EXPECT_EQ(build.at("line"), 2);
  EXPECT_EQ(build.at("locks")[0].at("mode"), "SHARE UPDATE EXCLUSIVE");
  EXPECT_EQ(build.at("locks")[0].at("scan"), true);

  const Json& drop = entry(plan, "003");
  EXPECT_EQ(drop.at("state"), "pending");
  ASSERT_EQ(drop.at("missing_approvals").size(), 1u) << drop.dump(2);
  const Json& approval = drop.at("missing_approvals")[0];
  EXPECT_EQ(approval.at("rule"), "ban-drop-column");
  EXPECT_EQ(approval.at("line"), 1);
  EXPECT_TRUE(approval.at("why").is_string());
  EXPECT_FALSE(approval.at("why").get<std::string>().empty());

  // --target 002: 003 is neither planned nor vetted, and nothing refuses.
  Json targeted = document("plan", {"--target", "002"});
  EXPECT_EQ(targeted.at("target"), "002");
  EXPECT_EQ(targeted.at("refused"), false);
  EXPECT_EQ(targeted.at("pending"), 1);
  EXPECT_TRUE(entry(targeted, "002").contains("plan"));
  EXPECT_FALSE(entry(targeted, "003").contains("plan"));
  EXPECT_FALSE(entry(targeted, "003").contains("missing_approvals"));
  EXPECT_EQ(entry(targeted, "003").at("would_run"), false);
}

TEST_F(RunnerJson, RunSaysWhatItAppliedOrWhyItRefused) {
  migration("001_items.sql", "CREATE TABLE items (id bigint PRIMARY KEY, note text);\n");
  migration("002_kind.sql",
            "CREATE TABLE kinds (id int PRIMARY KEY);\nCREATE TABLE sizes (id int PRIMARY KEY);\n");
  migration("003_drop.sql", "ALTER TABLE items DROP COLUMN note;\n");

  Json refused = document("run", {}, 1);
  expect_header(refused, "run");
  EXPECT_EQ(refused.at("outcome"), "refused");
  EXPECT_EQ(refused.at("refused"), true);
  EXPECT_EQ(refused.at("applied"), Json::array());
  EXPECT_EQ(refused.at("error"), nullptr);
  EXPECT_EQ(refused.at("first_refused").at("target_before"), "002");
  ASSERT_EQ(refused.at("missing_approvals").size(), 1u);
  EXPECT_EQ(refused.at("missing_approvals")[0].at("version"), "003");
  EXPECT_EQ(refused.at("missing_approvals")[0].at("missing_approvals")[0].at("rule"), "ban-drop-column");
  EXPECT_NE(last_err_.find("refusing to run"), std::string::npos) << last_err_;

  Json done = document("run", {"--target", "002"});
  EXPECT_EQ(done.at("outcome"), "done");
  EXPECT_EQ(done.at("target"), "002");
  EXPECT_EQ(done.at("pending"), 2);
  EXPECT_EQ(done.at("refused"), false);
  ASSERT_EQ(done.at("applied").size(), 2u);
  EXPECT_EQ(done.at("applied")[0].at("version"), "001");
  EXPECT_EQ(done.at("applied")[0].at("name"), "items");
  EXPECT_EQ(done.at("applied")[0].at("statements"), 1);
  EXPECT_EQ(done.at("applied")[1].at("version"), "002");
  EXPECT_EQ(done.at("applied")[1].at("statements"), 2);
  EXPECT_GE(done.at("applied")[1].at("duration_ms").get<long long>(), 0);
  EXPECT_EQ(done.at("applied")[1].at("file"), (migrations_ / "002_kind.sql").string());
  EXPECT_NE(last_err_.find("applying 002"), std::string::npos) << "progress on stderr: " << last_err_;

  Json nothing = document("run", {"--target", "002"});
  EXPECT_EQ(nothing.at("outcome"), "done");
  EXPECT_EQ(nothing.at("applied"), Json::array());
  EXPECT_EQ(nothing.at("pending"), 0);
}

TEST_F(RunnerJson, UnreachableDatabaseIsAFailedRunWithItsError) {
  migration("001_items.sql", "CREATE TABLE items (id bigint PRIMARY KEY);\n");
  Miglint::Result result = miglint(
      {"run", migrations_.string(), "--db", "postgresql://postgres@127.0.0.1:1/nowhere", "--format", "json"});
  EXPECT_EQ(result.exit, 2) << result;
  Json document = Json::parse(result.out);
  EXPECT_EQ(document.at("outcome"), "failed");
  EXPECT_EQ(document.at("server_version"), nullptr);
  EXPECT_NE(document.at("error").at("message").get<std::string>().find("127.0.0.1"), std::string::npos)
      << document.dump(2);
  // status and plan write no document when they cannot read the state: the error is on stderr.
  Miglint::Result status = miglint({"status", migrations_.string(), "--db",
                                    "postgresql://postgres@127.0.0.1:1/nowhere", "--format", "json"});
  EXPECT_EQ(status.exit, 2) << status;
  EXPECT_EQ(status.out, "");
  EXPECT_NE(status.err.find("miglint: error: "), std::string::npos);
}

}  // namespace
