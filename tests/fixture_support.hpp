#pragma once

#include <string>
#include <vector>

#include "analyzer/linter.hpp"

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
  std::vector<Expectation> expectations;
};

// Reads a fixture: its expectations, and its options from a `-- fixture: --pg-version 12
// --assume-in-transaction` line.
Fixture read_fixture(const std::string& path);

// Differences between what the fixture expects and what miglint reports, one line each.
std::vector<std::string> fixture_mismatches(const Fixture& fixture, const std::vector<Finding>& findings);

}  // namespace miglint::fixtures
