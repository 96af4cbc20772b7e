// The lint driver: ignores, transaction context, schema facts across files, ordering.
#include <gtest/gtest.h>

#include <algorithm>

#include "analyzer/engine/linter.hpp"
#include "rules/batching.hpp"
#include "rules/registry.hpp"

using namespace miglint;

namespace {

// The rules these driver tests are written against (the catalog's timeout and transaction rules
// have tests of their own in fixtures/).
const std::set<std::string> kDriverTestRules = {"ban-concurrent-index-creation-in-transaction",
                                                "ban-drop-column",
                                                "ban-drop-database",
                                                "ban-drop-table",
                                                "ban-truncate-cascade",
                                                "renaming-column",
                                                "renaming-table",
                                                "require-concurrent-index-creation",
                                                "require-concurrent-index-deletion",
                                                "syntax-error",
                                                "unbatched-delete",
                                                "unbatched-update",
                                                "unsupported-syntax",
                                                "unused-ignore"};

std::vector<Finding> lint(const std::string& text, LintOptions options = {},
                          const std::string& path = "m.sql", std::set<std::string> ignore = {}) {
  RuleSet rules(all_rules(), kDriverTestRules, ignore);
  Expected<SourceFile> source = source_from_bytes(path, text);
  EXPECT_TRUE(source.has_value());
  std::vector<Finding> findings = lint_source(*source, options, rules).findings;
  std::erase_if(findings, [](const Finding& f) { return f.suppressed; });
  return findings;
}

std::vector<std::string> rule_ids(const std::vector<Finding>& findings) {
  std::vector<std::string> ids;
  for (const Finding& f : findings) {
    ids.push_back(f.rule);
  }
  return ids;
}

using Ids = std::vector<std::string>;

}  // namespace

TEST(Lint, FindingSpansCoverTheSubCommandWithoutTheSemicolon) {
  std::vector<Finding> findings = lint("ALTER TABLE users ADD COLUMN a int, DROP COLUMN b ;");
  ASSERT_EQ(findings.size(), 1U);
  EXPECT_EQ(findings[0].start, (Position{1, 37}));
  EXPECT_EQ(findings[0].end, (Position{1, 50}));
}

TEST(Lint, StatementSpansSkipLeadingCommentsAndTrailingTrivia) {
  std::vector<Finding> findings = lint("/* a */ -- b\n  DROP TABLE t /* trailing */ ;");
  ASSERT_EQ(findings.size(), 1U);
  EXPECT_EQ(findings[0].start, (Position{2, 3}));
  EXPECT_EQ(findings[0].end, (Position{2, 15}));
}

TEST(Lint, IgnoreSilencesTheNextStatementOnly) {
  std::string text =
      "-- miglint-ignore ban-drop-table -- archived in ticket 12\n"
      "DROP TABLE a;\n"
      "DROP TABLE b;\n";
  std::vector<Finding> findings = lint(text);
  ASSERT_EQ(rule_ids(findings), (Ids{"ban-drop-table"}));
  EXPECT_EQ(findings[0].start.line, 3U);

  RuleSet rules(all_rules(), kDriverTestRules, {});
  Expected<SourceFile> source = source_from_bytes("m.sql", text);
  FileResult result = lint_source(*source, {}, rules);
  auto suppressed = std::find_if(result.findings.begin(), result.findings.end(),
                                 [](const Finding& f) { return f.suppressed; });
  ASSERT_NE(suppressed, result.findings.end());
  EXPECT_EQ(suppressed->suppression_reason.str(), "archived in ticket 12");
}

TEST(Lint, IgnoreFileAndUnusedIgnores) {
  std::string text =
      "-- miglint-ignore-file ban-drop-column\n"
      "-- miglint-ignore renaming-table, no-such-rule\n"
      "ALTER TABLE t DROP COLUMN c;\n";
  std::vector<Finding> findings = lint(text);
  EXPECT_EQ(rule_ids(findings), (Ids{"unused-ignore", "unused-ignore"}));
  // A rule disabled in this run is not reported as unused.
  EXPECT_EQ(rule_ids(lint(text, {}, "m.sql", {"renaming-table"})), (Ids{"unused-ignore"}));
}

