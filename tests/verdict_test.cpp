// One verdict for `lint` and `run` (issue 21), without a server: `lint` honours miglint.approvals.toml
// (approved findings are suppressed, SARIF says "external" with the approval's reason, a stale
// approval approves nothing), and with a [run] table in miglint.toml it judges migrations as `run`
// vets them (the runner's transaction mode, destructive rules always on, ignores need a reason,
// advice for findings the runner's wrapping causes). `locks` and `lint` read the same settings.
// The agreement of `lint` with `plan` against a server: verdict_pg_test.cpp.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "analyzer/model/fact_reading.hpp"
#include "tests/cli_support.hpp"

namespace fs = std::filesystem;
using miglint::cli_support::CliRun;
using miglint::cli_support::run_miglint_in;
using miglint::cli_support::TempDir;

namespace {

std::size_t count_of(const std::string& text, const std::string& what) {
  std::size_t count = 0;
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) {
    ++count;
  }
  return count;
}

// A copy of the shipped examples (with their approvals) in `dir`/migrations.
void copy_examples(const TempDir& dir) {
  fs::copy(fs::path(MIGLINT_SOURCE_DIR) / "examples" / "migrations", dir.path() / "migrations",
           fs::copy_options::recursive);
}

TEST(LintHonoursApprovals, ShippedExamplesShowOnlyWhatNoApprovalCovers) {
  TempDir dir("miglint-verdict");
  copy_examples(dir);
  CliRun run = run_miglint_in(dir.path(), "lint migrations");
  EXPECT_EQ(run.status, 1) << run.out;
  // The approved findings are gone; the timeout rules remain: nothing tells `lint` that miglint
  // run applies these files (no [run] table), so nothing sets the timeouts.
  for (const char* approved : {"require-concurrent-index-creation", "renaming-column", "mixed-ddl-and-dml",
                               "unbatched-update", "statements-after-access-exclusive", "ban-drop-table"}) {
    EXPECT_EQ(run.out.find(approved), std::string::npos) << approved << "\n" << run.out;
  }
  EXPECT_EQ(count_of(run.out, "[require-lock-timeout]"), 2U) << run.out;
  EXPECT_EQ(count_of(run.out, "[require-statement-timeout]"), 2U) << run.out;
  EXPECT_NE(run.out.find("Found 4 problems (0 errors, 4 warnings, 0 notes) in 6 files."), std::string::npos)
      << run.out;
  EXPECT_NE(run.out.find("Not shown: 6 approved in miglint.approvals.toml, 1 silenced by ignore comments."),
            std::string::npos)
      << run.out;
}

TEST(LintHonoursApprovals, WithARunTableTheExamplesPassAsRunWouldApplyThem) {
  TempDir dir("miglint-verdict");
  copy_examples(dir);
  dir.write("miglint.toml", "[run]\nmigrations = \"migrations\"\n");
  CliRun run = run_miglint_in(dir.path(), "lint migrations");
  EXPECT_EQ(run.status, 0) << run.out;
  EXPECT_NE(run.out.find("No problems found in 6 files."), std::string::npos) << run.out;
  // 006 runs wrapped: its statements-after-access-exclusive fires and is approved too.
  EXPECT_NE(run.out.find("Not shown: 7 approved in miglint.approvals.toml, 1 silenced by ignore comments."),
            std::string::npos)
      << run.out;
  // With the statement timeout switched off in [run], the runner no longer sets it: vetting asks for it.
  dir.write("miglint.toml", "[run]\nmigrations = \"migrations\"\nstatement_timeout = \"none\"\n");
  run = run_miglint_in(dir.path(), "lint migrations");
  EXPECT_EQ(run.status, 1) << run.out;
  EXPECT_EQ(count_of(run.out, "[require-statement-timeout]"), 2U) << run.out;
  EXPECT_EQ(count_of(run.out, "[require-lock-timeout]"), 0U) << run.out;
}

