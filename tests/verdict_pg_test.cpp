// `lint` and `plan` give the same verdict, file by file, on the same migration sets (issue 21, "One
// verdict"): with a [run] table in miglint.toml, `lint` judges each migration as `run` vets it, so
// a file that passes `lint` in CI is never refused by `run` for a finding. `plan` is `run`'s
// vetting without the writes; a set that `lint` passes is then applied by `run`. Against a
// throwaway PostgreSQL 15 (tests/pg/throwaway_server.hpp).
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include "analyzer/text/hash.hpp"
#include "tests/cli_support.hpp"
#include "tests/pg/throwaway_server.hpp"
#include "tests/sanitizer_build.hpp"
#include "tests/tool_requirement.hpp"

namespace fs = std::filesystem;
using miglint::cli_support::CliRun;
using miglint::cli_support::run_miglint_in;
using miglint::cli_support::TempDir;
using namespace miglint::pgtest;

namespace {

class VerdictAgainstServer : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::string why;
    server_ = ThrowawayServer::start(why).release();
    if (server_ == nullptr) {
      skip_reason_ = new std::string(why);
    }
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }

  void SetUp() override {
    MIGLINT_REQUIRE_TOOL(server_ != nullptr, "lint's verdicts compared with plan's against a real server",
                         skip_reason_ ? *skip_reason_ : std::string());
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    database_ = "vt_";
    for (char c : std::string(info->name())) {
      database_ += std::isalnum(static_cast<unsigned char>(c)) ? static_cast<char>(std::tolower(c)) : '_';
    }
    database_ = database_.substr(0, 60);
    Session admin(server_->conninfo());
    ASSERT_TRUE(admin.ok()) << admin.error();
    admin.exec("SET client_min_messages = warning");
    ASSERT_EQ(admin.exec("DROP DATABASE IF EXISTS " + database_ + " WITH (FORCE)"), "");
    ASSERT_EQ(admin.exec("CREATE DATABASE " + database_), "");
    dir_ = std::make_unique<TempDir>("miglint-verdict-pg");
    dir_->write("miglint.toml", "[run]\nmigrations = \"migrations\"\n");
  }

  void TearDown() override {
    if (server_ == nullptr) {
      return;
    }
    Session admin(server_->conninfo());
    admin.exec("DROP DATABASE IF EXISTS " + database_ + " WITH (FORCE)");
  }

  std::string url() const {
    return "postgresql://postgres@127.0.0.1:" + std::to_string(server_->port()) + "/" + database_;
  }
  void migration(const std::string& name, const std::string& sql) { dir_->write("migrations/" + name, sql); }

  // The migrations `lint` fails, each linted on its own with its history (as a pre-commit hook or a
  // CI gate on changed files does), checked against the whole directory's exit status.
  std::set<std::string> refused_by_lint() {
    std::set<std::string> refused;
    for (const auto& entry : fs::directory_iterator(dir_->path() / "migrations")) {
      if (entry.path().extension() != ".sql") {
        continue;
      }
      std::string name = "migrations/" + entry.path().filename().string();
      CliRun run = run_miglint_in(dir_->path(), "lint --with-history " + name);
      EXPECT_TRUE(run.status == 0 || run.status == 1) << name << "\n" << run.out;
      if (run.status == 1) {
        refused.insert(name);
      }
    }
    CliRun whole = run_miglint_in(dir_->path(), "lint migrations");
    EXPECT_EQ(whole.status, refused.empty() ? 0 : 1) << whole.out;
    return refused;
  }

  // The migrations `plan` says `run` would refuse for findings that need an approval.
  std::set<std::string> refused_by_plan() {
    CliRun plan = run_miglint_in(dir_->path(), "plan --db " + url());
    std::set<std::string> refused;
    std::regex needs(R"(^  (\S+): \d+ findings? needs? approval$)");
    std::istringstream lines(plan.out);
    std::string line;
    while (std::getline(lines, line)) {
      std::smatch match;
      if (std::regex_match(line, match, needs)) {
        refused.insert(match[1]);
      }
    }
    EXPECT_EQ(plan.status, refused.empty() ? 0 : 1) << plan.out;
    EXPECT_NE(plan.out.find("timeouts: lock_timeout 2s on every statement"), std::string::npos) << plan.out;
    return refused;
  }

  static ThrowawayServer* server_;
  static std::string* skip_reason_;
  std::string database_;
  std::unique_ptr<TempDir> dir_;
};

ThrowawayServer* VerdictAgainstServer::server_ = nullptr;
std::string* VerdictAgainstServer::skip_reason_ = nullptr;

