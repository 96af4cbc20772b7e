// `miglint test` on Alembic projects, against a throwaway PostgreSQL: every revision up, down and
// up through Alembic (tests/alembic_run_template's env.py, as `alembic init` writes it), the schema
// after each downgrade() compared with the schema before its upgrade(). Every test asserts the
// verdict and the database's state afterwards.
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "tests/runner_pg_support.hpp"

namespace miglint::runner_pg {
namespace {

using Json = nlohmann::json;
const fs::path kSource = MIGLINT_SOURCE_DIR;

bool have_alembic_and_psycopg2() {
  static const bool found =
      std::system(
          "python3 -c 'import alembic, psycopg2' >/dev/null 2>&1 || /usr/bin/python3 -c "
          "'import alembic, psycopg2' >/dev/null 2>&1") == 0;
  return found;
}

class AlembicTest : public RunnerAgainstServer {
 protected:
  void SetUp() override {
    RunnerAgainstServer::SetUp();
    if (IsSkipped() || HasFatalFailure()) {
      return;
    }
    MIGLINT_REQUIRE_TOOL(
        have_alembic_and_psycopg2(), "miglint test on Alembic projects (alembic_migration_test_pg_test)",
        "python3 with Alembic and psycopg2 (apt-get install python3-alembic python3-psycopg2)");
    project_ = work_->path() / "project";
    fs::copy(kSource / "tests/alembic_run_template", project_, fs::copy_options::recursive);
    fs::create_directories(project_ / "migrations/versions");
  }
  // The revisions of fixtures/alembic/SAMPLE.
  void revisions_of(const std::string& sample) {
    for (const auto& entry :
         fs::directory_iterator(kSource / "fixtures/alembic" / sample / "migrations/versions")) {
      if (entry.path().extension() == ".py") {
        fs::copy_file(entry.path(), project_ / "migrations/versions" / entry.path().filename());
      }
    }
  }
  // A revision file: `upgrade` and `downgrade` are the bodies of the two functions.
  fs::path revision(const std::string& id, const std::string& parent, const std::string& upgrade,
                    const std::string& downgrade) {
    fs::path file = project_ / "migrations/versions" / (id + "_step.py");
    std::ofstream(file, std::ios::binary)
        << "import sqlalchemy as sa\nfrom alembic import op\n\nrevision = \"" << id
        << "\"\ndown_revision = " << (parent.empty() ? std::string("None") : "\"" + parent + "\"")
        << "\n\n\ndef upgrade():\n"
        << upgrade << "\n\n\ndef downgrade():\n"
        << downgrade << "\n";
    return file;
  }
  Miglint::Result test(const std::vector<std::string>& extra = {}) {
    std::vector<std::string> all{"test", project_.string(), "--db", url()};
    all.insert(all.end(), extra.begin(), extra.end());
    return miglint(all, milliseconds(180000));
  }
  Json test_json() {
    Miglint::Result result = test({"--format", "json"});
    EXPECT_TRUE(result.exit == 0 || result.exit == 1) << result;
    Json document = Json::parse(result.out, nullptr, false);
    EXPECT_TRUE(document.is_object()) << result;
    return document.is_object() ? document : Json::object();
  }
  std::string alembic_version() {
    if (!has_relation("alembic_version")) {
      return "";
    }
    return value("SELECT string_agg(version_num, ',' ORDER BY version_num) FROM alembic_version");
  }