TEST(Lint, SyntaxErrorsCannotBeIgnoredOrDisabled) {
  std::string text = "-- miglint-ignore syntax-error\nSELEC 1;\n";
  EXPECT_EQ(rule_ids(lint(text, {}, "m.sql", {"syntax-error"})), (Ids{"unused-ignore", "syntax-error"}));
}

TEST(Lint, ConcurrentlyInsideExplicitOrAssumedTransactions) {
  EXPECT_EQ(rule_ids(lint("BEGIN;\nCREATE INDEX CONCURRENTLY i ON t (a);\nCOMMIT;")),
            (Ids{"ban-concurrent-index-creation-in-transaction"}));
  EXPECT_TRUE(lint("CREATE INDEX CONCURRENTLY i ON t (a);").empty());
  LintOptions wrapped;
  wrapped.assume_in_transaction = true;
  // A file of only CONCURRENTLY statements (and SETs) runs unwrapped even then.
  EXPECT_TRUE(
      lint("SET lock_timeout = '2s';\nCREATE INDEX CONCURRENTLY i ON t (a);\nDROP INDEX CONCURRENTLY j;",
           wrapped)
          .empty());
  EXPECT_EQ(rule_ids(lint("ALTER TABLE t ADD COLUMN a int;\nCREATE INDEX CONCURRENTLY i ON t (a);", wrapped)),
            (Ids{"ban-concurrent-index-creation-in-transaction"}));
  EXPECT_TRUE(
      lint(
          "-- miglint-no-transaction\nALTER TABLE t ADD COLUMN a int;\nCREATE INDEX CONCURRENTLY i ON t (a);",
          wrapped)
          .empty());
  // After COMMIT the wrapping transaction is over.
  EXPECT_TRUE(lint("BEGIN;\nALTER TABLE t ADD COLUMN a int;\nCOMMIT;\nCREATE INDEX CONCURRENTLY i ON t (a);")
                  .empty());
}

TEST(Lint, DbmateSections) {
  std::string wrapped =
      "-- migrate:up\nCREATE INDEX CONCURRENTLY i ON t (a);\n-- migrate:down\nDROP INDEX i;\n";
  EXPECT_EQ(rule_ids(lint(wrapped)),
            (Ids{"ban-concurrent-index-creation-in-transaction", "require-concurrent-index-deletion"}));
  std::string unwrapped =
      "-- migrate:up transaction:false\nCREATE INDEX CONCURRENTLY i ON t (a);\n"
      "-- migrate:down transaction:false\nDROP INDEX CONCURRENTLY i;\n";
  EXPECT_TRUE(lint(unwrapped).empty());
  // The down section does not see the up section's objects.
  std::string created = "-- migrate:up\nCREATE TABLE t (a int);\n-- migrate:down\nCREATE INDEX i ON t (a);\n";
  EXPECT_EQ(rule_ids(lint(created)), (Ids{"require-concurrent-index-creation"}));
}

TEST(Lint, ObjectsCreatedInTheFileAreExempt) {
  EXPECT_TRUE(lint("CREATE TABLE t (a int);\nCREATE INDEX i ON t (a);\nUPDATE t SET a = 1;\n"
                   "ALTER TABLE t RENAME COLUMN a TO b;\nALTER TABLE t DROP COLUMN b;\nDROP INDEX i;\n"
                   "ALTER TABLE t RENAME TO u;\nCREATE INDEX j ON u (a);\nDROP TABLE public.u;")
                  .empty());
  // Schema-qualified and unqualified names meet in `public`; other schemas do not.
  EXPECT_EQ(rule_ids(lint("CREATE TABLE app.t (a int);\nCREATE INDEX i ON t (a);")),
            (Ids{"require-concurrent-index-creation"}));
}