TEST_F(VerdictAgainstServer, ShippedExamplesPassBothAndRunAppliesThem) {
  fs::remove_all(dir_->path() / "migrations");
  fs::copy(fs::path(MIGLINT_SOURCE_DIR) / "examples" / "migrations", dir_->path() / "migrations",
           fs::copy_options::recursive);
  EXPECT_EQ(refused_by_lint(), std::set<std::string>{});
  EXPECT_EQ(refused_by_plan(), std::set<std::string>{});
  CliRun run = run_miglint_in(dir_->path(), "run --db " + url() + " 2>&1");
  EXPECT_EQ(run.status, 0) << run.out;
}

TEST_F(VerdictAgainstServer, MixedSetRefusesTheSameFilesInLintAndPlan) {
  migration(
      "001_tables.sql",
      "CREATE TABLE t (id bigint PRIMARY KEY, c int, d text);\nCREATE TABLE u (id bigint PRIMARY KEY);\n");
  // Refused only because the runner wraps it: validate-in-same-transaction.
  migration("002_check.sql",
            "ALTER TABLE t ADD CONSTRAINT c_positive CHECK (c > 0) NOT VALID;\n"
            "ALTER TABLE t VALIDATE CONSTRAINT c_positive;\n");
  // An ignore without a reason approves nothing.
  migration("003_drop_d.sql", "-- miglint-ignore ban-drop-column\nALTER TABLE t DROP COLUMN d;\n");
  // Segmented: the index outside a transaction, the ALTER in one.
  migration("004_index.sql",
            "CREATE INDEX CONCURRENTLY t_c_idx ON t (c);\nALTER TABLE t ADD COLUMN e text;\n");
  // Statements after ACCESS EXCLUSIVE in the runner's transaction.
  migration("005_rename.sql",
            "-- miglint-ignore renaming-column -- no client reads c since 4.0\n"
            "ALTER TABLE t RENAME COLUMN c TO c2;\nUPDATE u SET id = id WHERE id < 0;\n");
  // Unwrapped as the advice says: passes.
  migration("006_check_unwrapped.sql",
            "-- miglint-no-transaction\n"
            "ALTER TABLE t ADD CONSTRAINT e_set CHECK (e IS NOT NULL) NOT VALID;\n"
            "ALTER TABLE t VALIDATE CONSTRAINT e_set;\n");
  // Destructive, approved in miglint.approvals.toml.
  migration("007_drop_u.sql", "DROP TABLE u;\n");
  CliRun approved = run_miglint_in(dir_->path(),
                                   "approve migrations/007_drop_u.sql --rule ban-drop-table --reason "
                                   "'u was never used' --by tester");
  ASSERT_EQ(approved.status, 0) << approved.out;

  std::set<std::string> expected{"migrations/002_check.sql", "migrations/003_drop_d.sql",
                                 "migrations/005_rename.sql"};
  EXPECT_EQ(refused_by_lint(), expected);
  EXPECT_EQ(refused_by_plan(), expected);
  // `run` says how to fix the file its wrapping made unsafe, not only how to approve it.
  CliRun plan = run_miglint_in(dir_->path(), "plan --db " + url());
  EXPECT_NE(
      plan.out.find("this comes from the transaction miglint run wraps the whole file in: split the file "
                    "(VALIDATE CONSTRAINT in a migration after the one that adds the constraint NOT VALID)"),
      std::string::npos)
      << plan.out;

  // Fixing the files as the messages say makes both pass, and run applies them all.
  migration("002_check.sql",
            "-- miglint-no-transaction\n"
            "ALTER TABLE t ADD CONSTRAINT c_positive CHECK (c > 0) NOT VALID;\n"
            "ALTER TABLE t VALIDATE CONSTRAINT c_positive;\n");
  migration("003_drop_d.sql",
            "-- miglint-ignore ban-drop-column -- d is unused since 3.2\nALTER TABLE t DROP COLUMN d;\n");
  migration("005_rename.sql",
            "-- miglint-ignore renaming-column -- no client reads c since 4.0\n"
            "ALTER TABLE t RENAME COLUMN c TO c2;\n");
  EXPECT_EQ(refused_by_lint(), std::set<std::string>{});
  EXPECT_EQ(refused_by_plan(), std::set<std::string>{});
  CliRun run = run_miglint_in(dir_->path(), "run --db " + url() + " 2>&1");
  EXPECT_EQ(run.status, 0) << run.out;
}

TEST_F(VerdictAgainstServer, EditedApprovedFileIsRefusedByBoth) {
  migration("001_tables.sql", "CREATE TABLE t (id bigint PRIMARY KEY, c int);\n");
  migration("002_drop_t.sql", "DROP TABLE t;\n");
  CliRun approved = run_miglint_in(dir_->path(),
                                   "approve migrations/002_drop_t.sql --rule ban-drop-table --reason "
                                   "'t is unused' --by tester");
  ASSERT_EQ(approved.status, 0) << approved.out;
  EXPECT_EQ(refused_by_lint(), std::set<std::string>{});
  EXPECT_EQ(refused_by_plan(), std::set<std::string>{});
  migration("002_drop_t.sql", "DROP TABLE t;\n-- edited after the review\n");
  std::set<std::string> expected{"migrations/002_drop_t.sql"};
  EXPECT_EQ(refused_by_lint(), expected);
  EXPECT_EQ(refused_by_plan(), expected);
}