  fs::path project_;
};

TEST_F(AlembicTest, CleanProjectGoesUpDownAndUpThroughAlembic) {
  revisions_of("clean");
  Miglint::Result result = test();
  EXPECT_EQ(result.exit, 0) << result;
  EXPECT_NE(result.out.find("apply all: 3 revisions upgraded"), std::string::npos) << result;
  EXPECT_NE(result.out.find("roll back all: 3 revisions downgraded"), std::string::npos) << result;
  // Graph order, each revision up, down (schema restored), up.
  std::size_t users = result.out.find("a1f0c9d2e3b4 create_users: up, down (schema restored), up");
  std::size_t orders = result.out.find("0c5e7b8a9d10 create_orders: up, down (schema restored), up");
  std::size_t nickname = result.out.find("7d3e2f1a0b9c add_users_nickname: up, down (schema restored), up");
  ASSERT_NE(users, std::string::npos) << result;
  ASSERT_NE(orders, std::string::npos) << result;
  ASSERT_NE(nickname, std::string::npos) << result;
  EXPECT_LT(users, orders);
  EXPECT_LT(orders, nickname);
  // It ends with everything applied, recorded by Alembic, and nothing of miglint's history.
  EXPECT_EQ(alembic_version(), "7d3e2f1a0b9c");
  EXPECT_TRUE(has_relation("users"));
  EXPECT_TRUE(has_relation("ix_orders_user_id"));
  EXPECT_FALSE(has_relation(kHistory));
}

TEST_F(AlembicTest, DowngradeThatForgetsATypeMakesTheUpgradeFailAgain) {
  revision("aa0000000001", "",
           "    op.create_table(\"items\", sa.Column(\"id\", sa.BigInteger, primary_key=True))",
           "    op.drop_table(\"items\")");
  fs::path forgetful = revision("aa0000000002", "aa0000000001",
                                "    op.execute(\"CREATE TYPE mood AS ENUM ('calm', 'busy')\")",
                                "    op.execute(\"SELECT 1\")");
  Json document = test_json();
  EXPECT_EQ(document.value("outcome", ""), "failed") << document.dump(2);
  const Json& problem = document["problem"];
  ASSERT_TRUE(problem.is_object()) << document.dump(2);
  // Everything up again trips over the type the downgrades left behind.
  EXPECT_EQ(problem["kind"], "up-not-rerunnable-after-down") << document.dump(2);
  EXPECT_EQ(problem["version"], "aa0000000002") << document.dump(2);
  EXPECT_EQ(problem["file"], forgetful.string()) << document.dump(2);
  EXPECT_EQ(problem["phase"], "apply all again") << document.dump(2);
  EXPECT_NE(problem["differences"].dump().find("mood"), std::string::npos) << document.dump(2);
  EXPECT_NE(problem["error"].get<std::string>().find("already exists"), std::string::npos)
      << document.dump(2);
}

TEST_F(AlembicTest, DowngradeThatLeavesAnIndexOnADroppedTableIsNotRestored) {
  // The index goes away with the table in the full rollback; only up/down/up of the revision alone
  // sees that its downgrade leaves it.
  revision("bb0000000001", "",
           "    op.create_table(\"items\", sa.Column(\"id\", sa.BigInteger, primary_key=True),"
           " sa.Column(\"kind\", sa.Text))",
           "    op.drop_table(\"items\")");
  fs::path forgetful = revision("bb0000000002", "bb0000000001",
                                "    op.create_index(\"ix_items_kind\", \"items\", [\"kind\"])",
                                "    op.execute(\"SELECT 1\")");
  Json document = test_json();
  EXPECT_EQ(document.value("outcome", ""), "failed") << document.dump(2);
  const Json& problem = document["problem"];
  ASSERT_TRUE(problem.is_object()) << document.dump(2);
  EXPECT_EQ(problem["kind"], "down-does-not-restore-schema") << document.dump(2);
  EXPECT_EQ(problem["version"], "bb0000000002") << document.dump(2);
  EXPECT_EQ(problem["file"], forgetful.string()) << document.dump(2);
  EXPECT_EQ(problem["phase"], "up/down/up") << document.dump(2);
  ASSERT_EQ(problem["differences"].size(), 1u) << document.dump(2);
  EXPECT_EQ(problem["differences"][0]["object"], "index public.ix_items_kind") << document.dump(2);
  EXPECT_TRUE(problem["differences"][0]["before"].is_null()) << document.dump(2);
}

TEST_F(AlembicTest, FailingDowngradeIsReportedWithItsLine) {
  revision("cc0000000001", "",
           "    op.create_table(\"items\", sa.Column(\"id\", sa.BigInteger, primary_key=True))",
           "    op.drop_table(\"items_that_never_was\")");
  Json document = test_json();
  const Json& problem = document["problem"];
  ASSERT_TRUE(problem.is_object()) << document.dump(2);
  EXPECT_EQ(problem["kind"], "down-migration-fails") << document.dump(2);
  EXPECT_EQ(problem["version"], "cc0000000001");
  EXPECT_EQ(problem["phase"], "roll back all");
  std::string error = problem["error"];
  EXPECT_NE(error.find("does not exist"), std::string::npos) << error;
  EXPECT_NE(error.find("42P01"), std::string::npos) << error;
  EXPECT_NE(error.find("cc0000000001_step.py:13"), std::string::npos) << error;
}

TEST_F(AlembicTest, DatabaseWithTablesIsRefused) {
  revisions_of("clean");
  auto db = session();
  ASSERT_EQ(db->exec("CREATE TABLE precious (id int)"), "");
  Miglint::Result refused = test();
  EXPECT_EQ(refused.exit, 1) << refused;
  EXPECT_NE(refused.all().find("precious"), std::string::npos) << refused;
  EXPECT_FALSE(has_relation("users"));
  EXPECT_EQ(alembic_version(), "");
}

}  // namespace
}  // namespace miglint::runner_pg
