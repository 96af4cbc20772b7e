// `miglint run`, `status`, `plan` and `approve` on Alembic projects, against a throwaway PostgreSQL:
// the sample projects of fixtures/alembic, each with the alembic.ini and env.py that `alembic init`
// writes (tests/alembic_run_template, unchanged), applied through Alembic one revision at a time.
// Every test asserts the database's state (alembic_version, tables, indexes, constraints).
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <set>

#include "tests/runner_pg_support.hpp"

namespace miglint::runner_pg {
namespace {

const fs::path kSource = MIGLINT_SOURCE_DIR;

bool have_alembic_and_psycopg2() {
  static const bool found =
      std::system(
          "python3 -c 'import alembic, psycopg2' >/dev/null 2>&1 || /usr/bin/python3 -c "
          "'import alembic, psycopg2' >/dev/null 2>&1") == 0;
  return found;
}

class AlembicRun : public RunnerAgainstServer {
 protected:
  void SetUp() override {
    RunnerAgainstServer::SetUp();
    if (IsSkipped() || HasFatalFailure()) {
      return;
    }
    MIGLINT_REQUIRE_TOOL(
        have_alembic_and_psycopg2(), "the Alembic runner (alembic_runner_pg_test)",
        "python3 with Alembic and psycopg2 (apt-get install python3-alembic python3-psycopg2)");
  }

  // tests/alembic_run_template with the revisions of fixtures/alembic/SAMPLE, less `leave_out`.
  void make_project(const std::string& sample, const std::set<std::string>& leave_out = {}) {
    project_ = work_->path() / "project";
    fs::copy(kSource / "tests/alembic_run_template", project_, fs::copy_options::recursive);
    fs::path versions = project_ / "migrations/versions";
    fs::create_directories(versions);
    for (const auto& entry :
         fs::directory_iterator(kSource / "fixtures/alembic" / sample / "migrations/versions")) {
      std::string name = entry.path().filename().string();
      if (entry.path().extension() == ".py" && !leave_out.contains(name)) {
        fs::copy_file(entry.path(), versions / name);
      }
    }
  }
  fs::path revision_file(const std::string& name) { return project_ / "migrations/versions" / name; }

  std::vector<std::string> command(const std::string& name, const std::vector<std::string>& extra = {}) {
    std::vector<std::string> all{name, project_.string(), "--db", url()};
    all.insert(all.end(), extra.begin(), extra.end());
    return all;
  }
  Miglint::Result alembic(const std::string& name, const std::vector<std::string>& extra = {}) {
    return miglint(command(name, extra), milliseconds(120000));
  }
  // alembic_version's rows, comma-separated ("" when the table does not exist).
  std::string alembic_version() {
    if (!has_relation("alembic_version")) {
      return "";
    }
    return value("SELECT string_agg(version_num, ',' ORDER BY version_num) FROM alembic_version");
  }
  bool has_column(const std::string& table, const std::string& column) {
    return value("SELECT count(*) FROM information_schema.columns WHERE table_name = '" + table +
                 "' AND column_name = '" + column + "'") == "1";
  }
  // The pid of a backend of Alembic's session (started by miglint) waiting for a lock (0: none).
  int alembic_backend_waiting() {
    std::string pid = value(
        "SELECT pid FROM pg_stat_activity WHERE application_name LIKE 'miglint-alembic/%' AND datname = '" +
        database_ + "' AND wait_event_type = 'Lock' LIMIT 1");
    return pid.empty() ? 0 : std::stoi(pid);
  }

