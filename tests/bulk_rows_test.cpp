// Constant rows of INSERT ... VALUES left out of the parse tree (analyzer/sql/bulk_rows.hpp): which
// rows are blanked, and that linting with them blanked finds exactly what linting without does,
// over every fixture and the shared corpus.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "analyzer/engine/linter.hpp"
#include "analyzer/sql/bulk_rows.hpp"
#include "rules/registry.hpp"

using namespace miglint;

namespace {

namespace fs = std::filesystem;

// The text with blanked bytes shown as `_` (only where the original had no space).
std::string blanked(const std::string& sql) {
  std::optional<std::string> condensed = without_bulk_rows(sql);
  if (!condensed) {
    return sql;
  }
  EXPECT_EQ(condensed->size(), sql.size());
  std::string shown = *condensed;
  for (std::size_t i = 0; i < sql.size(); ++i) {
    if (shown[i] != sql[i]) {
      EXPECT_EQ(shown[i], ' ');
      shown[i] = '_';
    }
  }
  return shown;
}

TEST(BulkRows, BlanksAllButTheFirstValueOfConstantRows) {
  EXPECT_EQ(blanked("INSERT INTO t (a, b) VALUES (1, 'x'), (-2.5, NULL), (DEFAULT, TRUE);"),
            "INSERT INTO t (a, b) VALUES (1_ ___)_ ______ ______ _________ _____;");
  // A single value is already as small as it gets.
  EXPECT_EQ(without_bulk_rows("INSERT INTO t VALUES (1);"), std::nullopt);
  // Comments between rows stay (an ignore comment may be one); line breaks in strings too.
  EXPECT_EQ(blanked("insert into s.t values (1, 2), -- c\n('a\nb', 3) on conflict do nothing"),
            "insert into s.t values (1_ _)_ -- c\n___\n___ __ on conflict do nothing");
}

TEST(BulkRows, KeepsRowsThatAreNotConstant) {
  const std::string kept[] = {
      "INSERT INTO t VALUES (1, x), (2, \"y\");",
      "INSERT INTO t VALUES (1, $1), (2, $2);",
      "INSERT INTO t VALUES (1, (SELECT 1)), (2, ROW(x));",
      "INSERT INTO t VALUES (1, 1e5), (2, $$x$$);",
      // Columns and relations behind calls, casts and qualified names.
      "INSERT INTO t VALUES (1, x::int), (2, s.t.c);",
      "INSERT INTO t VALUES (1, coalesce(x, 1)), (2, lower(\"Y\"));",
      "INSERT INTO t VALUES (1, f((SELECT 1))), (2, ARRAY(SELECT 1));",
      "INSERT INTO t VALUES (1, f(1) || x), (2, EXISTS (TABLE u));",
      "INSERT INTO t VALUES (1, ARRAY[1, 2]), (2, now()::date + x);",
      "INSERT INTO t VALUES (1, CAST(x AS int)), (2, s.f(y));",
      "INSERT INTO t SELECT * FROM (VALUES (1, 2), (3, 4)) v;",
      "INSERT INTO t DEFAULT VALUES;",
      "WITH x AS (SELECT 1) INSERT INTO t VALUES (1, 2), (3, 4);",
      "SELECT * FROM (VALUES (1, 2), (3, 4)) v;",
      "CREATE FUNCTION f() RETURNS void LANGUAGE sql BEGIN ATOMIC INSERT INTO t VALUES (1, 2), (3, 4); END;",
  };
  for (const std::string& sql : kept) {
    EXPECT_EQ(without_bulk_rows(sql), std::nullopt) << sql;
  }
  // Only the constant rows go: the others stay whole.
  EXPECT_EQ(blanked("INSERT INTO t VALUES (x, 1), (2, 3), (y, 4), (5, 6);"),
            "INSERT INTO t VALUES (x, 1)_ ___ __, (y, 4)_ ___ __;");
}

TEST(BulkRows, BlanksRowsThatCallFunctionsOrCastConstants) {
  // Calls, typed literals, value keywords and casts of constants name no column and no relation:
  // a seed file's `now()` in every row no longer keeps each row's parse tree.
  EXPECT_EQ(blanked("INSERT INTO t VALUES (1, now()), (2, now());"),
            "INSERT INTO t VALUES (1_ _____)_ ___ ______;");
  EXPECT_EQ(blanked("INSERT INTO t VALUES (1, 'a'::mood), (2, 'b'::public.\"Mood\"[]);"),
            "INSERT INTO t VALUES (1_ _________)_ ___ _____________________;");
  EXPECT_EQ(blanked("INSERT INTO t VALUES ('x', E'a\\n'), (DATE '2020-01-01', interval '1 day');"),
            "INSERT INTO t VALUES ('x'_ ______)_ _____ _____________ ________ __ _____;");
  EXPECT_EQ(
      blanked("INSERT INTO t VALUES (1, CURRENT_TIMESTAMP), (2, gen_random_uuid()), (3, s.f('x', 2)::text);"),
      "INSERT INTO t VALUES (1_ _________________)_ ___ ___________________ ___ ________ _________;");
  EXPECT_EQ(blanked("INSERT INTO t VALUES (1, '1.5'::numeric(10, 2)), (2, now()::timestamp with time zone);"),
            "INSERT INTO t VALUES (1_ __________________ __)_ ___ ________________ ____ ____ _____;");
  // With a label added before, a string a typed literal spells (E'...') may be that label.
  EXPECT_EQ(without_bulk_rows("ALTER TYPE mood ADD VALUE 'x';\nINSERT INTO p VALUES (1, E'a'), (2, E'b');"),
            std::nullopt);
  EXPECT_EQ(blanked("ALTER TYPE mood ADD VALUE 'x';\nINSERT INTO p VALUES (1, now()), (2, lower('x'));"),
            "ALTER TYPE mood ADD VALUE 'x';\nINSERT INTO p VALUES (1_ _____), (2, lower('x'));");
}

TEST(BulkRows, KeepsRowsThatMayHoldAnEnumLabelAddedBefore) {
  std::string sql =
      "ALTER TYPE mood ADD VALUE 'ecstatic';\n"
      "INSERT INTO people (name, mood) VALUES ('a', 'happy'), ('b', 'ecstatic'), ('c', 'sad');";
  std::string shown = blanked(sql);
  EXPECT_NE(shown.find("('b', 'ecstatic')"), std::string::npos) << shown;
  EXPECT_EQ(shown.find("'sad'"), std::string::npos) << shown;
  // A label written with escapes could be anywhere: every row with a string stays.
  EXPECT_EQ(
      without_bulk_rows("ALTER TYPE mood ADD VALUE E'x';\nINSERT INTO p VALUES ('a', 'b'), ('c', 'd');"),
      std::nullopt);
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string describe(const std::vector<Finding>& findings) {
  std::string out;
  for (const Finding& f : findings) {
    out += f.rule + " " + std::to_string(f.span.begin) + "-" + std::to_string(f.span.end) + " " +
           std::to_string(f.start.line) + ":" + std::to_string(f.start.column) + "-" +
           std::to_string(f.end.line) + ":" + std::to_string(f.end.column) + " " + f.message + " " +
           (f.suppressed ? "suppressed " : "") + f.statement_key + "#" +
           std::to_string(f.statement_occurrence) + "\n";
  }
  return out;
}

// Lints `path` with and without condensing (statement keys on, as SARIF asks for them); returns
// false when the file could not be read.
void expect_same_findings(const fs::path& path, const LintOptions& base, const RuleSet& rules, int& files,
                          int& condensed) {
  std::string bytes = read_file(path);
  Expected<SourceFile> source = source_from_bytes(path.string(), bytes);
  if (!source) {
    return;
  }
  ++files;
  condensed += without_bulk_rows(bytes) ? 1 : 0;
  LintOptions with = base;
  with.statement_keys = true;
  LintOptions without = with;
  without.condense_bulk_rows = false;
  EXPECT_EQ(describe(lint_source(*source, with, rules).findings),
            describe(lint_source(*source, without, rules).findings))
      << path;
}

TEST(BulkRows, ChangesNoFindingOnFixturesOrCorpus) {
  RuleSet rules(all_rules(), {}, {});
  int files = 0;
  int condensed = 0;
  std::vector<fs::path> roots = {fs::path(MIGLINT_SOURCE_DIR) / "fixtures",
                                 fs::path(MIGLINT_SOURCE_DIR) / "examples",
                                 fs::path(MIGLINT_SOURCE_DIR) / ".." / "shared" / "corpus" / "sql"};
  for (const fs::path& root : roots) {
    if (!fs::exists(root)) {
      continue;
    }
    for (const auto& entry : fs::recursive_directory_iterator(root)) {
      if (entry.is_regular_file() && entry.path().extension() == ".sql") {
        for (bool wrapped : {false, true}) {
          LintOptions options;
          options.assume_in_transaction = wrapped;
          expect_same_findings(entry.path(), options, rules, files, condensed);
        }
      }
    }
  }
  EXPECT_GT(files, 100);
  EXPECT_GT(condensed, 0);  // some files do have rows to leave out
  std::cout << files / 2 << " files, " << condensed / 2 << " with rows left out\n";
}

TEST(BulkRows, ChangesNoFindingOnStatementsThatTouchRows) {
  RuleSet rules(all_rules(), {}, {});
  const std::string cases[] = {
      // The enum rule reads INSERT values: a label added in the transaction, used in row 3.
      "CREATE TABLE p (name text, mood mood);\nBEGIN;\nALTER TYPE mood ADD VALUE 'ecstatic';\n"
      "INSERT INTO p (name, mood) VALUES ('a', 'happy'), ('b', 'sad'), ('c', 'ecstatic'), ('d', 'ok');\n"
      "COMMIT;\n",
      // A syntax error in a statement whose rows are blanked: the same span and message.
      "INSERT INTO t (a b) VALUES (1, 2), (3, 4),\n(5, 6);\nDROP TABLE t;\n",
      "INSERT INTO t VALUES (1, 2), (3, 4) ON CONFLICT garbage;\nDROP TABLE t;\n",
      // An unterminated string after rows.
      "INSERT INTO t VALUES (1, 2), (3, 4);\nDROP TABLE u;\nSELECT 'open\n",
      // Ignore comments between and after rows.
      "INSERT INTO t VALUES (1, 2), -- miglint-ignore ban-drop-table\n(3, 4);\nDROP TABLE t;\n"
      "INSERT INTO t VALUES (1, 2), (3, 4); -- miglint-ignore ban-drop-table\nDROP TABLE t;\n",
      // DML after DDL, locks and statements after an ACCESS EXCLUSIVE lock.
      "BEGIN;\nALTER TABLE t ADD COLUMN c int;\nINSERT INTO t VALUES (1, 2), (3, 4);\nCOMMIT;\n",
  };
  for (const std::string& sql : cases) {
    ASSERT_TRUE(without_bulk_rows(sql).has_value()) << sql;
    SourceFile source("m.sql", sql);
    for (bool wrapped : {false, true}) {
      LintOptions with;
      with.assume_in_transaction = wrapped;
      with.statement_keys = true;
      LintOptions without = with;
      without.condense_bulk_rows = false;
      std::string expected = describe(lint_source(source, without, rules).findings);
      EXPECT_EQ(describe(lint_source(source, with, rules).findings), expected) << sql;
      EXPECT_FALSE(expected.empty()) << sql;
    }
  }
}

// Rows made of random pieces (calls, casts, typed literals, columns, subqueries, parameters,
// enum labels, broken syntax), in a transaction that adds an enum label: whatever is blanked, the
// findings are those of the text not condensed.
TEST(BulkRows, ChangesNoFindingOnRowsOfRandomPieces) {
  RuleSet rules(all_rules(), {}, {});
  const std::string pieces[] = {
      "1",
      "-2.5",
      "'a'",
      "'ecstatic'",
      "NULL",
      "DEFAULT",
      "now()",
      "x",
      "\"Y\"",
      "$1",
      "E'ecs\\x74atic'",
      "DATE '2020-01-01'",
      "'b'::mood",
      "'ecstatic'::mood",
      "s.f(1, 'a')",
      "lower(x)",
      "(SELECT 1)",
      "ARRAY[1]",
      "CURRENT_TIMESTAMP",
      "now()::date",
      "'1'::numeric(10, 2)",
      "CAST(1 AS int)",
      "x::int",
      "1 +",
      ",",
      "(",
      "ROW(1, 'a')",
      "coalesce(NULL, 'ecstatic')",
      "'{}'::text[]",
      "gen_random_uuid()",
      "t.c",
      // Syntax errors made of the same tokens: a row holding one must be kept, or the error is lost.
      "from(1)",
      "int(5)",
      "'a'::text foo",
      "'x'::timestamp with",
      "now() 1",
      "f(,)",
      "'a'::$1",
      "(1)",
      "'a' 'b'",
      "select(1)",
      "'a'::",
      "f(1",
      "::int",
      "DEFAULT(1)",
      "current_timestamp(0)",
      "'1'::timestamp(3) with time zone",
      "interval '1 day'",
      "s.f 'x'",
      "'b'::\"Mood\"[]",
      "-'1'",
      "'a': :int",
  };
  uint32_t seed = 12345;
  auto next = [&](uint32_t bound) {
    seed = seed * 1103515245u + 12345u;
    return (seed >> 16) % bound;
  };
  int condensed = 0;
  for (int round = 0; round < 1000; ++round) {
    std::string sql = "CREATE TABLE p (a int, b mood);\nBEGIN;\n";
    if (next(2) == 0) {
      sql += "ALTER TYPE mood ADD VALUE 'ecstatic';\n";
    }
    sql += "INSERT INTO p (a, b) VALUES ";
    uint32_t rows = 2 + next(5);
    for (uint32_t r = 0; r < rows; ++r) {
      sql += r > 0 ? ", (" : "(";
      uint32_t values = 1 + next(3);
      for (uint32_t v = 0; v < values; ++v) {
        sql += (v > 0 ? ", " : "") + pieces[next(std::size(pieces))];
      }
      sql += ")";
    }
    sql += ";\nCOMMIT;\nDROP TABLE q;\n";
    condensed += without_bulk_rows(sql) ? 1 : 0;
    SourceFile source("m.sql", sql);
    LintOptions with;
    with.statement_keys = true;
    LintOptions without = with;
    without.condense_bulk_rows = false;
    EXPECT_EQ(describe(lint_source(source, with, rules).findings),
              describe(lint_source(source, without, rules).findings))
        << sql;
  }
  EXPECT_GT(condensed, 100);  // the pieces do make rows to leave out
}

}  // namespace
