// SARIF output: every document miglint writes passes the SARIF 2.1.0 schema and GitHub's extra
// checks (../shared/tools/sarif/validate-sarif), and fingerprints follow statements, not lines.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "analyzer/cpp/front_end_process.hpp"
#include "analyzer/engine/linter.hpp"
#include "analyzer/project/discover.hpp"
#include "rules/registry.hpp"
#include "sarif/sarif_report.hpp"
#include "tests/cli_support.hpp"
#include "tests/fixture_support.hpp"

namespace fs = std::filesystem;
using namespace miglint;
using cli_support::CliRun;
using cli_support::run_miglint_in;
using cli_support::TempDir;
using Json = nlohmann::json;

namespace {

const fs::path kSource = MIGLINT_SOURCE_DIR;
const fs::path kFixtures = kSource / "fixtures";
const fs::path kValidator = MIGLINT_SARIF_VALIDATOR;

// The timeout and transaction rules add findings to every DDL statement; they have fixtures of
// their own.
const std::string kQuiet =
    " --ignore require-lock-timeout,require-statement-timeout,statements-after-access-exclusive,"
    "mixed-ddl-and-dml ";

Json parse(const CliRun& run) {
  try {
    return Json::parse(run.out);
  } catch (const Json::exception& error) {
    ADD_FAILURE() << "not JSON (" << error.what() << "):\n" << run.out;
    return Json::object();
  }
}

const Json& only_run(const Json& sarif) {
  static const Json kEmpty = Json::object();
  if (!sarif.contains("runs") || sarif["runs"].size() != 1) {
    ADD_FAILURE() << "expected exactly one run";
    return kEmpty;
  }
  return sarif["runs"][0];
}

std::vector<std::string> fingerprints(const Json& sarif, const std::string& rule) {
  std::vector<std::string> prints;
  for (const Json& result : only_run(sarif)["results"]) {
    if (result["ruleId"] == rule) {
      prints.push_back(result["partialFingerprints"]["primaryLocationLineHash"]);
    }
  }
  return prints;
}

// Lints a fixture as the fixture runner does (its rules, its options) and writes SARIF with
// suppressed findings included, URIs relative to the source tree.
std::string fixture_sarif(const fs::path& fixture, const std::string& rule_dir) {
  std::vector<fixtures::Fixture> files = fixtures::fixture_files(fixture);
  RuleSet rules(all_rules(), fixtures::fixture_rule_selection(rule_dir, files), {});
  LintOptions options = files.front().options;
  for (const auto& file : files) {
    if (file.text.find("-- fixture:") != std::string::npos) {
      options = file.options;
      break;
    }
  }
  options.jobs = 1;
  options.statement_keys = true;
  DiscoveredInputs discovered = discover_inputs({fixture.string()}, "stdin.sql");
  std::ostringstream out;
  std::unique_ptr<Reporter> reporter = make_sarif_reporter(out, rules, SarifOptions{kSource, true});
  RunSummary summary;
  lint_inputs(discovered.inputs, options, rules, [&](FileResult&& result) {
    ++summary.files;
    reporter->file(result);
  });
  reporter->finish(summary);
  return out.str();
}

std::string shell_quote(const std::string& text) {
  std::string quoted = "'";
  for (char c : text) {
    quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  }
  return quoted + "'";
}

}  // namespace

