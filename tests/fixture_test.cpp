// Runs every annotated fixture under fixtures/ and fails on any missing or extra finding.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "analyzer/linter.hpp"
#include "rules/registry.hpp"
#include "rules/rule_docs.hpp"
#include "tests/fixture_support.hpp"

namespace fs = std::filesystem;
using namespace miglint;

namespace {

const fs::path kFixtures = fs::path(MIGLINT_SOURCE_DIR) / "fixtures";

std::vector<std::string> sql_fixture_paths() {
  std::vector<std::string> paths;
  for (const auto& entry : fs::recursive_directory_iterator(kFixtures)) {
    if (entry.is_regular_file() && entry.path().extension() == ".sql") {
      paths.push_back(fs::relative(entry.path(), kFixtures).generic_string());
    }
  }
  std::sort(paths.begin(), paths.end());
  return paths;
}

class FixtureTest : public ::testing::TestWithParam<std::string> {};

TEST_P(FixtureTest, FindingsMatchExpectations) {
  fixtures::Fixture fixture = fixtures::read_fixture((kFixtures / GetParam()).string());
  RuleSet rules(all_rules(), {}, {});
  Expected<SourceFile> source = source_from_bytes("fixtures/" + GetParam(), fixture.text);
  ASSERT_TRUE(source.has_value()) << source.error().message;
  FileResult result = lint_source(*source, fixture.options, rules);
  for (const std::string& problem : fixtures::fixture_mismatches(fixture, result.findings)) {
    ADD_FAILURE() << problem;
  }
}

std::string test_name(const ::testing::TestParamInfo<std::string>& info) {
  std::string name = info.param;
  std::replace_if(
      name.begin(), name.end(), [](char c) { return !std::isalnum(static_cast<unsigned char>(c)); }, '_');
  return name;
}

INSTANTIATE_TEST_SUITE_P(Fixtures, FixtureTest, ::testing::ValuesIn(sql_fixture_paths()), test_name);

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
    if (fs::is_directory(dir)) {
      for (const auto& entry : fs::directory_iterator(dir)) {
        fixtures::Fixture fixture = fixtures::read_fixture(entry.path().string());
        bool expects_rule = std::any_of(fixture.expectations.begin(), fixture.expectations.end(),
                                        [&](const fixtures::Expectation& e) { return e.rule == id; });
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
  }
}

}  // namespace