TEST_F(VerdictAgainstServer, StatementTimeoutSwitchedOffMakesBothAskForIt) {
  migration("001_tables.sql", "CREATE TABLE t (id bigint PRIMARY KEY, c int);\n");
  migration("002_not_null.sql", "ALTER TABLE t ADD COLUMN d int;\n");
  EXPECT_EQ(refused_by_lint(), std::set<std::string>{});
  EXPECT_EQ(refused_by_plan(), std::set<std::string>{});
  dir_->write("miglint.toml", "[run]\nmigrations = \"migrations\"\nstatement_timeout = \"none\"\n");
  std::set<std::string> expected{"migrations/002_not_null.sql"};
  EXPECT_EQ(refused_by_lint(), expected);
  EXPECT_EQ(refused_by_plan(), expected);
  CliRun plan = run_miglint_in(dir_->path(), "plan --db " + url());
  EXPECT_NE(plan.out.find("require-statement-timeout"), std::string::npos) << plan.out;
  EXPECT_NE(plan.out.find("statement_timeout none on every statement but CONCURRENTLY ones"),
            std::string::npos)
      << plan.out;
}

// A run with nothing to do reads applied files for their checksums only; with a pending file after
// them, an applied file is read lightly for its facts (only CREATE, ALTER, DROP parsed). Whole
// parses of a 20 MB seed file peaked at about 17 times its size; these bounds are far below that.
TEST_F(VerdictAgainstServer, LargeAppliedFileIsNotParsedWhenNothingOrLittleIsPending) {
  std::string schema = "CREATE TABLE seed (id bigint PRIMARY KEY, code varchar(20), payload text);\n";
  std::string seed;
  int statements = 0;
  for (int row = 0; seed.size() < 20U * 1024 * 1024; ++statements) {
    seed += "INSERT INTO seed (id, code, payload) VALUES\n";
    for (int i = 0; i < 1000; ++i, ++row) {
      seed += (i == 0 ? "  (" : ",\n  (") + std::to_string(row) + ", 'c', 'a payload; with a semicolon')";
    }
    seed += ";\n";
  }
  migration("001_schema.sql", schema);
  migration("002_seed.sql", seed);
  {
    // Applied as `run` would have recorded them (applying 20 MB of INSERTs is not what is tested).
    Session db(server_->conninfo(database_));
    ASSERT_TRUE(db.ok()) << db.error();
    ASSERT_EQ(db.exec(schema), "");
    ASSERT_EQ(
        db.exec("CREATE TABLE miglint_schema_migrations (version text PRIMARY KEY, name text NOT NULL, "
                "checksum_sha256 text NOT NULL, applied_at timestamptz, duration_ms bigint, applied_by "
                "text, statements_applied int NOT NULL, statements_total int NOT NULL, success boolean NOT "
                "NULL)"),
        "");
    ASSERT_EQ(
        db.exec("INSERT INTO miglint_schema_migrations VALUES ('001', 'schema', '" +
                miglint::sha256_hex(schema) + "', now(), 1, 'postgres', 1, 1, true), ('002', 'seed', '" +
                miglint::sha256_hex(seed) + "', now(), 1, 'postgres', " + std::to_string(statements) + ", " +
                std::to_string(statements) + ", true)"),
        "");
  }
  // Memory figures hold in the ordinary build only (tests/sanitizer_build.hpp): 0 in a sanitized one.
  auto peak_mb = [] {
    if (miglint::testing::kSanitizedBuild) {
      return 0L;
    }
    rusage usage{};
    getrusage(RUSAGE_CHILDREN, &usage);
    return usage.ru_maxrss / 1024;  // the largest child so far (this test runs in a process of its own)
  };
  CliRun nothing = run_miglint_in(dir_->path(), "run --db " + url() + " 2>&1");
  EXPECT_EQ(nothing.status, 0) << nothing.out;
  EXPECT_NE(nothing.out.find("nothing to do"), std::string::npos) << nothing.out;
  EXPECT_LT(peak_mb(), 120) << "a run with nothing to do parsed the applied seed file";

  // A pending file after it: the seed is read for its facts only (code is varchar(20), so widening
  // it is no rewrite, and needs no approval).
  migration("003_widen.sql", "ALTER TABLE seed ALTER COLUMN code TYPE varchar(50);\n");
  CliRun plan = run_miglint_in(dir_->path(), "plan --db " + url() + " 2>&1");
  EXPECT_EQ(plan.status, 0) << plan.out;
  EXPECT_LT(peak_mb(), 200) << "vetting parsed the whole applied seed file";
}

}  // namespace
