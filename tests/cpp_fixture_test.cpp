// Runs every C++ fixture (fixtures/cpp/*.cpp) through the C++ front end and the whole rule set,
// and fails on any missing or extra finding. Expectations are comments: `// expect: rule@COL` (a
// finding starting on this line at this column) or `// expect: rule@LINE:COL` (anywhere, e.g.
// inside a multi-line raw string). `X.toml` beside `X.cpp` is its config file ([cpp] settings);
// `// fixture: incomplete` says Clang cannot read all of the file (a warning is then required).
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "analyzer/config.hpp"
#include "analyzer/cpp/cpp_lint.hpp"
#include "rules/registry.hpp"

namespace fs = std::filesystem;
using namespace miglint;

namespace {

const fs::path kCppFixtures = fs::path(MIGLINT_SOURCE_DIR) / "fixtures" / "cpp";

struct CppExpectation {
  std::string rule;
  Position at;
};

std::vector<CppExpectation> read_expectations(const std::string& text) {
  std::vector<CppExpectation> expectations;
  std::istringstream lines(text);
  std::string line;
  uint32_t number = 0;
  while (std::getline(lines, line)) {
    ++number;
    auto at = line.find("expect: ");
    if (at == std::string::npos) {
      continue;
    }
    std::istringstream items(line.substr(at + 8));
    std::string item;
    while (std::getline(items, item, ',')) {
      item.erase(0, item.find_first_not_of(' '));
      item = item.substr(0, item.find(' '));
      auto sign = item.find('@');
      if (item.empty() || sign == std::string::npos) {
        continue;
      }
      std::string where = item.substr(sign + 1);
      CppExpectation expectation{item.substr(0, sign), Position{number, 0}};
      if (auto colon = where.find(':'); colon != std::string::npos) {
        expectation.at.line = static_cast<uint32_t>(std::stoul(where.substr(0, colon)));
        expectation.at.column = static_cast<uint32_t>(std::stoul(where.substr(colon + 1)));
      } else {
        expectation.at.column = static_cast<uint32_t>(std::stoul(where));
      }
      expectations.push_back(expectation);
    }
  }
  return expectations;
}

std::vector<std::string> cpp_fixtures() {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(kCppFixtures)) {
    if (entry.path().extension() == ".cpp") {
      names.push_back(entry.path().filename().string());
    }
  }
  std::sort(names.begin(), names.end());
  return names;
}

class CppFixtureTest : public ::testing::TestWithParam<std::string> {};

TEST_P(CppFixtureTest, FindingsMatchExpectations) {
  fs::path path = kCppFixtures / GetParam();
  Expected<SourceFile> source = load_source_file(path.string(), "fixtures/cpp/" + GetParam());
  ASSERT_TRUE(source.has_value()) << source.error().message;
  LintOptions options;
  options.jobs = 1;
  auto settings = std::make_shared<cpp::CppSettings>();
  fs::path config_path = fs::path(path).replace_extension(".toml");
  if (fs::exists(config_path)) {
    std::set<std::string> ids;
    for (const Rule& rule : all_rules()) {
      ids.emplace(rule.id);
    }
    Expected<Config> config = load_config(config_path.string(), ids);
    ASSERT_TRUE(config.has_value()) << config.error().message;
    *settings = config->cpp;
  }
  options.cpp = settings;
  RuleSet rules(all_rules(), {}, {});
  FileResult result = cpp::lint_cpp_source(*source, path.string(), options, rules);
  ASSERT_TRUE(result.errors.empty()) << result.errors.front().message;
  bool incomplete = source->text().find("// fixture: incomplete") != std::string_view::npos;
  EXPECT_EQ(!result.warnings.empty(), incomplete)
      << (result.warnings.empty() ? std::string("no warning") : result.warnings.front());

  std::vector<CppExpectation> expectations = read_expectations(std::string(source->text()));
  std::vector<bool> matched(result.findings.size(), false);
  for (const CppExpectation& expected : expectations) {
    bool found = false;
    for (std::size_t i = 0; i < result.findings.size() && !found; ++i) {
      const Finding& finding = result.findings[i];
      if (!matched[i] && !finding.suppressed && finding.rule == expected.rule &&
          finding.start == expected.at) {
        matched[i] = found = true;
      }
    }
    EXPECT_TRUE(found) << GetParam() << ": missing " << expected.rule << " at " << expected.at.line << ":"
                       << expected.at.column;
  }
  for (std::size_t i = 0; i < result.findings.size(); ++i) {
    const Finding& finding = result.findings[i];
    EXPECT_TRUE(matched[i] || finding.suppressed)
        << GetParam() << ":" << finding.start.line << ":" << finding.start.column << ": unexpected "
        << finding.rule << ": " << finding.message;
  }
}

std::string test_name(const ::testing::TestParamInfo<std::string>& info) {
  std::string name = info.param;
  std::replace_if(
      name.begin(), name.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) == 0; }, '_');
  return name;
}

INSTANTIATE_TEST_SUITE_P(CppFixtures, CppFixtureTest, ::testing::ValuesIn(cpp_fixtures()), test_name);

// Suppressed findings are findings too: an ignore comment must silence exactly what it names.
TEST(CppFixtures, IgnoreCommentsSilenceTheirCallOnly) {
  fs::path path = kCppFixtures / "ignores.cpp";
  Expected<SourceFile> source = load_source_file(path.string(), "ignores.cpp");
  ASSERT_TRUE(source.has_value());
  RuleSet rules(all_rules(), {}, {});
  FileResult result = cpp::lint_cpp_source(*source, path.string(), LintOptions{}, rules);
  std::vector<std::string> suppressed;
  for (const Finding& finding : result.findings) {
    if (finding.suppressed) {
      suppressed.push_back(fmt::format("{}:{}:{} {}", finding.start.line, finding.start.column, finding.rule,
                                       finding.suppression_reason));
    }
  }
  EXPECT_EQ(suppressed, (std::vector<std::string>{
                            "9:30:ban-drop-column the column has been unused since release 41",
                            "9:68:ban-drop-column the column has been unused since release 41",
                            "10:12:ban-drop-table replaced by sessions in 2023",
                            "12:30:renaming-table no client reads it any more",
                        }));
}

}  // namespace
