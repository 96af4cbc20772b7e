// squawk compatibility: `-- squawk-ignore` comments with squawk's rule names silence the miglint
// rule each name maps to (for every squawk rule that has an equivalent), `-- squawk-ignore-file`,
// squawk names without an equivalent (accepted, a note), and `miglint init --from-squawk`.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "analyzer/engine/linter.hpp"
#include "analyzer/project/squawk_config.hpp"
#include "analyzer/sql/squawk_rules.hpp"
#include "rules/registry.hpp"
#include "rules/rule_docs.hpp"
#include "tests/cli_support.hpp"
#include "tests/param_name.hpp"

using namespace miglint;

namespace {

// The first ```sql block of the doc's `## Bad` section.
std::string bad_example(std::string_view doc) {
  std::size_t section = doc.find("## Bad\n");
  std::size_t open = doc.find("```sql\n", section);
  std::size_t close = doc.find("\n```", open + 7);
  if (section == std::string_view::npos || open == std::string_view::npos ||
      close == std::string_view::npos) {
    return {};
  }
  return std::string(doc.substr(open + 7, close + 1 - open - 7));
}

FileResult lint_text(const std::string& sql, const std::set<std::string>& select) {
  RuleSet rules(all_rules(), select, {});
  Expected<SourceFile> source = source_from_bytes("squawk.sql", sql);
  EXPECT_TRUE(source.has_value());
  LintOptions options;
  options.jobs = 1;
  return lint_source(*source, options, rules);
}

std::size_t count(const FileResult& result, std::string_view rule, bool suppressed) {
  return static_cast<std::size_t>(
      std::count_if(result.findings.begin(), result.findings.end(),
                    [&](const Finding& f) { return f.rule == rule && f.suppressed == suppressed; }));
}

// `-- squawk-ignore NAME` before every line: whichever statement the rule fires on, a comment
// right before it names the rule.
std::string with_squawk_ignores(const std::string& sql, std::string_view squawk_name) {
  std::istringstream lines(sql);
  std::string out;
  for (std::string line; std::getline(lines, line);) {
    out += "-- squawk-ignore " + std::string(squawk_name) + "\n" + line + "\n";
  }
  return out;
}

std::vector<std::string> mapped_squawk_names() {
  std::vector<std::string> names;
  for (const SquawkRule& rule : squawk_rules()) {
    if (!rule.miglint.empty() && rule.miglint != "syntax-error" && rule.miglint != "unused-ignore") {
      names.emplace_back(rule.squawk);
    }
  }
  return names;
}

TEST(SquawkRules, EveryMappedIdIsAMiglintRule) {
  for (const SquawkRule& rule : squawk_rules()) {
    if (!rule.miglint.empty()) {
      EXPECT_NE(find_rule(rule.miglint), nullptr) << rule.squawk << " -> " << rule.miglint;
    } else {
      EXPECT_FALSE(rule.note.empty()) << rule.squawk << ": say why miglint has no equivalent";
    }
  }
  EXPECT_EQ(find_squawk_rule("prefer-timestamp-tz")->miglint, "prefer-timestamptz");
  EXPECT_FALSE(find_squawk_rule("no-such-rule").has_value());
}

// The table of docs/migrating-from-squawk.md is this one: a row per squawk rule, as mapped here.
TEST(SquawkRules, DocumentedTableMatches) {
  std::ifstream in(std::string(MIGLINT_SOURCE_DIR) + "/docs/migrating-from-squawk.md");
  std::stringstream doc;
  doc << in.rdbuf();
  for (const SquawkRule& rule : squawk_rules()) {
    std::string row = "| `" + std::string(rule.squawk) + "` | " +
                      (rule.miglint.empty() ? std::string("—") : "`" + std::string(rule.miglint) + "`") +
                      " |";
    EXPECT_NE(doc.str().find(row), std::string::npos) << "docs/migrating-from-squawk.md lacks " << row;
  }
}

class SquawkIgnore : public ::testing::TestWithParam<std::string> {};

// The rule's Bad example fires it; with a squawk-ignore naming squawk's rule before each line,
// every finding of the rule is suppressed, and no comment is reported as unknown.
TEST_P(SquawkIgnore, SilencesTheMappedRule) {
  const std::string& squawk_name = GetParam();
  std::string id(find_squawk_rule(squawk_name)->miglint);
  std::string sql = bad_example(rule_doc(id));
  ASSERT_FALSE(sql.empty()) << id;
  FileResult plain = lint_text(sql, {id});
  ASSERT_GT(count(plain, id, false), 0U) << id << " does not fire on its Bad example";
  FileResult ignored = lint_text(with_squawk_ignores(sql, squawk_name), {id, "unused-ignore"});
  EXPECT_EQ(count(ignored, id, false), 0U) << squawk_name << " did not silence " << id;
  EXPECT_EQ(count(ignored, id, true), count(plain, id, false)) << id;
  for (const Finding& finding : ignored.findings) {
    EXPECT_EQ(finding.message.find("unknown rule"), std::string::npos) << finding.message;
  }
}

INSTANTIATE_TEST_SUITE_P(SquawkRules, SquawkIgnore, ::testing::ValuesIn(mapped_squawk_names()),
                         param_test_name);

TEST(SquawkIgnore, SeveralNamesAndTrailingComment) {
  FileResult result = lint_text(
      "-- squawk-ignore ban-drop-column, renaming-column\n"
      "ALTER TABLE users DROP COLUMN a;\n"
      "ALTER TABLE users RENAME COLUMN b TO c;\n",
      {"ban-drop-column", "renaming-column", "unused-ignore"});
  EXPECT_EQ(count(result, "ban-drop-column", true), 1U);
  EXPECT_EQ(count(result, "renaming-column", false), 1U);  // the next statement only
  EXPECT_EQ(count(result, "unused-ignore", false), 1U);    // renaming-column silenced nothing there
  auto unused = std::find_if(result.findings.begin(), result.findings.end(),
                             [](const Finding& f) { return f.rule == "unused-ignore"; });
  ASSERT_NE(unused, result.findings.end());
  EXPECT_EQ(unused->message, "squawk-ignore for `renaming-column` silences nothing");
}

TEST(SquawkIgnore, RenamedRuleIsNamedBothWays) {
  FileResult result = lint_text("-- squawk-ignore prefer-timestamp-tz\nCREATE TABLE t (a int);\n",
                                {"prefer-timestamptz", "unused-ignore"});
  ASSERT_EQ(result.findings.size(), 1U);
  EXPECT_EQ(result.findings[0].message,
            "squawk-ignore for `prefer-timestamp-tz` (miglint's `prefer-timestamptz`) silences nothing");
}

TEST(SquawkIgnoreFile, WithoutNamesSilencesEveryRuleButSyntaxErrors) {
  FileResult result = lint_text(
      "-- squawk-ignore-file\n"
      "DROP TABLE a;\n"
      "CREATE INDEX i ON t (c);\n"
      "ALTER TABLE;\n",
      {});
  EXPECT_EQ(count(result, "ban-drop-table", true), 1U);
  EXPECT_EQ(count(result, "require-concurrent-index-creation", true), 1U);
  EXPECT_EQ(count(result, "syntax-error", false), 1U);
  for (const Finding& finding : result.findings) {
    EXPECT_TRUE(finding.suppressed || finding.rule == "syntax-error") << finding.rule;
  }
}

TEST(SquawkIgnoreFile, NamedRulesOnly) {
  FileResult result = lint_text(
      "-- squawk-ignore-file ban-drop-table\nDROP TABLE a;\nDROP TABLE b;\nCREATE INDEX i ON t (c);\n",
      {"ban-drop-table", "require-concurrent-index-creation"});
  EXPECT_EQ(count(result, "ban-drop-table", true), 2U);
  EXPECT_EQ(count(result, "require-concurrent-index-creation", false), 1U);
}

TEST(SquawkIgnore, RuleWithoutEquivalentIsANoteNotAnError) {
  FileResult result = lint_text("-- squawk-ignore prefer-robust-stmts, ban-drop-table\nDROP TABLE a;\n",
                                {"ban-drop-table", "unused-ignore"});
  EXPECT_EQ(count(result, "ban-drop-table", true), 1U);
  auto note = std::find_if(result.findings.begin(), result.findings.end(),
                           [](const Finding& f) { return f.rule == "unused-ignore"; });
  ASSERT_NE(note, result.findings.end());
  EXPECT_EQ(note->severity, Severity::Note);
  EXPECT_NE(note->message.find("`prefer-robust-stmts`, a squawk rule miglint has no equivalent for"),
            std::string::npos)
      << note->message;
  EXPECT_EQ(std::count_if(result.findings.begin(), result.findings.end(),
                          [](const Finding& f) { return f.rule == "unused-ignore"; }),
            1);
}

TEST(SquawkIgnore, UnknownNameIsReported) {
  FileResult result =
      lint_text("-- squawk-ignore ban-drop-tables\nDROP TABLE a;\n", {"ban-drop-table", "unused-ignore"});
  EXPECT_EQ(count(result, "ban-drop-table", false), 1U);
  EXPECT_EQ(count(result, "unused-ignore", false), 1U);
}

TEST(InitFromSquawk, ConvertsEveryKey) {
  cli_support::TempDir dir("miglint-squawk");
  dir.write(".squawk.toml",
            "excluded_rules = [\"prefer-timestamp-tz\", \"require-concurrent-index-creation\", "
            "\"prefer-robust-stmts\"]\n"
            "pg_version = \"16.2\"\n"
            "assume_in_transaction = true\n"
            "excluded_paths = [\"migrations/archive/**\"]\n"
            "[upload_to_github]\nfail_on_violations = true\n");
  Expected<SquawkConversion> converted = convert_squawk_config((dir.path() / ".squawk.toml").string());
  ASSERT_TRUE(converted) << converted.error().message;
  const std::string& text = converted->miglint_toml;
  EXPECT_NE(text.find("pg_version = 16\n"), std::string::npos) << text;
  EXPECT_NE(text.find("assume_in_transaction = true\n"), std::string::npos) << text;
  EXPECT_NE(text.find("exclude = [\"migrations/archive/**\"]"), std::string::npos) << text;
  EXPECT_NE(text.find("ignore = [\"prefer-timestamptz\", \"require-concurrent-index-creation\"]\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("#   prefer-robust-stmts (in excluded_rules): no miglint equivalent"),
            std::string::npos)
      << text;
  EXPECT_EQ(converted->notes.size(), 2U);  // prefer-robust-stmts, [upload_to_github]

  // Through the CLI: the written file is a miglint.toml that `lint` loads; a second run refuses to
  // overwrite it without --force, as plain `init` does.
  cli_support::CliRun run = cli_support::run_miglint_in(dir.path(), "init --from-squawk 2>&1");
  EXPECT_EQ(run.status, 0) << run.out;
  EXPECT_NE(run.out.find("miglint: note: .squawk.toml: excluded_rules: squawk's `prefer-robust-stmts`"),
            std::string::npos)
      << run.out;
  dir.write("m/0001_x.sql", "CREATE INDEX i ON t (c);\nCREATE TABLE u (a timestamp);\n");
  cli_support::CliRun lint = cli_support::run_miglint_in(dir.path(), "lint m --format json");
  EXPECT_NE(lint.status, 2) << lint.out;  // the written miglint.toml loads
  EXPECT_EQ(lint.out.find("prefer-timestamptz"), std::string::npos) << lint.out;
  EXPECT_EQ(lint.out.find("require-concurrent-index-creation"), std::string::npos) << lint.out;
  EXPECT_NE(lint.out.find("require-lock-timeout"), std::string::npos) << lint.out;  // not ignored
  cli_support::CliRun again = cli_support::run_miglint_in(dir.path(), "init --from-squawk 2>&1");
  EXPECT_EQ(again.status, 2) << again.out;
  EXPECT_NE(again.out.find("already exists"), std::string::npos) << again.out;
  EXPECT_EQ(cli_support::run_miglint_in(dir.path(), "init --from-squawk .squawk.toml --force").status, 0);
}

TEST(InitFromSquawk, MissingFileIsAUsageError) {
  cli_support::TempDir dir("miglint-squawk");
  cli_support::CliRun run = cli_support::run_miglint_in(dir.path(), "init --from-squawk 2>&1");
  EXPECT_EQ(run.status, 2) << run.out;
  EXPECT_NE(run.out.find(".squawk.toml: no such file"), std::string::npos) << run.out;
}

TEST(SelectFlag, SquawkNameGetsAHint) {
  cli_support::TempDir dir("miglint-squawk");
  dir.write("a.sql", "SELECT 1;\n");
  cli_support::CliRun run =
      cli_support::run_miglint_in(dir.path(), "lint --ignore prefer-timestamp-tz a.sql 2>&1");
  EXPECT_EQ(run.status, 2);
  EXPECT_NE(run.out.find("squawk's name for `prefer-timestamptz`"), std::string::npos) << run.out;
}

}  // namespace