TEST(LintHonoursApprovals, SarifMarksApprovedFindingsExternalWithTheReason) {
  TempDir dir("miglint-verdict");
  copy_examples(dir);
  CliRun run = run_miglint_in(dir.path(), "lint --format sarif --include-suppressed migrations");
  EXPECT_EQ(run.status, 1) << run.out;
  nlohmann::json sarif = nlohmann::json::parse(run.out);
  std::size_t external = 0;
  std::size_t in_source = 0;
  for (const nlohmann::json& result : sarif["runs"][0]["results"]) {
    if (!result.contains("suppressions")) {
      continue;
    }
    const nlohmann::json& suppression = result["suppressions"][0];
    if (suppression["kind"] == "external") {
      ++external;
      if (result["ruleId"] == "ban-drop-table") {
        EXPECT_EQ(suppression["justification"],
                  "legacy_sessions has been unused since release 2.4 (review #142)");
      }
    } else {
      EXPECT_EQ(suppression["kind"], "inSource");
      EXPECT_EQ(result["ruleId"], "ban-drop-column");
      EXPECT_EQ(suppression["justification"], "unused since release 2.4, approved in review #142");
      ++in_source;
    }
  }
  EXPECT_EQ(external, 6U) << run.out;
  EXPECT_EQ(in_source, 1U) << run.out;
}

