// Lints the whole ../shared/corpus/sql corpus (2,289 real migrations): every file is processed
// without a crash or an input error, and the files the PostgreSQL 17 grammar rejects are told
// apart: valid newer PostgreSQL is `unsupported-syntax`, real breakage is `syntax-error`.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <set>

#include "analyzer/engine/linter.hpp"
#include "analyzer/project/discover.hpp"
#include "rules/registry.hpp"

namespace fs = std::filesystem;
using namespace miglint;

namespace {

const std::string kCorpus = std::string(MIGLINT_SOURCE_DIR) + "/../shared/corpus/sql";

}  // namespace

TEST(Corpus, EveryFileIsLintedAndParseFailuresAreClassified) {
  if (!fs::exists(kCorpus)) {
    GTEST_SKIP()
        << "../shared/corpus/sql is absent (it exists only beside CI's clone); skipping the corpus test";
  }
  DiscoveredInputs discovered = discover_inputs({kCorpus}, "stdin.sql");
  ASSERT_TRUE(discovered.errors.empty());
  ASSERT_EQ(discovered.inputs.size(), 2289U);

  RuleSet rules(all_rules(), {}, {});
  LintOptions options;
  options.jobs = 2;
  std::size_t files = 0;
  std::map<std::string, std::size_t> unsupported_files;  // file name -> statements
  std::set<std::string> syntax_error_files;
  lint_inputs(discovered.inputs, options, rules, [&](FileResult&& result) {
    ++files;
    EXPECT_TRUE(result.errors.empty()) << result.path << ": " << result.errors.front().message;
    for (const Finding& finding : result.findings) {
      EXPECT_FALSE(finding.message.starts_with("internal error")) << finding.path;
      EXPECT_GE(finding.start.line, 1U);
      EXPECT_TRUE(finding.start <= finding.end) << finding.path << " " << finding.rule;
      std::string name = fs::path(finding.path).filename().string();
      if (finding.rule == "unsupported-syntax") {
        ++unsupported_files[name];
      } else if (finding.rule == "syntax-error") {
        syntax_error_files.insert(name);
      }
    }
  });
  EXPECT_EQ(files, 2289U);
  // 11 files of PostgreSQL 18 named NOT NULL constraints. The PostgreSQL 15 grammar also rejected
  // lemmy's 2025-08-01-000016_smoosh-tables-together up migration (subqueries in FROM without an
  // alias, PostgreSQL 16): the 17 grammar parses it and the rules check it.
  EXPECT_EQ(unsupported_files.size(), 11U);
  EXPECT_EQ(unsupported_files.count("migrations__2025-08-01-000016_smoosh-tables-together__up.sql"), 0U);
  std::size_t statements = 0;
  for (const auto& [name, count] : unsupported_files) {
    statements += count;
  }
  EXPECT_GE(statements, 40U);
  EXPECT_EQ(syntax_error_files,
            (std::set<std::string>{"migrations__20170318181441_downloads_need_no_id__down.sql"}));
}