TEST(Lint, UnbatchedUpdateMentionsAccessExclusiveHeldByEarlierDdl) {
  std::vector<Finding> findings =
      lint("BEGIN;\nALTER TABLE users ADD COLUMN flag bool;\nUPDATE users SET flag = false;\nCOMMIT;");
  ASSERT_EQ(rule_ids(findings), (Ids{"unbatched-update"}));
  EXPECT_NE(findings[0].message.find("ACCESS EXCLUSIVE on \"users\""), std::string::npos);
  std::vector<Finding> alone = lint("UPDATE users SET flag = false;");
  ASSERT_EQ(alone.size(), 1U);
  EXPECT_EQ(alone[0].message.find("ACCESS EXCLUSIVE"), std::string::npos);
}

TEST(Lint, FindingsAreSortedByPositionThenRule) {
  std::vector<Finding> findings = lint("DROP TABLE a; DROP INDEX i;\nALTER TABLE t RENAME COLUMN a TO b;");
  ASSERT_EQ(findings.size(), 3U);
  EXPECT_TRUE(std::is_sorted(findings.begin(), findings.end(), [](const Finding& x, const Finding& y) {
    return std::tie(x.start, x.end) < std::tie(y.start, y.end);
  }));
}

namespace {

bool batched(const std::string& sql) {
  static thread_local simdjson::dom::parser parser;
  Expected<SourceFile> source = source_from_bytes("b.sql", sql);
  RuleSet rules(all_rules(), {"unbatched-update", "unbatched-delete"}, {});
  return lint_source(*source, {}, rules).findings.empty();
}

}  // namespace

TEST(Batching, RecognisedForms) {
  EXPECT_TRUE(batched("UPDATE t SET a = 1 WHERE id >= 1 AND id < 1000"));
  EXPECT_TRUE(batched("UPDATE t SET a = 1 WHERE $1 <= id AND id < $2 AND a IS NULL"));
  EXPECT_TRUE(batched("UPDATE t SET a = 1 WHERE ctid BETWEEN '(0,0)'::tid AND '(100,0)'::tid"));
  EXPECT_TRUE(batched("UPDATE t SET a = 1 WHERE id = 5"));
  EXPECT_TRUE(batched("DELETE FROM t WHERE id IN (1, 2, 3)"));
  EXPECT_TRUE(batched("DELETE FROM t WHERE id = ANY($1::bigint[])"));
  EXPECT_TRUE(
      batched("UPDATE t SET a = 1 WHERE id IN (SELECT id FROM t WHERE a IS NULL LIMIT 1000 FOR UPDATE "
              "SKIP LOCKED)"));
  EXPECT_TRUE(
      batched("UPDATE t SET a = 1 WHERE id = ANY(ARRAY(SELECT id FROM t WHERE a IS NULL LIMIT 500))"));
  EXPECT_TRUE(
      batched("WITH b AS (SELECT id FROM t WHERE a IS NULL LIMIT 100) UPDATE t SET a = 1 FROM b "
              "WHERE t.id = b.id"));
  EXPECT_TRUE(batched("WITH b AS (SELECT id FROM t LIMIT 100) DELETE FROM t WHERE id IN (SELECT id FROM b)"));
  EXPECT_TRUE(batched("DELETE FROM t USING (SELECT id FROM t LIMIT 10) s WHERE t.id = s.id"));
}