TEST(LintHonoursApprovals, AnApprovalForOlderContentsApprovesNothingAndSaysSo) {
  TempDir dir("miglint-verdict");
  copy_examples(dir);
  std::ofstream(dir.path() / "migrations" / "002_index_created_at.sql", std::ios::app) << "-- edited\n";
  CliRun run = run_miglint_in(dir.path(), "lint migrations/002_index_created_at.sql");
  EXPECT_EQ(run.status, 1) << run.out;
  EXPECT_NE(run.out.find("[require-concurrent-index-creation]"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("approves require-concurrent-index-creation here for older contents of the file, "
                         "sha256 80e85939f43d"),
            std::string::npos)
      << run.out;
}

TEST(LintHonoursApprovals, AMalformedApprovalsFileIsOneLocatedErrorAndExit2) {
  TempDir dir("miglint-verdict");
  dir.write("migrations/001_a.sql", "CREATE TABLE a (id bigint);\n");
  dir.write("migrations/002_b.sql", "CREATE TABLE b (id bigint);\n");
  dir.write("migrations/miglint.approvals.toml", "[[approval]]\nfile = \"001_a.sql\"\nwho = \"x\"\n");
  CliRun run = run_miglint_in(dir.path(), "lint migrations 2>&1");
  EXPECT_EQ(run.status, 2) << run.out;
  EXPECT_EQ(count_of(run.out, "miglint.approvals.toml:3:7: unknown key `who`"), 1U) << run.out;
}

// A file that passes plain lint but that `run` wraps in one transaction: the finding comes from the
// wrapping, and the message says how to fix the file, not only how to approve it.
TEST(LintVetsAsRunDoes, WrappingCausedFindingSaysHowToFixTheFile) {
  TempDir dir("miglint-verdict");
  dir.write("migrations/001_t.sql", "CREATE TABLE t (id bigint PRIMARY KEY, c int);\n");
  dir.write("migrations/002_check.sql",
            "ALTER TABLE t ADD CONSTRAINT c_positive CHECK (c > 0) NOT VALID;\n"
            "ALTER TABLE t VALIDATE CONSTRAINT c_positive;\n");
  CliRun plain =
      run_miglint_in(dir.path(), "lint --ignore require-lock-timeout,require-statement-timeout migrations");
  EXPECT_EQ(plain.status, 0) << plain.out;

  dir.write("miglint.toml", "[run]\nmigrations = \"migrations\"\n");
  CliRun vetted = run_miglint_in(dir.path(), "lint migrations");
  EXPECT_EQ(vetted.status, 1) << vetted.out;
  EXPECT_NE(vetted.out.find("[validate-in-same-transaction]"), std::string::npos) << vetted.out;
  EXPECT_NE(
      vetted.out.find("this comes from the transaction miglint run wraps the whole file in: split the file "
                      "(VALIDATE CONSTRAINT in a migration after the one that adds the constraint NOT "
                      "VALID), or, where the statements need not commit together, start it with `-- "
                      "miglint-no-transaction`"),
      std::string::npos)
      << vetted.out;
  // The timeout rules stay off: the runner sets both timeouts by default.
  EXPECT_EQ(vetted.out.find("require-lock-timeout"), std::string::npos) << vetted.out;

  // The advice works: unwrapped, the file passes both.
  dir.write("migrations/002_check.sql",
            "-- miglint-no-transaction\n"
            "ALTER TABLE t ADD CONSTRAINT c_positive CHECK (c > 0) NOT VALID;\n"
            "ALTER TABLE t VALIDATE CONSTRAINT c_positive;\n");
  vetted = run_miglint_in(dir.path(), "lint migrations");
  EXPECT_EQ(vetted.status, 0) << vetted.out;
}

TEST(LintVetsAsRunDoes, IgnoreWithoutAReasonAndDestructiveRulesTurnedOffStillFail) {
  TempDir dir("miglint-verdict");
  dir.write("migrations/001_t.sql",
            "CREATE TABLE t (id bigint PRIMARY KEY, c bigint);\nCREATE TABLE u (id bigint);\n");
  dir.write("migrations/002_drop_c.sql", "-- miglint-ignore ban-drop-column\nALTER TABLE t DROP COLUMN c;\n");
  dir.write("migrations/003_drop_u.sql", "DROP TABLE u;\n");
  dir.write("miglint.toml",
            "ignore = [\"require-lock-timeout\", \"require-statement-timeout\"]\n"
            "[rules.ban-drop-table]\nseverity = \"off\"\n");
  CliRun plain = run_miglint_in(dir.path(), "lint migrations");
  EXPECT_EQ(plain.status, 0) << plain.out;

  dir.write("miglint.toml",
            "ignore = [\"require-lock-timeout\", \"require-statement-timeout\"]\n"
            "[rules.ban-drop-table]\nseverity = \"off\"\n[run]\n");
  CliRun vetted = run_miglint_in(dir.path(), "lint --format json migrations");
  EXPECT_EQ(vetted.status, 1) << vetted.out;
  nlohmann::json json = nlohmann::json::parse(vetted.out);
  std::vector<std::string> seen;
  for (const nlohmann::json& finding : json["findings"]) {
    seen.push_back(finding["path"].get<std::string>() + " " + finding["rule"].get<std::string>());
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"migrations/002_drop_c.sql ban-drop-column",
                                            "migrations/003_drop_u.sql ban-drop-table"}))
      << vetted.out;
  EXPECT_NE(vetted.out.find("add the reason"), std::string::npos) << vetted.out;
}

TEST(LintVetsAsRunDoes, OnlyMigrationsRunAppliesAreVetted) {
  TempDir dir("miglint-verdict");
  dir.write("migrations/001_t.sql", "CREATE TABLE t (id bigint PRIMARY KEY, c bigint);\n");
  dir.write("migrations/002_drop_c.up.sql",
            "-- miglint-ignore ban-drop-column\nALTER TABLE t DROP COLUMN c;\n");
  // A down migration and a file outside the configured directory are linted as usual.
  dir.write("migrations/002_drop_c.down.sql",
            "-- miglint-ignore ban-drop-column\nALTER TABLE t DROP COLUMN c;\n");
  dir.write("other/001_drop_c.sql", "-- miglint-ignore ban-drop-column\nALTER TABLE t DROP COLUMN c;\n");
  dir.write("miglint.toml",
            "ignore = [\"require-lock-timeout\", \"require-statement-timeout\"]\n[run]\nmigrations = "
            "\"migrations\"\n");
  CliRun run = run_miglint_in(dir.path(), "lint --format json migrations other");
  EXPECT_EQ(run.status, 1) << run.out;
  nlohmann::json json = nlohmann::json::parse(run.out);
  ASSERT_EQ(json["findings"].size(), 1U) << run.out;
  EXPECT_EQ(json["findings"][0]["path"], "migrations/002_drop_c.up.sql") << run.out;
}

