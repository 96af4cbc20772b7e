// `version_dependent` (analyzer/model/rule.hpp) is checked, not trusted: every rule's fixtures are
// linted at every PostgreSQL version `--pg-version` accepts, and a rule whose findings differ between
// versions must be marked version_dependent, and a marked one must differ somewhere.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "analyzer/engine/linter.hpp"
#include "analyzer/project/discover.hpp"
#include "rules/registry.hpp"
#include "tests/fixture_support.hpp"
#include "tests/param_name.hpp"

namespace fs = std::filesystem;
using namespace miglint;

namespace {

const fs::path kFixtures = fs::path(MIGLINT_SOURCE_DIR) / "fixtures";
constexpr int kOldestVersion = 10;  // the range `--pg-version` accepts (cli/main.cpp)
constexpr int kNewestVersion = 19;

// The findings of `rule_id` over one fixture (a .sql file or a directory of them) at `pg_version`,
// one line each: where, and what users read.
std::vector<std::string> findings_at(const fs::path& path, const std::string& rule_id, int pg_version) {
  std::vector<fixtures::Fixture> files = fixtures::fixture_files(path.string());
  RuleSet rules(all_rules(), fixtures::fixture_rule_selection(rule_id, files), {});
  LintOptions options = files.front().options;
  for (const auto& file : files) {
    if (file.text.find("-- fixture:") != std::string::npos) {
      options = file.options;
      break;
    }
  }
  options.pg_version = pg_version;
  options.jobs = 1;
  std::vector<Finding> findings;
  if (fs::is_directory(path)) {
    DiscoveredInputs discovered = discover_inputs({path.string()}, "stdin.sql");
    lint_inputs(discovered.inputs, options, rules, [&](FileResult&& result) {
      findings.insert(findings.end(), result.findings.begin(), result.findings.end());
    });
  } else {
    Expected<SourceFile> source = source_from_bytes(path.string(), files.front().text);
    EXPECT_TRUE(source.has_value());
    if (source.has_value()) {
      findings = lint_source(*source, options, rules).findings;
    }
  }
  std::vector<std::string> lines;
  for (const Finding& f : findings) {
    if (f.rule == rule_id) {
      lines.push_back(fmt::format("{}:{}:{} {} {} | {} | {}", f.path, f.start.line, f.start.column,
                                  f.suppressed ? "suppressed" : "reported", severity_name(f.severity),
                                  f.message, f.help));
    }
  }
  std::sort(lines.begin(), lines.end());
  return lines;
}

class VersionDependence : public ::testing::TestWithParam<std::string> {};

TEST_P(VersionDependence, MarkedExactlyWhenFindingsDependOnTheVersion) {
  const std::string& id = GetParam();
  const Rule* rule = nullptr;
  for (const Rule& candidate : all_rules()) {
    if (candidate.id == id) {
      rule = &candidate;
    }
  }
  ASSERT_NE(rule, nullptr);
  std::string first_difference;
  for (const auto& entry : fs::directory_iterator(kFixtures / id)) {
    if (!entry.is_directory() && entry.path().extension() != ".sql") {
      continue;
    }
    std::vector<std::string> oldest = findings_at(entry.path(), id, kOldestVersion);
    for (int version = kOldestVersion + 1; version <= kNewestVersion && first_difference.empty(); ++version) {
      if (findings_at(entry.path(), id, version) != oldest) {
        first_difference =
            fmt::format("{} at --pg-version {} and {}",
                        fs::relative(entry.path(), kFixtures).generic_string(), kOldestVersion, version);
      }
    }
  }
  if (rule->version_dependent) {
    EXPECT_FALSE(first_difference.empty())
        << id << " is marked version_dependent but its fixtures give the same findings at every version "
        << kOldestVersion << "-" << kNewestVersion
        << ": unmark it, or add a fixture that shows the difference";
  } else {
    EXPECT_TRUE(first_difference.empty())
        << id << " is not marked version_dependent but its findings differ: " << first_difference
        << " (set `.version_dependent = true` in its rule file)";
  }
}

std::vector<std::string> sql_rule_ids() {
  std::vector<std::string> ids;
  for (const Rule& rule : all_rules()) {
    if (!rule.has_tag("cpp") && fs::is_directory(kFixtures / std::string(rule.id))) {
      ids.emplace_back(rule.id);
    }
  }
  return ids;
}

INSTANTIATE_TEST_SUITE_P(Rules, VersionDependence, ::testing::ValuesIn(sql_rule_ids()), param_test_name);

}  // namespace
