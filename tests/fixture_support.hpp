#pragma once

#include <set>
#include <string>
#include <vector>

#include "analyzer/engine/linter.hpp"

namespace miglint::fixtures {

// One expected finding of a fixture: `-- expect: rule-id` (or `rule-id@column`) on the line the
// finding must start on.
struct Expectation {
  uint32_t line = 0;
  std::string rule;
  uint32_t column = 0;  // 0: any column
};

struct Fixture {
  std::string path;
  std::string text;
  LintOptions options;
  bool all_rules = false;  // `-- fixture: --all-rules`
  std::vector<Expectation> expectations;
  std::set<std::string> ignored_rules;  // named by miglint-ignore comments
};

// The rules a fixture runs: its directory's rule, every rule it expects or names in an ignore
// comment, or all rules with `--all-rules`. Isolating fixtures keeps each one about its rule as the catalog
// grows; the
// `--all-rules` fixtures catch interactions.
std::set<std::string> fixture_rule_selection(const std::string& rule_dir, const std::vector<Fixture>& files);

// Reads a fixture: its expectations, and its options from a `-- fixture: --pg-version 12
// --assume-in-transaction` line.
Fixture read_fixture(const std::string& path);

// The fixture files of one fixture: one .sql file, or the .sql files of a directory fixture.
std::vector<Fixture> fixture_files(const std::string& path);

// Differences between what the fixture expects and what miglint reports, one line each.
std::vector<std::string> fixture_mismatches(const Fixture& fixture, const std::vector<Finding>& findings);

}  // namespace miglint::fixtures