  fs::path project_;
};

TEST_F(AlembicRun, CleanProjectIsAppliedEndToEnd) {
  make_project("clean");
  Miglint::Result before = alembic("status");
  EXPECT_EQ(before.exit, 0) << before.all();
  EXPECT_EQ(count_of(before.out, "pending "), 3u) << before.out;
  EXPECT_NE(before.out.find("alembic_version"), std::string::npos) << before.out;

  Miglint::Result plan = alembic("plan");
  EXPECT_EQ(plan.exit, 0) << plan.all();
  // In graph order, not file-name order: users, then orders, then the nickname.
  std::size_t users = plan.out.find("a1f0c9d2e3b4 create_users");
  std::size_t orders = plan.out.find("0c5e7b8a9d10 create_orders");
  std::size_t nickname = plan.out.find("7d3e2f1a0b9c add_users_nickname");
  ASSERT_NE(users, std::string::npos) << plan.out;
  ASSERT_NE(orders, std::string::npos) << plan.out;
  ASSERT_NE(nickname, std::string::npos) << plan.out;
  EXPECT_LT(users, orders);
  EXPECT_LT(orders, nickname);
  EXPECT_NE(plan.out.find("alembic upgrade a1f0c9d2e3b4, one transaction"), std::string::npos) << plan.out;
  EXPECT_NE(plan.out.find("lock_timeout 2s, statement_timeout 1min"), std::string::npos) << plan.out;
  EXPECT_FALSE(has_relation("users"));  // plan and status write nothing

  Miglint::Result run = alembic("run");
  ASSERT_EQ(run.exit, 0) << run.all();
  EXPECT_EQ(count_of(run.out, "through Alembic"), 3u) << run.out;
  EXPECT_NE(run.out.find("applied 3 migrations"), std::string::npos) << run.out;
  EXPECT_EQ(alembic_version(), "7d3e2f1a0b9c");
  EXPECT_TRUE(has_relation("users"));
  EXPECT_TRUE(has_relation("orders"));
  EXPECT_TRUE(has_relation("ix_orders_user_id"));
  EXPECT_TRUE(has_column("users", "nickname"));
  EXPECT_FALSE(has_relation(kHistory));  // Alembic's table is the record, not miglint's

  Miglint::Result after = alembic("status", {"--format", "json"});
  EXPECT_EQ(after.exit, 0) << after.all();
  nlohmann::json status = nlohmann::json::parse(after.out, nullptr, false);
  ASSERT_TRUE(status.is_object()) << after.out;
  EXPECT_EQ(status["history_table"], "alembic_version");
  ASSERT_EQ(status["migrations"].size(), 3u) << after.out;
  for (const nlohmann::json& revision : status["migrations"]) {
    EXPECT_EQ(revision["state"], "applied") << after.out;
  }

  Miglint::Result again = alembic("run", {"--format", "json"});
  EXPECT_EQ(again.exit, 0) << again.all();
  nlohmann::json document = nlohmann::json::parse(again.out, nullptr, false);
  ASSERT_TRUE(document.is_object()) << again.out;
  EXPECT_EQ(document["outcome"], "done");
  EXPECT_TRUE(document["applied"].empty());
  EXPECT_NE(again.err.find("nothing to do: 3 migrations applied"), std::string::npos) << again.err;
}

TEST_F(AlembicRun, ZeroDowntimeProjectIsAppliedWithItsAutocommitBlock) {
  make_project("zero_downtime");
  Miglint::Result plan = alembic("plan");
  EXPECT_EQ(plan.exit, 0) << plan.all();
  EXPECT_NE(plan.out.find("c1d2e3f4a5b6 concurrent_index"), std::string::npos) << plan.out;
  EXPECT_NE(plan.out.find("committed at its autocommit_block()"), std::string::npos) << plan.out;
  Miglint::Result run = alembic("run");
  ASSERT_EQ(run.exit, 0) << run.all();
  EXPECT_NE(run.out.find("c1d2e3f4a5b6 concurrent_index"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("with an autocommit_block()"), std::string::npos) << run.out;
  EXPECT_EQ(alembic_version(), "a0f1e2d3c4b5");
  EXPECT_EQ(value("SELECT indisvalid FROM pg_index WHERE indexrelid = 'ix_accounts_status'::regclass"), "t");
  EXPECT_EQ(value("SELECT convalidated FROM pg_constraint WHERE conname = 'payments_account_fk'"), "t");
  EXPECT_EQ(value("SELECT convalidated FROM pg_constraint WHERE conname = 'accounts_status_not_null'"), "t");
  EXPECT_EQ(value("SELECT is_nullable FROM information_schema.columns WHERE table_name = 'accounts' AND "
                  "column_name = 'status'"),
            "NO");
  EXPECT_TRUE(has_column("accounts", "display_name"));
  EXPECT_FALSE(has_column("accounts", "name"));  // the contract step, approved by its ignore's reason
}

const std::set<std::string> kMistakesThatCannotRun = {
    "7a6b5c4d3e2f_update_limit.py",  // a syntax error in PostgreSQL
    "8b7c6d5e4f3a_second_head.py",   // two heads: Alembic would not upgrade to one revision
    "9c8d7e6f5a4b_broken_chain.py",  // Alembic refuses to load a broken graph
};

// Approves every finding `run` refuses each revision for; returns how many revisions needed it.
int approve_all(AlembicRun& test, const fs::path& versions,
                const std::function<Miglint::Result(const std::vector<std::string>&)>& miglint) {
  int approved = 0;
  for (const auto& entry : fs::directory_iterator(versions)) {
    if (entry.path().extension() != ".py") {
      continue;
    }
    Miglint::Result result = miglint(
        {"approve", entry.path().string(), "--all-findings", "--reason", "reviewed", "--by", "tests"});
    EXPECT_TRUE(result.exit == 0 || result.all().find("no finding needs an approval") != std::string::npos)
        << entry.path() << ": " << result.all();
    approved += result.exit == 0 ? 1 : 0;
  }
  (void)test;
  return approved;
}

// `plan` lists, per pending revision, the statements Alembic emits for upgrade() (the front end's
// offline SQL, as `lint` reads it), each at the line of its `op.` call, with the locks the lock model
// predicts, in and outside a transaction, in text and JSON; downgrade()'s statements are not listed.
TEST_F(AlembicRun, PlanListsEachRevisionsStatementsWithTheirLocks) {
  make_project("zero_downtime");
  Miglint::Result plan = alembic("plan");
  EXPECT_EQ(plan.exit, 0) << plan.all();
  std::size_t index = plan.out.find("c1d2e3f4a5b6 concurrent_index");
  ASSERT_NE(index, std::string::npos) << plan.out;
  std::string after_index = plan.out.substr(index);
  EXPECT_NE(after_index.find("  outside a transaction (statements 1-1)\n"
                             "    15:9 CREATE INDEX CONCURRENTLY ix_accounts_status ON accounts (status)  -- "
                             "SHARE UPDATE EXCLUSIVE public.accounts"),
            std::string::npos)
      << plan.out;
  EXPECT_EQ(plan.out.find("DROP INDEX"), std::string::npos) << "downgrade() is not run: " << plan.out;
  EXPECT_EQ(plan.out.find("statements unknown"), std::string::npos) << plan.out;

  Miglint::Result json = alembic("plan", {"--format", "json"});
  EXPECT_EQ(json.exit, 0) << json.all();
  nlohmann::json document = nlohmann::json::parse(json.out, nullptr, false);
  ASSERT_TRUE(document.is_object()) << json.out;
  int revisions_with_statements = 0;
  for (const nlohmann::json& revision : document["migrations"]) {
    ASSERT_TRUE(revision.contains("plan")) << revision.dump();
    const nlohmann::json& planned = revision["plan"];
    revisions_with_statements += planned["statements_total"].get<int>() > 0 ? 1 : 0;
    if (revision["version"] != "c1d2e3f4a5b6") {
      continue;
    }
    EXPECT_EQ(planned["mode"], "alembic-autocommit-block");
    EXPECT_EQ(planned["statements_total"], 1);
    ASSERT_EQ(planned["segments"].size(), 1u) << planned.dump();
    const nlohmann::json& segment = planned["segments"][0];
    EXPECT_EQ(segment["transactional"], false);
    ASSERT_EQ(segment["statements"].size(), 1u);
    const nlohmann::json& statement = segment["statements"][0];
    EXPECT_EQ(statement["line"], 15);
    EXPECT_EQ(statement["text"], "CREATE INDEX CONCURRENTLY ix_accounts_status ON accounts (status)");
    ASSERT_EQ(statement["locks"].size(), 1u) << statement.dump();
    EXPECT_EQ(statement["locks"][0]["mode"], "SHARE UPDATE EXCLUSIVE") << statement.dump();
  }
  // Every revision of the project emits SQL.
  EXPECT_EQ(revisions_with_statements, 11) << json.out;
}

// A revision in a transaction: the column added at its `op.add_column` line, under ACCESS EXCLUSIVE.
TEST_F(AlembicRun, PlanListsATransactionalRevisionsStatementsAtTheirCalls) {
  make_project("clean");
  Miglint::Result clean = alembic("plan");
  EXPECT_EQ(clean.exit, 0) << clean.all();
  std::size_t nickname = clean.out.find("7d3e2f1a0b9c add_users_nickname");
  ASSERT_NE(nickname, std::string::npos) << clean.out;
  std::string after_nickname = clean.out.substr(nickname);
  EXPECT_NE(after_nickname.find("  transaction (statements 1-3)\n"), std::string::npos) << clean.out;
  EXPECT_NE(after_nickname.find(
                "    16:5 ALTER TABLE users ADD COLUMN nickname TEXT  -- ACCESS EXCLUSIVE public.users"),
            std::string::npos)
      << clean.out;
}

TEST_F(AlembicRun, MistakesAreRefusedUntilApprovedThenApplied) {
  make_project("mistakes", kMistakesThatCannotRun);
  Miglint::Result refused = alembic("run");
  EXPECT_EQ(refused.exit, 1) << refused.all();
  EXPECT_NE(refused.err.find("refusing to run: nothing was applied"), std::string::npos) << refused.err;
  EXPECT_NE(refused.err.find("2b1c0a9f8e7d_index_items_name.py: 1 finding needs approval"), std::string::npos)
      << refused.err;
  EXPECT_NE(refused.err.find("[ban-drop-column]"), std::string::npos) << refused.err;
  EXPECT_NE(refused.err.find("--target f00dfeed0001"), std::string::npos) << refused.err;
  EXPECT_EQ(alembic_version(), "");  // all or nothing: not even the clean first revision
  EXPECT_FALSE(has_relation("items"));

  Miglint::Result status = alembic("status");
  EXPECT_EQ(status.exit, 1) << status.all();
  EXPECT_NE(status.out.find("needs approval"), std::string::npos) << status.out;

  // --target stops before the first refused revision.
  Miglint::Result first = alembic("run", {"--target", "f00dfeed0001"});
  ASSERT_EQ(first.exit, 0) << first.all();
  EXPECT_EQ(alembic_version(), "f00dfeed0001");
  EXPECT_TRUE(has_relation("items"));

  auto run_miglint = [&](const std::vector<std::string>& arguments) { return miglint(arguments); };
  EXPECT_GE(approve_all(*this, project_ / "migrations/versions", run_miglint), 4);
  EXPECT_TRUE(fs::exists(project_ / "miglint.approvals.toml"));  // beside alembic.ini
  EXPECT_NE(
      read_all(project_ / "miglint.approvals.toml").find("migrations/versions/5e4f3a2b1c0d_drop_legacy.py"),
      std::string::npos);

  Miglint::Result run = alembic("run");
  ASSERT_EQ(run.exit, 0) << run.all();
  EXPECT_EQ(alembic_version(), "6f5a4b3c2d1e");
  EXPECT_TRUE(has_relation("ix_items_name"));
  EXPECT_FALSE(has_column("items", "legacy"));
  EXPECT_EQ(value("SELECT convalidated FROM pg_constraint WHERE conname = 'items_owner_fk'"), "t");
}

TEST_F(AlembicRun, RevisionChangedAfterApprovalIsRefusedAgain) {
  make_project("mistakes", kMistakesThatCannotRun);
  auto run_miglint = [&](const std::vector<std::string>& arguments) { return miglint(arguments); };
  approve_all(*this, project_ / "migrations/versions", run_miglint);
  std::ofstream(revision_file("5e4f3a2b1c0d_drop_legacy.py"), std::ios::app) << "# changed after review\n";
  Miglint::Result refused = alembic("run");
  EXPECT_EQ(refused.exit, 1) << refused.all();
  EXPECT_NE(refused.err.find("5e4f3a2b1c0d_drop_legacy.py: 1 finding needs approval"), std::string::npos)
      << refused.err;
  EXPECT_NE(refused.err.find("for older contents of the file"), std::string::npos) << refused.err;
  EXPECT_EQ(alembic_version(), "");
  EXPECT_FALSE(has_relation("items"));

  Miglint::Result approve = miglint({"approve", revision_file("5e4f3a2b1c0d_drop_legacy.py").string(),
                                     "--rule", "ban-drop-column", "--reason", "reviewed again"});
  ASSERT_EQ(approve.exit, 0) << approve.all();
  Miglint::Result run = alembic("run");
  ASSERT_EQ(run.exit, 0) << run.all();
  EXPECT_EQ(alembic_version(), "6f5a4b3c2d1e");
}

TEST_F(AlembicRun, LockTimeoutOfATransactionalRevisionIsRetried) {
  make_project("clean");
  ASSERT_EQ(alembic("run", {"--target", "a1f0c9d2e3b4"}).exit, 0);
  ASSERT_EQ(alembic_version(), "a1f0c9d2e3b4");
  // orders' foreign key needs a lock on users, which another session holds.
  Session holder(server_->conninfo(database_));
  ASSERT_EQ(holder.exec("BEGIN"), "");
  ASSERT_EQ(holder.exec("LOCK TABLE users IN ACCESS EXCLUSIVE MODE"), "");
  Miglint runner(work_->path(), command("run", {"--target", "0c5e7b8a9d10", "--retries", "5"}));
  // The first attempt waits, then times out (the revision's own SET lock_timeout = '2s'); the lock
  // goes during the backoff.
  ASSERT_TRUE(wait_until([&] { return alembic_backend_waiting() != 0; }, seconds(30)))
      << runner.wait(milliseconds(1)).all();
  ASSERT_TRUE(wait_until([&] { return alembic_backend_waiting() == 0; }, seconds(30)));
  ASSERT_EQ(holder.exec("COMMIT"), "");
  Miglint::Result run = runner.wait(milliseconds(120000));
  ASSERT_EQ(run.exit, 0) << run.all();
  EXPECT_NE(run.out.find("lock timeout (canceling statement due to lock timeout); retry 1 of 5"),
            std::string::npos)
      << run.out;
  EXPECT_EQ(alembic_version(), "0c5e7b8a9d10");
  EXPECT_TRUE(has_relation("orders"));
}

TEST_F(AlembicRun, AutocommitBlockInterruptedIsPartialAndNotRetried) {
  make_project("zero_downtime");
  ASSERT_EQ(alembic("run", {"--target", "4e5f6a7b8c9d"}).exit, 0);
  ASSERT_EQ(alembic_version(), "4e5f6a7b8c9d");
  Session holder(server_->conninfo(database_));
  ASSERT_EQ(holder.exec("BEGIN"), "");
  ASSERT_EQ(holder.exec("LOCK TABLE accounts IN ACCESS EXCLUSIVE MODE"), "");
  Miglint::Result failed =
      alembic("run", {"--target", "c1d2e3f4a5b6", "--concurrent-lock-timeout", "300ms", "--retries", "3"});
  ASSERT_EQ(holder.exec("COMMIT"), "");
  EXPECT_EQ(failed.exit, 1) << failed.all();
  EXPECT_EQ(failed.out.find("retry 1 of 3"), std::string::npos) << failed.out;  // not retried
  EXPECT_NE(failed.err.find("(SQLSTATE 55P03)"), std::string::npos) << failed.err;
  EXPECT_NE(failed.err.find("c1d2e3f4a5b6_concurrent_index.py:"), std::string::npos) << failed.err;
  EXPECT_NE(failed.err.find("revision c1d2e3f4a5b6 is PARTIAL"), std::string::npos) << failed.err;
  EXPECT_NE(failed.err.find("CREATE INDEX CONCURRENTLY"), std::string::npos) << failed.err;
  EXPECT_EQ(alembic_version(), "4e5f6a7b8c9d");  // Alembic did not record the revision
  EXPECT_FALSE(has_relation("ix_accounts_status"));

  Miglint::Result run = alembic("run");
  ASSERT_EQ(run.exit, 0) << run.all();
  EXPECT_EQ(alembic_version(), "a0f1e2d3c4b5");
  EXPECT_EQ(value("SELECT indisvalid FROM pg_index WHERE indexrelid = 'ix_accounts_status'::regclass"), "t");
}

TEST_F(AlembicRun, ConcurrentRunsAreSerializedByTheRunnerLock) {
  make_project("clean");
  Miglint first(work_->path(), command("run"));
  Miglint second(work_->path(), command("run"));
  Miglint::Result one = first.wait(milliseconds(120000));
  Miglint::Result two = second.wait(milliseconds(120000));
  EXPECT_EQ(one.exit, 0) << one.all();
  EXPECT_EQ(two.exit, 0) << two.all();
  // Each revision applied once, by one of them; the other found nothing to do.
  EXPECT_EQ(count_of(one.out + two.out, "applying a1f0c9d2e3b4"), 1u) << one.out << two.out;
  EXPECT_EQ(count_of(one.out + two.out, "nothing to do"), 1u) << one.out << two.out;
  EXPECT_EQ(alembic_version(), "7d3e2f1a0b9c");
}

TEST_F(AlembicRun, ConnectionStringInKeyValueFormReachesAlembic) {
  make_project("clean");
  std::string conninfo =
      "host=127.0.0.1 port=" + std::to_string(server_->port()) + " user=postgres dbname=" + database_;
  Miglint::Result run = miglint({"run", project_.string(), "--db", conninfo}, milliseconds(120000));
  ASSERT_EQ(run.exit, 0) << run.all();
  EXPECT_EQ(alembic_version(), "7d3e2f1a0b9c");
}

}  // namespace
}  // namespace miglint::runner_pg