// Writes a document per fires-* fixture of every rule, plus an empty run, a syntax error,
// suppressions and unreadable files, and runs the validator once over all of them.
TEST(SarifDocuments, AllPassTheValidator) {
  TempDir out("miglint-sarif-docs");
  std::vector<fs::path> documents;
  std::size_t fixtures_written = 0;
  for (const Rule& rule : all_rules()) {
    std::string id(rule.id);
    // The C++ front end's rules have C++ fixtures: those that expect the rule.
    bool cpp_rule = rule.has_tag("cpp");
    if (cpp_rule && !cpp::clang_front_end_available(nullptr)) {
      continue;  // built without Clang: no C++ front end to produce these findings
    }
    if (rule.has_tag("alembic")) {
      // The Alembic front end's rules fire in the sample projects (fixtures/alembic), which need a
      // Python with Alembic; tests/alembic_test.cpp checks their SARIF regions.
      continue;
    }
    if (rule.has_tag("trace")) {
      continue;  // `miglint trace` reports them on a server: tests/trace_pg_test.cpp validates its SARIF
    }
    fs::path dir = cpp_rule ? kFixtures / "cpp" : kFixtures / id;
    ASSERT_TRUE(fs::is_directory(dir)) << dir;
    std::vector<fs::path> fires;
    for (const auto& entry : fs::directory_iterator(dir)) {
      if (cpp_rule ? entry.path().extension() == ".cpp" &&
                         fixtures::read_fixture(entry.path().string()).text.find("expect: " + id) !=
                             std::string::npos
                   : entry.path().filename().string().starts_with("fires-") &&
                         (entry.is_directory() || entry.path().extension() == ".sql")) {  // not a .snap
        fires.push_back(entry.path());
      }
    }
    std::sort(fires.begin(), fires.end());
    EXPECT_FALSE(fires.empty()) << id << " has no fires-* fixture";
    for (const fs::path& fixture : fires) {
      std::string sarif = fixture_sarif(fixture, id);
      Json json = Json::parse(sarif);
      bool fired = false;
      for (const Json& result : only_run(json)["results"]) {
        fired = fired || result["ruleId"] == id;
      }
      EXPECT_TRUE(fired) << fixture << ": no " << id << " result";
      documents.push_back(out.write(id + "." + fixture.stem().string() + ".sarif", sarif));
      ++fixtures_written;
    }
  }
  EXPECT_GE(fixtures_written, all_rules().size());

  TempDir work("miglint-sarif-cli");
  work.write("clean.sql", "CREATE TABLE t (id bigint);\n");
  work.write("broken.sql", "SELECT 'é' x x;\nDROP TABLE t;\nSELECT 'open");
  work.write("approved.sql",
             "-- miglint-ignore ban-drop-table -- reviewed in #142\nDROP TABLE users;\n"
             "DROP TABLE sessions; -- miglint-ignore ban-drop-table\nDROP TABLE audit;\n");
  work.write("binary.sql", std::string("\x89PNG\r\n\x1a\n\0\0\0", 11));
  struct Case {
    std::string name;
    std::string args;
    int status;
  };
  for (const Case& c : {Case{"empty", "clean.sql", 0}, Case{"syntax-error", "broken.sql", 1},
                        Case{"suppressed", "--include-suppressed approved.sql", 1},
                        Case{"unreadable", "binary.sql missing.sql clean.sql", 2},
                        Case{"all-rules", "--include-suppressed clean.sql broken.sql approved.sql", 1}}) {
    CliRun run = run_miglint_in(work.path(), "lint --format sarif " + c.args);
    EXPECT_EQ(run.status, c.status) << c.name;
    documents.push_back(out.write("cli-" + c.name + ".sarif", run.out));
  }

  if (!fs::exists(kValidator)) {
    GTEST_SKIP()
        << "SARIF validator not found at " << kValidator
        << " (../shared is present beside CI's clone only); the documents were written but not validated";
  }
  std::string command = shell_quote(kValidator.string());
  for (const fs::path& document : documents) {
    command += " " + shell_quote(document.string());
  }
  CliRun validation;
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::array<char, 4096> buffer{};
  while (std::size_t n = fread(buffer.data(), 1, buffer.size(), pipe)) {
    validation.out.append(buffer.data(), n);
  }
  int status = pclose(pipe);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << validation.out;
  EXPECT_EQ(static_cast<std::size_t>(std::count(validation.out.begin(), validation.out.end(), '\n')),
            documents.size())
      << validation.out;
}