TEST(Batching, UnbatchedForms) {
  EXPECT_FALSE(batched("UPDATE t SET a = 1"));
  EXPECT_FALSE(batched("UPDATE t SET a = 1 WHERE a IS NULL"));
  EXPECT_FALSE(batched("UPDATE t SET a = 1 WHERE id > 1000"));
  EXPECT_FALSE(batched("UPDATE t SET a = 1 WHERE id >= 1 OR id < 10"));
  EXPECT_FALSE(batched("UPDATE t SET a = 1 WHERE id > 1 AND other < 10"));
  EXPECT_FALSE(batched("DELETE FROM t WHERE id IN (SELECT id FROM u)"));
  EXPECT_FALSE(batched("UPDATE t SET a = 1 WHERE id = other_id"));
  EXPECT_FALSE(batched("WITH b AS (SELECT id FROM t) UPDATE t SET a = 1 FROM b WHERE t.id = b.id"));
}

TEST(Lint, TrailingIgnoreAppliesToTheStatementOnItsLine) {
  std::vector<Finding> findings =
      lint("DROP TABLE a; -- miglint-ignore ban-drop-table -- reviewed\nDROP TABLE b;\n");
  ASSERT_EQ(rule_ids(findings), (Ids{"ban-drop-table"}));
  EXPECT_EQ(findings[0].start.line, 2U);
}

TEST(Lint, OtherConcurrentOperationsInTransactions) {
  EXPECT_EQ(rule_ids(lint("BEGIN;\nREINDEX INDEX CONCURRENTLY i;\nCOMMIT;")),
            (Ids{"ban-concurrent-index-creation-in-transaction"}));
  EXPECT_EQ(rule_ids(lint("BEGIN;\nALTER TABLE p DETACH PARTITION c CONCURRENTLY;\nCOMMIT;")),
            (Ids{"ban-concurrent-index-creation-in-transaction"}));
}

TEST(Batching, EdgeForms) {
  EXPECT_FALSE(batched("UPDATE t SET a = 1 WHERE id > ANY (SELECT id FROM t LIMIT 1)"));
  EXPECT_FALSE(batched("UPDATE t SET a = 1 WHERE id IN (SELECT id FROM t LIMIT ALL)"));
  EXPECT_FALSE(batched("UPDATE t SET a = 1 FROM (SELECT id FROM t LIMIT 10) s"));
  EXPECT_TRUE(batched("UPDATE t AS u SET a = 1 WHERE u.id >= 1 AND id < 100"));
  EXPECT_TRUE(batched("DELETE FROM t WHERE id IN (WITH b AS (SELECT id FROM t LIMIT 10) SELECT id FROM b)"));
  EXPECT_TRUE(batched("DELETE FROM t WHERE id = (SELECT max(id) FROM t)"));
}

// A file of 1 MB or more is parsed in pieces and its comments scanned in windows (bounded memory):
// an ignore comment and the statements far into it are found where they are.
TEST(Linter, LargeFilesAreReadInPiecesWithFindingsWhereTheyAre) {
  std::string filler;
  int filler_lines = 0;
  for (; filler.size() < (std::size_t{3} << 20); ++filler_lines) {
    filler += "INSERT INTO seed (id, name) VALUES (" + std::to_string(filler_lines) + ", 'n');\n";
  }
  std::string text = filler + "-- miglint-ignore ban-drop-table -- retired in 2024\nDROP TABLE old_a;\n" +
                     filler + "DROP TABLE old_b;\n";
  RuleSet rules(all_rules(), {"ban-drop-table"}, {});
  Expected<SourceFile> source = source_from_bytes("big.sql", text);
  ASSERT_TRUE(source.has_value());
  std::vector<Finding> findings = lint_source(*source, {}, rules).findings;
  ASSERT_EQ(findings.size(), 2U);
  EXPECT_EQ(findings[0].rule, "ban-drop-table");
  EXPECT_EQ(findings[0].start.line, static_cast<uint32_t>(filler_lines + 2));
  EXPECT_TRUE(findings[0].suppressed);
  EXPECT_EQ(findings[1].rule, "ban-drop-table");
  EXPECT_EQ(findings[1].start.line, static_cast<uint32_t>(2 * filler_lines + 3));
  EXPECT_EQ(findings[1].start.column, 1U);
  EXPECT_FALSE(findings[1].suppressed);
}