// `locks` reads miglint.toml as `lint` does: with pg_version = 11, ATTACH PARTITION locks the parent
// ACCESS EXCLUSIVE in both.
TEST(LocksAndLintShareSettings, PgVersionFromTheConfigDecidesAttachPartitionsParentLock) {
  TempDir dir("miglint-verdict");
  dir.write("m/001_attach.sql",
            "ALTER TABLE measurements ATTACH PARTITION measurements_2019 FOR VALUES FROM ('2019-01-01') TO "
            "('2020-01-01');\n");
  auto parent_lock_in_locks = [&]() {
    CliRun run = run_miglint_in(dir.path(), "locks --format json m/001_attach.sql");
    EXPECT_EQ(run.status, 0) << run.out;
    nlohmann::json json = nlohmann::json::parse(run.out);
    for (const nlohmann::json& relation : json["files"][0]["statements"][0]["relations"]) {
      if (relation["name"] == "public.measurements") {
        return relation["lock"].get<std::string>();
      }
    }
    return std::string("none");
  };
  auto parent_lock_in_lint = [&]() {
    CliRun run = run_miglint_in(dir.path(), "lint --format json --select attach-partition-without-check m");
    nlohmann::json json = nlohmann::json::parse(run.out);
    EXPECT_EQ(json["findings"].size(), 1U) << run.out;
    std::string message = json["findings"][0]["message"];
    std::string marker = "(and ";
    std::size_t at = message.find(marker);
    std::size_t on = message.find(" on \"measurements\")");
    return at == std::string::npos || on == std::string::npos
               ? message
               : message.substr(at + marker.size(), on - at - marker.size());
  };
  EXPECT_EQ(parent_lock_in_locks(), "SHARE UPDATE EXCLUSIVE");
  EXPECT_EQ(parent_lock_in_lint(), "SHARE UPDATE EXCLUSIVE");
  dir.write("miglint.toml", "pg_version = 11\n");
  EXPECT_EQ(parent_lock_in_locks(), "ACCESS EXCLUSIVE");
  EXPECT_EQ(parent_lock_in_lint(), "ACCESS EXCLUSIVE");
  // The flag wins over the file, in both.
  CliRun locks = run_miglint_in(dir.path(), "locks --pg-version 12 m/001_attach.sql");
  EXPECT_NE(locks.out.find("public.measurements SHARE UPDATE EXCLUSIVE"), std::string::npos) << locks.out;
}

TEST(LocksAndLintShareSettings, OverridesAssumeInTransactionForLocks) {
  TempDir dir("miglint-verdict");
  dir.write("db/diesel/001_x/up.sql", "ALTER TABLE a ADD COLUMN b int;\nALTER TABLE c ADD COLUMN d int;\n");
  CliRun run = run_miglint_in(dir.path(), "locks db/diesel/001_x/up.sql");
  // Unwrapped: each statement holds only its own lock.
  EXPECT_NE(run.out.find("[held: public.c ACCESS EXCLUSIVE]"), std::string::npos) << run.out;
  dir.write("miglint.toml", "[[overrides]]\npaths = [\"db/diesel/**\"]\nassume_in_transaction = true\n");
  run = run_miglint_in(dir.path(), "locks db/diesel/001_x/up.sql");
  EXPECT_NE(run.out.find("[held: public.a ACCESS EXCLUSIVE, public.c ACCESS EXCLUSIVE]"), std::string::npos)
      << run.out;
}

}  // namespace

