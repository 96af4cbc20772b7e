// The Bad and Good examples of every rule doc (rules/docs/<id>.md) are linted: the Bad example must
// fire its rule and the Good one must not, so that a doc cannot recommend what its own rule reports.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "analyzer/engine/linter.hpp"
#include "rules/registry.hpp"
#include "rules/rule_docs.hpp"
#include "tests/param_name.hpp"

using namespace miglint;

namespace {

struct Example {
  std::string language;  // what follows the opening fence: sql, cpp
  std::string text;
};

// The fenced code blocks of the doc section headed `heading` (up to the next `## `).
std::vector<Example> examples(std::string_view doc, std::string_view heading) {
  std::vector<Example> found;
  std::size_t start = doc.find(std::string(heading) + "\n");
  if (start == std::string_view::npos) {
    return found;
  }
  std::size_t end = doc.find("\n## ", start + heading.size());
  std::string_view section = doc.substr(start, end == std::string_view::npos ? doc.npos : end - start);
  std::size_t at = 0;
  while ((at = section.find("```", at)) != std::string_view::npos) {
    std::size_t line_end = section.find('\n', at);
    std::size_t close = section.find("\n```", line_end);
    if (line_end == std::string_view::npos || close == std::string_view::npos) {
      break;
    }
    found.push_back({std::string(section.substr(at + 3, line_end - at - 3)),
                     std::string(section.substr(line_end + 1, close + 1 - line_end - 1))});
    at = close + 4;
  }
  return found;
}

std::size_t findings_of(const std::string& id, const std::string& sql) {
  RuleSet rules(all_rules(), {id}, {});
  Expected<SourceFile> source = source_from_bytes("rules/docs/" + id + ".md", sql);
  EXPECT_TRUE(source.has_value());
  if (!source.has_value()) {
    return 0;
  }
  LintOptions options;
  options.jobs = 1;
  FileResult result = lint_source(*source, options, rules);
  return static_cast<std::size_t>(
      std::count_if(result.findings.begin(), result.findings.end(),
                    [&](const Finding& f) { return f.rule == id && !f.suppressed; }));
}

class RuleDocExamples : public ::testing::TestWithParam<std::string> {};

TEST_P(RuleDocExamples, BadFiresAndGoodDoesNot) {
  const std::string& id = GetParam();
  std::string_view doc = rule_doc(id);
  ASSERT_FALSE(doc.empty()) << id << ": no rules/docs/" << id << ".md";
  std::vector<Example> bad = examples(doc, "## Bad");
  std::vector<Example> good = examples(doc, "## Good");
  ASSERT_FALSE(bad.empty()) << id << ": the doc's `## Bad` section has no fenced example";
  ASSERT_FALSE(good.empty()) << id << ": the doc's `## Good` section has no fenced example";
  if (const Rule* rule = find_rule(id); rule != nullptr && rule->has_tag("trace")) {
    // `miglint trace` reports these on a server: tests/trace_pg_test.cpp traces the examples.
    return;
  }
  for (const Example& example : bad) {
    if (example.language == "cpp" || example.language == "python") {
      // C++ examples need Clang (tests/cpp_fixture_test.cpp runs them), Alembic revisions need Python
      // and Alembic (tests/alembic_test.cpp runs the sample projects).
      continue;
    }
    EXPECT_EQ(example.language, "sql") << id << ": an example is neither ```sql nor ```cpp";
    EXPECT_GT(findings_of(id, example.text), 0U) << id << ": the Bad example does not fire:\n"
                                                 << example.text;
  }
  for (const Example& example : good) {
    if (example.language == "cpp" || example.language == "python") {
      continue;
    }
    EXPECT_EQ(example.language, "sql") << id << ": an example is neither ```sql nor ```cpp";
    EXPECT_EQ(findings_of(id, example.text), 0U) << id << ": the Good example fires its own rule:\n"
                                                 << example.text;
  }
}

std::vector<std::string> rule_ids() {
  std::vector<std::string> ids;
  for (const Rule& rule : all_rules()) {
    ids.emplace_back(rule.id);
  }
  return ids;
}

INSTANTIATE_TEST_SUITE_P(RuleDocs, RuleDocExamples, ::testing::ValuesIn(rule_ids()), param_test_name);

}  // namespace
