// The state alembic_version cannot hold, and the commands that write the history, on Alembic
// projects against a throwaway PostgreSQL: a revision stopped inside its autocommit_block() is shown
// partial by `status` until a later `run` applies it (or `repair --yes` forgets it); `baseline
// --version REV` stamps alembic_version through Alembic without running anything.
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

class AlembicHistory : public RunnerAgainstServer {
 protected:
  void SetUp() override {
    RunnerAgainstServer::SetUp();
    if (IsSkipped() || HasFatalFailure()) {
      return;
    }
    MIGLINT_REQUIRE_TOOL(
        have_alembic_and_psycopg2(), "Alembic history commands (alembic_history_pg_test)",
        "python3 with Alembic and psycopg2 (apt-get install python3-alembic python3-psycopg2)");
    project_ = work_->path() / "project";
    fs::copy(kSource / "tests/alembic_run_template", project_, fs::copy_options::recursive);
    fs::create_directories(project_ / "migrations/versions");
    revision("dd0000000001", "",
             "    op.create_table(\"items\", sa.Column(\"id\", sa.BigInteger, primary_key=True))",
             "    op.drop_table(\"items\")");
  }
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
  // A second revision that adds a column, then fails inside its autocommit_block() (`failing`), or
  // succeeds (the same revision made re-runnable and fixed).
  void second_revision(bool failing) {
    revision("dd0000000002", "dd0000000001",
             "    op.execute(\"ALTER TABLE items ADD COLUMN IF NOT EXISTS note text\")\n"
             "    with op.get_context().autocommit_block():\n"
             "        op.execute(\"SELECT " +
                 std::string(failing ? "1 / 0" : "1") + "\")",
             "    op.drop_column(\"items\", \"note\")");
  }
  Miglint::Result alembic(const std::string& name, const std::vector<std::string>& extra = {}) {
    std::vector<std::string> all{name, project_.string(), "--db", url()};
    all.insert(all.end(), extra.begin(), extra.end());
    return miglint(all, milliseconds(120000));
  }
  std::string alembic_version() {
    if (!has_relation("alembic_version")) {
      return "";
    }
    return value("SELECT string_agg(version_num, ',' ORDER BY version_num) FROM alembic_version");
  }
  Json status_json() {
    Miglint::Result status = alembic("status", {"--format", "json"});
    Json document = Json::parse(status.out, nullptr, false);
    EXPECT_TRUE(document.is_object()) << status;
    return document.is_object() ? document : Json::object();
  }
  std::string state_of(const Json& status, const std::string& revision) {
    for (const Json& migration : status["migrations"]) {
      if (migration.value("version", "") == revision) {
        return migration.value("state", "");
      }
    }
    return "(not listed)";
  }

  fs::path project_;
};

TEST_F(AlembicHistory, RevisionStoppedInItsAutocommitBlockIsPartialUntilApplied) {
  second_revision(true);
  Miglint::Result failed = alembic("run");
  EXPECT_EQ(failed.exit, 1) << failed;
  // The column committed before the block; Alembic records only the first revision.
  EXPECT_EQ(alembic_version(), "dd0000000001");
  EXPECT_EQ(
      value("SELECT count(*) FROM information_schema.columns WHERE table_name = 'items' AND column_name "
            "= 'note'"),
      "1");
  Miglint::Result status = alembic("status");
  EXPECT_NE(status.out.find("partial  dd0000000002"), std::string::npos) << status;
  EXPECT_NE(status.out.find("last attempt failed"), std::string::npos) << status;
  EXPECT_NE(status.out.find("division by zero"), std::string::npos) << status;
  Json document = status_json();
  EXPECT_EQ(state_of(document, "dd0000000001"), "applied") << document.dump(2);
  EXPECT_EQ(state_of(document, "dd0000000002"), "partial") << document.dump(2);

  second_revision(false);  // fixed (and safe to run again)
  Miglint::Result again = alembic("run");
  ASSERT_EQ(again.exit, 0) << again;
  EXPECT_EQ(alembic_version(), "dd0000000002");
  EXPECT_EQ(state_of(status_json(), "dd0000000002"), "applied");
  EXPECT_EQ(value("SELECT count(*) FROM miglint_alembic_partial"), "0");
}

TEST_F(AlembicHistory, RepairForgetsThePartialStateOnlyWithYes) {
  second_revision(true);
  ASSERT_EQ(alembic("run").exit, 1);
  Miglint::Result asked = alembic("repair");
  EXPECT_EQ(asked.exit, 1) << asked;
  EXPECT_NE(asked.out.find("dd0000000002"), std::string::npos) << asked;
  EXPECT_NE(asked.err.find("miglint repair --yes"), std::string::npos) << asked;
  EXPECT_EQ(state_of(status_json(), "dd0000000002"), "partial");
  Miglint::Result repaired = alembic("repair", {"--yes"});
  EXPECT_EQ(repaired.exit, 0) << repaired;
  EXPECT_NE(repaired.out.find("forgot the partial state of:"), std::string::npos) << repaired;
  EXPECT_EQ(state_of(status_json(), "dd0000000002"), "pending");
  EXPECT_EQ(alembic_version(), "dd0000000001");  // repair never touches Alembic's table
  Miglint::Result nothing = alembic("repair");
  EXPECT_EQ(nothing.exit, 0) << nothing;
  EXPECT_NE(nothing.out.find("nothing to repair"), std::string::npos) << nothing;
}

TEST_F(AlembicHistory, BaselineStampsAlembicVersionWithoutRunningAnything) {
  second_revision(false);
  Miglint::Result stamped = alembic("baseline", {"--version", "dd0000000001"});
  ASSERT_EQ(stamped.exit, 0) << stamped;
  EXPECT_NE(stamped.out.find("alembic_version now records dd0000000001"), std::string::npos) << stamped;
  EXPECT_EQ(alembic_version(), "dd0000000001");
  EXPECT_FALSE(has_relation("items"));  // recorded, not run
  Json document = status_json();
  EXPECT_EQ(state_of(document, "dd0000000001"), "applied") << document.dump(2);
  EXPECT_EQ(state_of(document, "dd0000000002"), "pending") << document.dump(2);
  // A database Alembic already ran on is refused without --force.
  Miglint::Result refused = alembic("baseline", {"--version", "dd0000000002"});
  EXPECT_EQ(refused.exit, 1) << refused;
  EXPECT_NE(refused.err.find("already records dd0000000001"), std::string::npos) << refused;
  EXPECT_EQ(alembic_version(), "dd0000000001");
  Miglint::Result forced = alembic("baseline", {"--version", "dd0000000002", "--force"});
  EXPECT_EQ(forced.exit, 0) << forced;
  EXPECT_EQ(alembic_version(), "dd0000000002");
  // Usage errors: one line each.
  Miglint::Result unknown = alembic("baseline", {"--version", "ffffffffffff"});
  EXPECT_EQ(unknown.exit, 2) << unknown;
  EXPECT_NE(unknown.err.find("--version ffffffffffff: no revision"), std::string::npos) << unknown;
  Miglint::Result from = alembic("baseline", {"--from", "flyway"});
  EXPECT_EQ(from.exit, 2) << from;
  EXPECT_NE(from.err.find("alembic stamp"), std::string::npos) << from;
}

}  // namespace
}  // namespace miglint::runner_pg