TEST(Sarif, RunDescribesToolAndEnabledRules) {
  TempDir dir("miglint-sarif");
  dir.write("clean.sql", "CREATE TABLE t (id bigint);\n");
  CliRun run =
      run_miglint_in(dir.path(), "lint --format sarif --select ban-drop-table,unbatched-update clean.sql");
  EXPECT_EQ(run.status, 0);
  Json sarif = parse(run);
  EXPECT_EQ(sarif["version"], "2.1.0");
  const Json& r = only_run(sarif);
  ASSERT_TRUE(r["results"].is_array());  // present even when empty
  EXPECT_TRUE(r["results"].empty());
  EXPECT_EQ(r["columnKind"], "unicodeCodePoints");
  EXPECT_EQ(r["invocations"][0]["executionSuccessful"], true);
  const Json& driver = r["tool"]["driver"];
  EXPECT_EQ(driver["name"], "miglint");
  EXPECT_TRUE(driver["version"].is_string());
  EXPECT_EQ(driver["semanticVersion"], driver["version"]);
  EXPECT_FALSE(driver.contains("informationUri"));
  // The enabled rules: the two selected, and syntax-error, which cannot be switched off.
  std::vector<std::string> ids;
  for (const Json& rule : driver["rules"]) {
    ids.push_back(rule["id"]);
    EXPECT_FALSE(rule.contains("helpUri"));
    EXPECT_FALSE(rule["shortDescription"]["text"].get<std::string>().empty());
    EXPECT_FALSE(rule["fullDescription"]["text"].get<std::string>().empty());
    EXPECT_NE(rule["help"]["markdown"].get<std::string>().find("## Safe alternative"), std::string::npos);
    EXPECT_EQ(rule["help"]["text"], rule["help"]["markdown"]);
    EXPECT_TRUE(rule["properties"]["precision"] == "high" || rule["properties"]["precision"] == "very-high");
    EXPECT_FALSE(rule["properties"].contains("security-severity"));
  }
  std::sort(ids.begin(), ids.end());
  EXPECT_EQ(ids, (std::vector<std::string>{"ban-drop-table", "syntax-error", "unbatched-update"}));
  for (const Json& rule : driver["rules"]) {
    const Json& tags = rule["properties"]["tags"];
    bool destructive = std::find(tags.begin(), tags.end(), "destructive") != tags.end();
    EXPECT_EQ(destructive, rule["id"] == "ban-drop-table") << rule["id"];
    if (rule["id"] == "ban-drop-table") {
      EXPECT_EQ(rule["name"], "BanDropTable");
      EXPECT_EQ(rule["fullDescription"]["text"],
                "Flags `DROP TABLE` when a table it names existed before the migration.");
    }
  }
}

TEST(Sarif, LevelsAndProblemSeverityFollowSeverity) {
  TempDir dir("miglint-sarif");
  // A note (unsupported-syntax), a warning (ban-drop-table) and an error (syntax-error). NOT VALID: the
  // PostgreSQL 18 statement is then a note only (without it, its scan is adding-not-nullable-field).
  dir.write("m.sql",
            "ALTER TABLE t ADD CONSTRAINT n NOT NULL c NOT VALID;\nDROP TABLE users;\nSELECT x x x;\n");
  CliRun run = run_miglint_in(dir.path(), "lint --format sarif" + kQuiet + "m.sql");
  EXPECT_EQ(run.status, 1);
  Json r_sarif = parse(run);
  const Json& r = only_run(r_sarif);
  std::map<std::string, std::string> levels;
  for (const Json& result : r["results"]) {
    levels[result["ruleId"]] = result["level"];
    const Json& rule = r["tool"]["driver"]["rules"][result["ruleIndex"].get<std::size_t>()];
    EXPECT_EQ(rule["id"], result["ruleId"]);
  }
  EXPECT_EQ(levels,
            (std::map<std::string, std::string>{
                {"unsupported-syntax", "note"}, {"ban-drop-table", "warning"}, {"syntax-error", "error"}}));
  using Levels = std::pair<std::string, std::string>;
  std::map<std::string, Levels> rules;
  for (const Json& rule : r["tool"]["driver"]["rules"]) {
    rules[rule["id"]] = {rule["defaultConfiguration"]["level"], rule["properties"]["problem.severity"]};
  }
  EXPECT_EQ(rules["unsupported-syntax"], Levels("note", "recommendation"));
  EXPECT_EQ(rules["ban-drop-table"], Levels("warning", "warning"));
  EXPECT_EQ(rules["syntax-error"], Levels("error", "error"));
}

TEST(Sarif, UrisAreRelativeToTheGitRoot) {
  TempDir repo("miglint-sarif-git");
  ASSERT_EQ(std::system(("git init -q " + shell_quote(repo.str())).c_str()), 0);
  repo.write("db/migrations/001 é.sql", "-- é\nALTER TABLE users RENAME COLUMN a TO b;\n");
  fs::create_directories(repo.path() / "tools");
  CliRun run = run_miglint_in(repo.path() / "tools", "lint --format sarif" + kQuiet + "../db/migrations");
  EXPECT_EQ(run.status, 1);
  Json r_sarif = parse(run);
  const Json& r = only_run(r_sarif);
  fs::path root = fs::canonical(repo.path());
  EXPECT_EQ(r["originalUriBaseIds"]["%SRCROOT%"]["uri"], "file://" + root.string() + "/");
  ASSERT_EQ(r["results"].size(), 1U);
  const Json& location = r["results"][0]["locations"][0]["physicalLocation"];
  EXPECT_EQ(location["artifactLocation"]["uri"], "db/migrations/001%20%C3%A9.sql");
  EXPECT_EQ(location["artifactLocation"]["uriBaseId"], "%SRCROOT%");
  EXPECT_EQ(location["region"],
            (Json{{"startLine", 2}, {"startColumn", 19}, {"endLine", 2}, {"endColumn", 39}}));
}

