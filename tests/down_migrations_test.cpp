// [lint] down_migrations on the layouts of golang-migrate (`*.down.sql`), diesel (`down.sql`) and
// dbmate (`-- migrate:down` section), tests/layouts: "note" (the default) reports a down
// migration's findings as notes that never fail the build, in text, JSON and SARIF; "report" keeps
// their severities; "skip" leaves them unread.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "tests/cli_support.hpp"
#include "tests/param_name.hpp"

namespace fs = std::filesystem;
using miglint::param_test_name;
using miglint::cli_support::CliRun;
using miglint::cli_support::run_miglint_in;
using miglint::cli_support::TempDir;

namespace {

// A copy of tests/layouts/<layout> in a scratch directory, with `config` as its miglint.toml.
struct Layout {
  TempDir dir{"miglint-down"};
  explicit Layout(const std::string& layout, const std::string& config) {
    fs::copy(fs::path(MIGLINT_SOURCE_DIR) / "tests" / "layouts" / layout, dir.path() / "migrations",
             fs::copy_options::recursive);
    dir.write("miglint.toml", config);
  }
  // The timeout rules off (a runner sets them): what is left is the down migration's DROP TABLE.
  CliRun lint(const std::string& flags) const {
    return run_miglint_in(dir.path(),
                          "lint migrations --ignore require-lock-timeout,require-statement-timeout " + flags);
  }
};

nlohmann::json findings_of(const CliRun& run) {
  return nlohmann::json::parse(run.out)["findings"];
}

class DownMigrations : public ::testing::TestWithParam<std::string> {};

TEST_P(DownMigrations, NoteByDefault) {
  Layout layout(GetParam(), "");
  CliRun run = layout.lint("--format json");
  EXPECT_EQ(run.status, 0) << run.out;
  nlohmann::json findings = findings_of(run);
  ASSERT_EQ(findings.size(), 1U) << run.out;
  EXPECT_EQ(findings[0]["rule"], "ban-drop-table");
  EXPECT_EQ(findings[0]["severity"], "note");
  EXPECT_NE(findings[0]["message"].get<std::string>().find("in a down migration"), std::string::npos);
  // Never fails, even when notes fail the build.
  EXPECT_EQ(layout.lint("--fail-on note").status, 0);
  CliRun text = layout.lint("");
  EXPECT_NE(text.out.find("note: dropping table \"users\""), std::string::npos) << text.out;
  CliRun sarif = layout.lint("--format sarif");
  nlohmann::json results = nlohmann::json::parse(sarif.out)["runs"][0]["results"];
  ASSERT_EQ(results.size(), 1U) << sarif.out;
  EXPECT_EQ(results[0]["level"], "note");
}

TEST_P(DownMigrations, NoteIsTheDefaultWhenSaid) {
  Layout layout(GetParam(), "[lint]\ndown_migrations = \"note\"\n");
  CliRun run = layout.lint("--format json");
  EXPECT_EQ(run.status, 0) << run.out;
  ASSERT_EQ(findings_of(run).size(), 1U);
  EXPECT_EQ(findings_of(run)[0]["severity"], "note");
}

TEST_P(DownMigrations, ReportKeepsSeverities) {
  Layout layout(GetParam(), "[lint]\ndown_migrations = \"report\"\n");
  CliRun run = layout.lint("--format json");
  EXPECT_EQ(run.status, 1) << run.out;
  nlohmann::json findings = findings_of(run);
  ASSERT_EQ(findings.size(), 1U) << run.out;
  EXPECT_EQ(findings[0]["severity"], "warning");
  EXPECT_EQ(findings[0]["message"].get<std::string>().find("down migration"), std::string::npos);
}

TEST_P(DownMigrations, SkipReadsNoDownMigration) {
  Layout layout(GetParam(), "[lint]\ndown_migrations = \"skip\"\n");
  CliRun run = layout.lint("--format json");
  EXPECT_EQ(run.status, 0) << run.out;
  EXPECT_TRUE(findings_of(run).empty()) << run.out;
  CliRun text = layout.lint("");
  EXPECT_NE(text.out.find("No problems found in 1 file"), std::string::npos) << text.out;
}

INSTANTIATE_TEST_SUITE_P(Layouts, DownMigrations, ::testing::Values("golang-migrate", "diesel", "dbmate"),
                         param_test_name);

TEST(DownMigrationsSetting, UnknownValueIsAnError) {
  Layout layout("golang-migrate", "[lint]\ndown_migrations = \"hide\"\n");
  CliRun run = layout.lint("2>&1");
  EXPECT_EQ(run.status, 2) << run.out;
  EXPECT_NE(run.out.find("`lint.down_migrations` must be \"report\", \"note\" or \"skip\""),
            std::string::npos)
      << run.out;
}

// An up migration's findings keep their severity under the default.
TEST(DownMigrationsSetting, UpMigrationsUnchanged) {
  TempDir dir("miglint-down");
  dir.write("migrations/000002_drop.up.sql", "DROP TABLE sessions;\n");
  CliRun run = run_miglint_in(
      dir.path(), "lint migrations --format json --ignore require-lock-timeout,require-statement-timeout");
  EXPECT_EQ(run.status, 1) << run.out;
  EXPECT_EQ(findings_of(run)[0]["severity"], "warning");
}

}  // namespace