// Applied migrations are read for their schema facts only: a lighter reading that parses only the
// statements that can teach one.
namespace {

TEST(LighterFactReading, KeepsOnlyStatementsThatCanTeachAFact) {
  miglint::SourceFile source("m/001_seed.sql",
                             "SET lock_timeout = '1s';\n"
                             "CREATE TABLE t (id bigint, name varchar(20));\n"
                             "INSERT INTO t VALUES (1, 'a;b'), (2, $$c;d$$);\n"
                             "-- a comment; with a semicolon\n"
                             "alter table t add column note text;\n"
                             "COPY t FROM '/dev/null';\n"
                             "DROP INDEX IF EXISTS t_idx;\n"
                             "UPDATE t SET name = 'x'");
  std::optional<miglint::SourceFile> lighter = miglint::fact_statements_only(source);
  ASSERT_TRUE(lighter);
  EXPECT_EQ(lighter->path(), "m/001_seed.sql");
  EXPECT_EQ(std::string(lighter->text()),
            "CREATE TABLE t (id bigint, name varchar(20));\n"
            "alter table t add column note text;\n"
            "DROP INDEX IF EXISTS t_idx;\n");
  // Read whole: nothing to leave out, dbmate sections, BEGIN ATOMIC bodies.
  EXPECT_FALSE(miglint::fact_statements_only(miglint::SourceFile("a.sql", "CREATE TABLE a (id int);\n")));
  EXPECT_FALSE(miglint::fact_statements_only(
      miglint::SourceFile("a.sql", "-- migrate:up\nCREATE TABLE a (id int);\nINSERT INTO a VALUES (1);\n")));
  EXPECT_FALSE(miglint::fact_statements_only(
      miglint::SourceFile("a.sql",
                          "INSERT INTO a VALUES (1);\nCREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN "
                          "ATOMIC SELECT 1; END;\n")));
}

// A file lints the same whether its history is read lightly (--with-history: earlier files for
// their facts only) or whole (every file reported): the facts are the same.
TEST(LighterFactReading, LintWithHistoryMatchesLintingTheWholeSet) {
  TempDir dir("miglint-verdict");
  std::string seed =
      "CREATE TABLE accounts (id bigint PRIMARY KEY, code varchar(20), n int);\n"
      "ALTER TABLE accounts ADD CONSTRAINT n_set CHECK (n IS NOT NULL) NOT VALID;\n"
      "ALTER TABLE accounts VALIDATE CONSTRAINT n_set;\n";
  for (int i = 0; i < 2000; ++i) {
    seed += "INSERT INTO accounts VALUES (" + std::to_string(i) + ", 'c;" + std::to_string(i) + "', 1);\n";
  }
  dir.write("m/001_seed.sql", seed);
  dir.write("m/002_widen.sql",
            "ALTER TABLE accounts ALTER COLUMN code TYPE varchar(50);\n"
            "ALTER TABLE accounts ALTER COLUMN n SET NOT NULL;\n"
            "ALTER TABLE accounts ALTER COLUMN id TYPE int;\n");
  CliRun whole = run_miglint_in(dir.path(), "lint --format json --jobs 1 m");
  CliRun history = run_miglint_in(dir.path(), "lint --format json --with-history m/002_widen.sql");
  nlohmann::json whole_json = nlohmann::json::parse(whole.out);
  nlohmann::json history_json = nlohmann::json::parse(history.out);
  nlohmann::json whole_002 = nlohmann::json::array();
  for (const nlohmann::json& finding : whole_json["findings"]) {
    if (finding["path"] == "m/002_widen.sql") {
      whole_002.push_back(finding);
    }
  }
  EXPECT_EQ(whole_002, history_json["findings"]) << whole.out << "\n" << history.out;
  // The facts did reach 002: widening a varchar and SET NOT NULL after a validated CHECK are free,
  // the int change rewrites.
  std::string text = history_json["findings"].dump();
  EXPECT_NE(text.find("changing-column-type"), std::string::npos) << text;
  EXPECT_EQ(text.find("\"adding-not-nullable-field\""), std::string::npos) << text;
  EXPECT_EQ(count_of(text, "\"changing-column-type\""), 1U) << text;
}

}  // namespace
