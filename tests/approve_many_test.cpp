// `miglint approve` with several rules (--rule A --rule B, --rule A,B) or --all-findings, refusing
// (and writing nothing) when a rule has no finding in the file; `miglint approvals --check`
// reporting approvals that match nothing or are stale, with the file's git history.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "analyzer/project/approvals.hpp"
#include "runner/approve.hpp"
#include "tests/cli_support.hpp"

namespace fs = std::filesystem;
using namespace miglint;
using cli_support::CliRun;
using cli_support::run_miglint_in;
using cli_support::TempDir;

namespace {

// 0001 drops a column and renames another: ban-drop-column and renaming-column need approvals
// (the timeout rules are off: run sets both timeouts).
constexpr const char* kMigration =
    "ALTER TABLE users DROP COLUMN legacy;\n"
    "ALTER TABLE users RENAME COLUMN nick TO handle;\n";

struct Project {
  TempDir dir{"miglint-approve"};
  fs::path migration = dir.write("migrations/0001_contract.sql", kMigration);

  int approve(std::vector<std::string> rules, bool all, std::string& said) const {
    runner::ApproveRequest request{
        migration.string(), std::move(rules), all, "reviewed in CR-7", "tester", {}, false};
    request.settings.directory = (dir.path() / "migrations").string();
    std::ostringstream out;
    std::ostringstream err;
    int status = runner::approve(request, out, err);
    said = out.str() + err.str();
    return status;
  }
  std::vector<Approval> approvals() const {
    Expected<std::vector<Approval>> loaded =
        load_approvals((dir.path() / "migrations" / kApprovalsFileName).string());
    EXPECT_TRUE(loaded);
    return loaded ? *loaded : std::vector<Approval>{};
  }
};

std::vector<std::string> rules_of(const std::vector<Approval>& approvals) {
  std::vector<std::string> rules;
  for (const Approval& approval : approvals) {
    rules.push_back(approval.rule);
  }
  return rules;
}

TEST(ApproveMany, SeveralRulesAtOnce) {
  Project project;
  std::string said;
  ASSERT_EQ(project.approve({"ban-drop-column", "renaming-column"}, false, said), 0) << said;
  EXPECT_NE(said.find("approved ban-drop-column, renaming-column in 0001_contract.sql"), std::string::npos)
      << said;
  EXPECT_EQ(rules_of(project.approvals()), (std::vector<std::string>{"ban-drop-column", "renaming-column"}));
  // Then `lint` shows nothing left to review.
  CliRun lint = run_miglint_in(project.dir.path(),
                               "lint migrations --ignore require-lock-timeout,require-statement-timeout");
  EXPECT_EQ(lint.status, 0) << lint.out;
}

TEST(ApproveMany, AllFindingsWithOneReason) {
  Project project;
  std::string said;
  ASSERT_EQ(project.approve({}, true, said), 0) << said;
  std::vector<Approval> approvals = project.approvals();
  // Exactly what run would refuse the file for: run wraps it in one transaction, where the rename
  // runs under the DROP COLUMN's ACCESS EXCLUSIVE lock.
  EXPECT_EQ(rules_of(approvals), (std::vector<std::string>{"ban-drop-column", "renaming-column",
                                                           "statements-after-access-exclusive"}));
  for (const Approval& approval : approvals) {
    EXPECT_EQ(approval.reason, "reviewed in CR-7");
  }
  // Nothing needs an approval any more: a second --all-findings is refused, nothing written.
  EXPECT_EQ(project.approve({}, true, said), 1);
  EXPECT_NE(said.find("no finding needs an approval"), std::string::npos) << said;
}

TEST(ApproveMany, RuleWithoutFindingRefusesEverything) {
  Project project;
  std::string said;
  EXPECT_EQ(project.approve({"ban-drop-column", "ban-drop-table"}, false, said), 1);
  EXPECT_NE(said.find("0001_contract.sql has no finding of ban-drop-table"), std::string::npos) << said;
  EXPECT_FALSE(fs::exists(project.dir.path() / "migrations" / kApprovalsFileName)) << "nothing is written";
}

TEST(ApproveMany, UsageErrors) {
  Project project;
  std::string said;
  EXPECT_EQ(project.approve({}, false, said), 2);
  EXPECT_EQ(project.approve({"ban-drop-column"}, true, said), 2);
  EXPECT_EQ(project.approve({"no-such-rule"}, false, said), 2);
  EXPECT_EQ(project.approve({"prefer-timestamp-tz"}, false, said), 2);
  EXPECT_NE(said.find("squawk's name for `prefer-timestamptz`"), std::string::npos) << said;
}

// The command line: --rule A,B and a repeated --rule, through miglint (handed to miglint-runner).
TEST(ApproveMany, CommaSeparatedOnTheCommandLine) {
  Project project;
  CliRun run = run_miglint_in(project.dir.path(),
                              "approve migrations/0001_contract.sql --rule ban-drop-column,renaming-column "
                              "--reason ok --by tester 2>&1");
  EXPECT_EQ(run.status, 0) << run.out;
  EXPECT_EQ(project.approvals().size(), 2U);
}

void git(const fs::path& dir, const std::string& args) {
  std::string command = "cd '" + dir.string() +
                        "' && git -c user.name=t -c user.email=t@t -c commit.gpgsign=false " + args +
                        " >/dev/null 2>&1";
  ASSERT_EQ(std::system(command.c_str()), 0) << command;
}

TEST(ApprovalsCheck, StaleGoneAndNoFinding) {
  Project project;
  fs::path root = project.dir.path();
  git(root, "init -q");
  git(root, "add -A");
  git(root, "commit -q -m first");
  std::string said;
  ASSERT_EQ(project.approve({"ban-drop-column", "renaming-column"}, false, said), 0) << said;
  CliRun clean = run_miglint_in(root, "approvals --check migrations");
  EXPECT_EQ(clean.status, 0) << clean.out;
  EXPECT_NE(clean.out.find("Every approval matches a finding."), std::string::npos) << clean.out;

  // An approval of a file that is gone, and one for a rule the file does not report.
  std::vector<Approval> approvals = project.approvals();
  approvals.push_back(
      Approval{"0000_gone.sql", approvals[0].sha256, "ban-drop-table", "r", "t", "2026-01-01", ""});
  approvals.push_back(
      Approval{"0001_contract.sql", approvals[0].sha256, "ban-drop-table", "r", "t", "2026-01-01", ""});
  ASSERT_TRUE(save_approvals((root / "migrations" / kApprovalsFileName).string(), approvals));
  CliRun nothing = run_miglint_in(root, "approvals --check migrations");
  EXPECT_EQ(nothing.status, 1) << nothing.out;
  EXPECT_NE(nothing.out.find("approval of ban-drop-table in 0000_gone.sql matches nothing: the file is gone"),
            std::string::npos)
      << nothing.out;
  EXPECT_NE(nothing.out.find("approval of ban-drop-table in 0001_contract.sql matches nothing: "
                             "0001_contract.sql has no finding of ban-drop-table"),
            std::string::npos)
      << nothing.out;

  // The file is edited and committed: every approval of it is stale, with where its checksum is in git.
  approvals.erase(approvals.begin() + 2, approvals.end());
  ASSERT_TRUE(save_approvals((root / "migrations" / kApprovalsFileName).string(), approvals));
  project.dir.write("migrations/0001_contract.sql", std::string(kMigration) + "-- reviewed\n");
  git(root, "commit -q -am second");
  CliRun stale = run_miglint_in(root, "approvals --check");  // default: ./migrations
  EXPECT_EQ(stale.status, 1) << stale.out;
  EXPECT_NE(
      stale.out.find("approval of renaming-column in 0001_contract.sql is stale: approved at checksum " +
                     approvals[0].sha256.substr(0, 12)),
      std::string::npos)
      << stale.out;
  EXPECT_NE(stale.out.find("which is the file as of commit "), std::string::npos) << stale.out;
  EXPECT_NE(stale.out.find("; changed since by "), std::string::npos) << stale.out;
  EXPECT_NE(stale.out.find("2 approvals approve nothing."), std::string::npos) << stale.out;

  // `lint` notes them on stderr without changing its exit status.
  CliRun lint =
      run_miglint_in(root, "lint migrations --ignore require-lock-timeout,require-statement-timeout 2>&1");
  EXPECT_EQ(lint.status, 1) << lint.out;  // the findings are unapproved again
  EXPECT_NE(lint.out.find("miglint: note: "), std::string::npos) << lint.out;
  EXPECT_NE(lint.out.find("is stale"), std::string::npos) << lint.out;
}

TEST(ApprovalsCheck, NoApprovalsFileIsClean) {
  TempDir dir("miglint-approve");
  dir.write("migrations/0001_x.sql", "SELECT 1;\n");
  CliRun run = run_miglint_in(dir.path(), "approvals --check migrations");
  EXPECT_EQ(run.status, 0) << run.out;
  EXPECT_EQ(run_miglint_in(dir.path(), "approvals").status, 2);
  EXPECT_EQ(run_miglint_in(dir.path(), "approvals --check nowhere").status, 2);
}

}  // namespace
