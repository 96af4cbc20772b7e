// A front end added the way analyzer/frontend/README.md says: its folder (tests/front_end_example/,
// a Markdown front end) and one add_subdirectory line. Its CMakeLists.txt registers it to a test
// registry (miglint_test_front_ends: the programs' front ends and it), which this test links instead
// of miglint_front_ends (its MIGLINT_FRONT_END_REGISTRY property, tests/CMakeLists.txt). Nothing names it
// otherwise: the engine, the directory walk and the registry find it through the generated registration.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "analyzer/engine/linter.hpp"
#include "analyzer/front_ends.hpp"
#include "analyzer/project/discover.hpp"
#include "rules/registry.hpp"
#include "tests/front_end_example/markdown_front_end.hpp"

namespace miglint {
namespace {

std::vector<FileResult> lint(const std::vector<LintInput>& inputs) {
  RuleSet rules(all_rules(), {"ban-drop-table"}, {});
  std::vector<FileResult> results;
  lint_inputs(inputs, LintOptions{}, rules,
              [&](FileResult&& result) { results.push_back(std::move(result)); });
  return results;
}

TEST(FrontEndRegistration, TheRegisteredFrontEndClaimsItsPathsAfterThePrograms) {
  const FrontEndRegistry& registry = registered_front_ends();
  ASSERT_EQ(registry.others().size(), 3U);  // cpp, alembic (analyzer/), then markdown (tests/)
  EXPECT_EQ(registry.others()[0]->name(), "cpp");
  EXPECT_EQ(registry.others()[1]->name(), "alembic");
  EXPECT_EQ(registry.others()[2], &markdown::markdown_front_end());
  EXPECT_EQ(&registry.for_path("docs/migrations/001_orders.md", {}), &markdown::markdown_front_end());
  EXPECT_EQ(registry.for_path("src/migrate.cpp", {}).name(), "cpp");
  EXPECT_EQ(registry.for_path("migrations/001_orders.sql", {}).name(), "sql");
  EXPECT_EQ(registry.for_path("notes.txt", {}).name(), "sql");  // claimed by none: SQL
  std::vector<std::string> extensions = registry.other_extensions({});
  EXPECT_NE(std::find(extensions.begin(), extensions.end(), ".md"), extensions.end());
  // It has no miglint.toml table: the tables are the programs' front ends' only.
  std::vector<std::string> tables;
  for (const ConfigTable& table : front_end_config_tables()) {
    tables.push_back(table.name);
  }
  EXPECT_EQ(tables, (std::vector<std::string>{"cpp", "alembic"}));
}

TEST(FrontEndRegistration, TheEngineLintsItsFilesAndMapsFindingsBack) {
  const std::string markdown =
      "# Orders\n"
      "\n"
      "```sql\n"
      "CREATE TABLE orders (id bigint);\n"
      "```\n"
      "\n"
      "Then the old table goes:\n"
      "\n"
      "```sql\n"
      "SELECT 1;\n"
      "  DROP TABLE legacy_orders;\n"
      "```\n";
  std::vector<FileResult> results = lint({LintInput{"001_orders.md", "", markdown, true}});
  ASSERT_EQ(results.size(), 1U);
  EXPECT_TRUE(results[0].errors.empty()) << results[0].errors[0].message;
  ASSERT_EQ(results[0].findings.size(), 1U);
  const Finding& finding = results[0].findings[0];
  EXPECT_EQ(finding.rule, "ban-drop-table");
  EXPECT_EQ(finding.message,
            "dropping table \"legacy_orders\" loses its data and takes an ACCESS EXCLUSIVE lock");
  EXPECT_EQ(finding.path, "001_orders.md");
  // In the Markdown file's coordinates: line 11, after the two spaces.
  EXPECT_EQ(finding.start, (Position{11, 3}));
  EXPECT_EQ(finding.end, (Position{11, 27}));

  // The same text as SQL (a path it does not claim) is not read through it: a syntax error at line 1.
  std::vector<FileResult> as_sql = lint({LintInput{"001_orders.sql", "", markdown, true}});
  ASSERT_EQ(as_sql.size(), 1U);
  ASSERT_FALSE(as_sql[0].findings.empty());
  EXPECT_EQ(as_sql[0].findings[0].rule, "syntax-error");
}

TEST(FrontEndRegistration, ItsErrorIsOneLineForItsFile) {
  std::vector<FileResult> results = lint({LintInput{"002_broken.md", "", "```sql\nDROP TABLE t;\n", true}});
  ASSERT_EQ(results.size(), 1U);
  ASSERT_EQ(results[0].errors.size(), 1U);
  EXPECT_EQ(results[0].errors[0].path, "002_broken.md");
  EXPECT_EQ(results[0].errors[0].message, "the ```sql block opened at line 1 is not closed");
  EXPECT_TRUE(results[0].findings.empty());
}

TEST(FrontEndRegistration, DirectoryWalksCollectTheExtensionsItClaims) {
  std::filesystem::path directory = std::filesystem::temp_directory_path() /
                                    ("miglint-front-end-registration-" + std::to_string(::getpid()));
  std::filesystem::create_directories(directory);
  std::ofstream(directory / "001_orders.md") << "```sql\nDROP TABLE t;\n```\n";
  std::ofstream(directory / "002_more.sql") << "SELECT 1;\n";
  std::ofstream(directory / "README.txt") << "not an input\n";
  DiscoveredInputs discovered =
      discover_inputs({directory.string()}, "stdin", registered_front_ends().other_extensions({}));
  std::vector<std::string> names;
  for (const LintInput& input : discovered.inputs) {
    names.push_back(std::filesystem::path(input.display_path).filename().string());
  }
  std::filesystem::remove_all(directory);
  EXPECT_EQ(names, (std::vector<std::string>{"001_orders.md", "002_more.sql"}));
}

}  // namespace
}  // namespace miglint