TEST(Sarif, OutsideGitUrisAreRelativeToTheCurrentDirectory) {
  TempDir dir("miglint-sarif-nogit");
  if (std::system(
          ("git -C " + shell_quote(dir.str()) + " rev-parse --show-toplevel >/dev/null 2>&1").c_str()) == 0) {
    GTEST_SKIP() << "the temp directory is inside a git work tree";
  }
  dir.write("m/001_x.sql", "DROP TABLE users;\n");
  CliRun run = run_miglint_in(dir.path(), "lint --format sarif" + kQuiet + dir.str() + "/m/001_x.sql");
  Json r_sarif = parse(run);
  const Json& r = only_run(r_sarif);
  EXPECT_EQ(r["originalUriBaseIds"]["%SRCROOT%"]["uri"],
            "file://" + fs::canonical(dir.path()).string() + "/");
  ASSERT_EQ(r["results"].size(), 1U);
  EXPECT_EQ(r["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], "m/001_x.sql");
}

TEST(Sarif, RelativeUrisArePercentEncoded) {
  EXPECT_EQ(relative_uri("/r/a b/ü:x#1?.sql", "/r"), "a%20b/%C3%BC%3Ax%231%3F.sql");
  EXPECT_EQ(relative_uri("/r/db/100%.sql", "/r/"), "db/100%25.sql");
  EXPECT_EQ(relative_uri("/elsewhere/x.sql", "/r"), "../elsewhere/x.sql");
  EXPECT_EQ(directory_file_uri("/r/my repo"), "file:///r/my%20repo/");
}

TEST(SarifFingerprints, StableWhenUnrelatedLinesAreAddedAbove) {
  TempDir dir("miglint-sarif");
  std::string statement = "ALTER TABLE users DROP COLUMN legacy;\n";
  dir.write("m.sql", statement);
  Json before = parse(run_miglint_in(dir.path(), "lint --format sarif --select ban-drop-column m.sql"));
  dir.write("m.sql", "-- a comment\nCREATE TABLE other (id bigint);\n\n\n" + statement);
  Json after = parse(run_miglint_in(dir.path(), "lint --format sarif --select ban-drop-column m.sql"));
  // Reformatted and re-commented, it is still the same statement.
  dir.write("m.sql", "ALTER TABLE users\n  DROP COLUMN /* old */ legacy;\n");
  Json reformatted = parse(run_miglint_in(dir.path(), "lint --format sarif --select ban-drop-column m.sql"));
  ASSERT_EQ(fingerprints(before, "ban-drop-column").size(), 1U);
  EXPECT_EQ(fingerprints(before, "ban-drop-column"), fingerprints(after, "ban-drop-column"));
  EXPECT_EQ(fingerprints(before, "ban-drop-column"), fingerprints(reformatted, "ban-drop-column"));
  EXPECT_NE(only_run(before)["results"][0]["locations"], only_run(after)["results"][0]["locations"]);
  // A different statement, or the same one in another file, is another alert.
  dir.write("m.sql", "ALTER TABLE users DROP COLUMN other;\n");
  Json other = parse(run_miglint_in(dir.path(), "lint --format sarif --select ban-drop-column m.sql"));
  EXPECT_NE(fingerprints(before, "ban-drop-column"), fingerprints(other, "ban-drop-column"));
  dir.write("n.sql", statement);
  Json moved = parse(run_miglint_in(dir.path(), "lint --format sarif --select ban-drop-column n.sql"));
  EXPECT_NE(fingerprints(before, "ban-drop-column"), fingerprints(moved, "ban-drop-column"));
}

TEST(SarifFingerprints, IdenticalStatementsAndSubcommandsDoNotCollide) {
  TempDir dir("miglint-sarif");
  dir.write("twice.sql", "DROP TABLE a;\nDROP TABLE a;\n");
  std::vector<std::string> twice =
      fingerprints(parse(run_miglint_in(dir.path(), "lint --format sarif --select ban-drop-table twice.sql")),
                   "ban-drop-table");
  ASSERT_EQ(twice.size(), 2U);
  EXPECT_NE(twice[0], twice[1]);
  dir.write("both.sql", "ALTER TABLE t DROP COLUMN a, DROP COLUMN b;\n");
  std::vector<std::string> both =
      fingerprints(parse(run_miglint_in(dir.path(), "lint --format sarif --select ban-drop-column both.sql")),
                   "ban-drop-column");
  ASSERT_EQ(both.size(), 2U);
  EXPECT_NE(both[0], both[1]);
  // Two identical unused ignore comments are two alerts as well.
  dir.write("ignores.sql",
            "-- miglint-ignore no-such-rule\nSELECT 1;\n-- miglint-ignore no-such-rule\nSELECT 2;\n");
  std::vector<std::string> ignores = fingerprints(
      parse(run_miglint_in(dir.path(), "lint --format sarif --select unused-ignore ignores.sql")),
      "unused-ignore");
  ASSERT_EQ(ignores.size(), 2U);
  EXPECT_NE(ignores[0], ignores[1]);
}

TEST(SarifSuppressions, LeftOutByDefaultAndMarkedWithIncludeSuppressed) {
  TempDir dir("miglint-sarif");
  dir.write("m.sql",
            "-- miglint-ignore ban-drop-table -- reviewed in #142\nDROP TABLE users;\n"
            "DROP TABLE sessions; -- miglint-ignore ban-drop-table\nDROP TABLE audit;\n");
  CliRun plain = run_miglint_in(dir.path(), "lint --format sarif --select ban-drop-table m.sql");
  CliRun with =
      run_miglint_in(dir.path(), "lint --format sarif --select ban-drop-table --include-suppressed m.sql");
  EXPECT_EQ(plain.status, 1);
  EXPECT_EQ(with.status, 1);
  Json p_sarif = parse(plain);
  const Json& p = only_run(p_sarif);
  Json w_sarif = parse(with);
  const Json& w = only_run(w_sarif);
  ASSERT_EQ(p["results"].size(), 1U);
  EXPECT_FALSE(p["results"][0].contains("suppressions"));
  ASSERT_EQ(w["results"].size(), 3U);
  EXPECT_EQ(w["results"][0]["suppressions"],
            Json::parse(R"([{"kind": "inSource", "justification": "reviewed in #142"}])"));
  EXPECT_EQ(w["results"][1]["suppressions"], Json::parse(R"([{"kind": "inSource"}])"));
  EXPECT_FALSE(w["results"][2].contains("suppressions"));
  // The unsuppressed finding keeps its fingerprint either way.
  EXPECT_EQ(p["results"][0]["partialFingerprints"], w["results"][2]["partialFingerprints"]);

  // Only suppressed findings: the exit status is 0, with or without them in the output.
  dir.write("ok.sql", "DROP TABLE users; -- miglint-ignore ban-drop-table -- approved\n");
  EXPECT_EQ(run_miglint_in(dir.path(), "lint --format sarif --select ban-drop-table ok.sql").status, 0);
  EXPECT_EQ(
      run_miglint_in(dir.path(), "lint --format sarif --select ban-drop-table --include-suppressed ok.sql")
          .status,
      0);
}

TEST(SarifSuppressions, IncludeSuppressedNeedsSarif) {
  TempDir dir("miglint-sarif");
  dir.write("ok.sql", "SELECT 1;\n");
  CliRun run = run_miglint_in(dir.path(), "lint --format json --include-suppressed ok.sql 2>&1");
  EXPECT_EQ(run.status, 2);
  EXPECT_NE(run.out.find("--include-suppressed needs --format sarif"), std::string::npos) << run.out;
  EXPECT_EQ(run_miglint_in(dir.path(), "lint --include-suppressed ok.sql").status, 2);
}

TEST(Sarif, UnreadableFilesAreToolExecutionNotifications) {
  TempDir dir("miglint-sarif");
  dir.write("binary.sql", std::string("\x89PNG\r\n\x1a\n\0\0\0", 11));
  dir.write("good.sql", "DROP TABLE users;\n");
  CliRun run = run_miglint_in(dir.path(), "lint --format sarif" + kQuiet + "binary.sql missing.sql good.sql");
  EXPECT_EQ(run.status, 2);
  Json r_sarif = parse(run);
  const Json& r = only_run(r_sarif);
  EXPECT_EQ(r["results"].size(), 1U);
  const Json& invocation = r["invocations"][0];
  EXPECT_EQ(invocation["executionSuccessful"], false);
  ASSERT_EQ(invocation["toolExecutionNotifications"].size(), 2U);
  std::string all = invocation["toolExecutionNotifications"].dump();
  EXPECT_NE(all.find("binary file"), std::string::npos) << all;
  EXPECT_NE(all.find("missing.sql"), std::string::npos) << all;
  for (const Json& notification : invocation["toolExecutionNotifications"]) {
    EXPECT_EQ(notification["level"], "error");
    EXPECT_EQ(notification["locations"][0]["physicalLocation"]["artifactLocation"]["uriBaseId"], "%SRCROOT%");
  }
}
