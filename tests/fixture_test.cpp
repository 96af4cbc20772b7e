// Runs every annotated fixture under fixtures/ and fails on any missing or extra finding.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

#include "analyzer/engine/linter.hpp"
#include "analyzer/project/discover.hpp"
#include "rules/registry.hpp"
#include "rules/rule_docs.hpp"
#include "tests/fixture_support.hpp"
#include "tests/param_name.hpp"

namespace fs = std::filesystem;
using namespace miglint;

namespace {

const fs::path kFixtures = fs::path(MIGLINT_SOURCE_DIR) / "fixtures";

// A fixture is a .sql file directly in fixtures/<rule-id>/, or a directory below it whose .sql files
// are one run (migration order, schema facts carrying across them).
std::vector<std::string> fixture_paths() {
  std::vector<std::string> paths;
  for (const auto& rule_dir : fs::directory_iterator(kFixtures)) {
    // fixtures/cpp holds the C++ front end's fixtures (tests/cpp_fixture_test.cpp runs them),
    // fixtures/alembic the Alembic sample projects (tests/alembic_test.cpp), fixtures/trace the
    // migrations of the trace rules, which only a server shows (tests/trace_pg_test.cpp).
    if (!rule_dir.is_directory() || rule_dir.path().filename() == "cpp" ||
        rule_dir.path().filename() == "alembic" || rule_dir.path().filename() == "trace") {
      continue;
    }
    for (const auto& entry : fs::directory_iterator(rule_dir.path())) {
      if (entry.is_directory() || entry.path().extension() == ".sql") {
        paths.push_back(fs::relative(entry.path(), kFixtures).generic_string());
      }
    }
  }
  std::sort(paths.begin(), paths.end());
  return paths;
}

class FixtureTest : public ::testing::TestWithParam<std::string> {};

TEST_P(FixtureTest, FindingsMatchExpectations) {
  fs::path path = kFixtures / GetParam();
  std::string rule_dir = fs::path(GetParam()).begin()->string();
  std::vector<fixtures::Fixture> files = fixtures::fixture_files(path);
  ASSERT_FALSE(files.empty()) << path << " holds no .sql file";
  RuleSet rules(all_rules(), fixtures::fixture_rule_selection(rule_dir, files), {});
  if (!fs::is_directory(path)) {
    const fixtures::Fixture& fixture = files.front();
    Expected<SourceFile> source = source_from_bytes("fixtures/" + GetParam(), fixture.text);
    ASSERT_TRUE(source.has_value()) << source.error().message;
    FileResult result = lint_source(*source, fixture.options, rules);
    for (const std::string& problem : fixtures::fixture_mismatches(fixture, result.findings)) {
      ADD_FAILURE() << problem;
    }
    std::string snapshot =
        fixtures::check_snapshot(path.string() + ".snap", fixtures::render_snapshot(result.findings));
    EXPECT_TRUE(snapshot.empty()) << snapshot;
    return;
  }
  // A directory fixture: its files are linted together, in migration order, with the options of
  // the first file that sets any.
  DiscoveredInputs discovered = discover_inputs({path.string()}, "stdin.sql");
  LintOptions options = files.front().options;
  for (const auto& file : files) {
    if (file.text.find("-- fixture:") != std::string::npos) {
      options = file.options;
      break;
    }
  }
  options.jobs = 2;
  std::map<std::string, std::vector<Finding>> findings;
  lint_inputs(discovered.inputs, options, rules, [&](FileResult&& result) {
    findings[fs::path(result.path).lexically_normal().string()] = result.findings;
  });
  std::vector<Finding> all_findings;
  for (const auto& file : files) {
    std::vector<Finding>& of_file = findings[fs::path(file.path).lexically_normal().string()];
    for (const std::string& problem : fixtures::fixture_mismatches(file, of_file)) {
      ADD_FAILURE() << problem;
    }
    for (Finding finding : of_file) {
      // Paths as the repository names them, not where it is checked out.
      finding.path = fs::relative(finding.path, MIGLINT_SOURCE_DIR).generic_string();
      all_findings.push_back(std::move(finding));
    }
  }
  // The directory's snapshot sits beside it (inside, it would be one more input of the run).
  std::string snapshot =
      fixtures::check_snapshot(path.string() + ".snap", fixtures::render_snapshot(all_findings));
  EXPECT_TRUE(snapshot.empty()) << snapshot;
}

INSTANTIATE_TEST_SUITE_P(Fixtures, FixtureTest, ::testing::ValuesIn(fixture_paths()), param_test_name);

// Every rule has a doc page and fixtures that fire and fixtures that stay silent.
TEST(RuleCatalog, EveryRuleHasDocAndFixtures) {
  for (const Rule& rule : all_rules()) {
    std::string id(rule.id);
    std::string_view doc = rule_doc(id);
    EXPECT_FALSE(doc.empty()) << id << ": no rules/docs/" << id << ".md";
    for (std::string_view section : {"## Problem", "## Lock", "## Safe alternative", "## Bad", "## Good"}) {
      EXPECT_NE(doc.find(section), std::string_view::npos)
          << id << ": doc lacks a `" << section << "` section";
    }
    fs::path dir = kFixtures / id;
    bool fires = false;
    bool silent = false;
    if (rule.has_tag("cpp")) {
      // Rules of the C++ front end have C++ fixtures (fixtures/cpp/*.cpp, `// expect: id@...`).
      for (const auto& entry : fs::directory_iterator(kFixtures / "cpp")) {
        if (entry.path().extension() == ".cpp") {
          std::string text = fixtures::read_fixture(entry.path().string()).text;
          (text.find("expect: " + id) != std::string::npos ? fires : silent) = true;
        }
      }
      EXPECT_TRUE(fires) << id << ": no fixtures/cpp/*.cpp that expects it";
      EXPECT_TRUE(silent) << id << ": no fixtures/cpp/*.cpp without it";
      continue;
    }
    if (rule.has_tag("alembic")) {
      // Rules of the Alembic front end fire in the sample projects (fixtures/alembic/*/, revision
      // files marked `# expect: id`; tests/alembic_test.cpp asserts where).
      for (const auto& entry : fs::recursive_directory_iterator(kFixtures / "alembic")) {
        if (entry.path().extension() == ".py" && entry.path().parent_path().filename() == "versions") {
          std::string text = fixtures::read_fixture(entry.path().string()).text;
          (text.find("expect: " + id) != std::string::npos ? fires : silent) = true;
        }
      }
      EXPECT_TRUE(fires) << id << ": no fixtures/alembic revision that expects it";
      EXPECT_TRUE(silent) << id << ": no fixtures/alembic revision without it";
      continue;
    }
    if (rule.has_tag("trace")) {
      // Rules of `miglint trace` fire on a server only: their fixtures are under fixtures/trace/<id>/
      // (fires* and silent* files or directories, `-- expect: id`), traced by tests/trace_pg_test.cpp.
      dir = kFixtures / "trace" / id;
    }
    std::set<int> versions;
    if (fs::is_directory(dir)) {
      for (const auto& entry : fs::directory_iterator(dir)) {
        if (!entry.is_directory() && entry.path().extension() != ".sql") {
          continue;  // a fixture's snapshot (.snap)
        }
        bool expects_rule = false;
        for (const fixtures::Fixture& fixture : fixtures::fixture_files(entry.path())) {
          expects_rule =
              expects_rule || std::any_of(fixture.expectations.begin(), fixture.expectations.end(),
                                          [&](const fixtures::Expectation& e) { return e.rule == id; });
          if (fixture.text.find("--pg-version") != std::string::npos) {
            versions.insert(fixture.options.pg_version);
          }
        }
        std::string name = entry.path().filename().string();
        if (name.starts_with("fires")) {
          fires = fires || expects_rule;
          EXPECT_TRUE(expects_rule) << entry.path() << " is named fires* but expects no " << id;
        } else if (name.starts_with("silent")) {
          silent = true;
          EXPECT_FALSE(expects_rule) << entry.path() << " is named silent* but expects " << id;
        }
      }
    }
    EXPECT_TRUE(fires) << id << ": no fixtures/" << id << "/fires*.sql that expects it";
    EXPECT_TRUE(silent) << id << ": no fixtures/" << id << "/silent*.sql";
    if (rule.version_dependent) {
      EXPECT_GE(versions.size(), 2U) << id << ": depends on --pg-version but has no fixtures at two versions "
                                     << "(`-- fixture: --pg-version N`)";
    }
  }
}

}  // namespace
