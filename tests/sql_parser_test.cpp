#include <gtest/gtest.h>

#include "analyzer/sql/sql_parser.hpp"

using namespace miglint;

namespace {

ParsedSql parse(const std::string& text) {
  static thread_local simdjson::dom::parser parser;
  return parse_sql(text.c_str(), text.size(), parser);
}

}  // namespace

TEST(SqlParser, ParsesAWholeFile) {
  std::string text = "CREATE TABLE t (id int);\n-- c\nALTER TABLE t ADD COLUMN x int;";
  ParsedSql parsed = parse(text);
  ASSERT_EQ(parsed.statements.size(), 2U);
  EXPECT_TRUE(parsed.problems.empty());
  EXPECT_EQ(parsed.statements[0].ast.kind(), "CreateStmt");
  EXPECT_EQ(parsed.statements[1].ast.kind(), "AlterTableStmt");
  // The raw span of the second statement starts right after the first `;`.
  EXPECT_EQ(parsed.statements[1].raw.begin, 24U);
  EXPECT_EQ(parsed.statements[1].raw.end, text.size() - 1);  // before the final `;`
}

TEST(SqlParser, OneBadStatementDoesNotHideTheOthers) {
  std::string text = "DROP TABLE a;\nSELEC 1;\nDROP TABLE b;";
  ParsedSql parsed = parse(text);
  ASSERT_EQ(parsed.statements.size(), 2U);
  ASSERT_EQ(parsed.problems.size(), 1U);
  EXPECT_EQ(parsed.problems[0].offset, 14U);  // at "SELEC"
  EXPECT_TRUE(parsed.problems[0].newer_construct.empty());
  EXPECT_EQ(parsed.statements[1].location_base, text.find("DROP TABLE b"));
}

TEST(SqlParser, ErrorPositionCountsBytesNotCharacters) {
  // libpg_query's cursorpos counts characters: é and ✓ are several bytes each.
  std::string text = "SELECT 'é✓';\nSELECT 'ü' x x;";
  ParsedSql parsed = parse(text);
  ASSERT_EQ(parsed.problems.size(), 1U);
  EXPECT_EQ(parsed.problems[0].offset, text.rfind('x'));
}

TEST(SqlParser, BeginAtomicBodiesStayWhole) {
  std::string text =
      "CREATE FUNCTION f(a int) RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT CASE WHEN a > 0 THEN 1 ELSE 2 "
      "END; "
      "SELECT 3; END;\nSELEC broken;\nDROP TABLE t;";
  ParsedSql parsed = parse(text);
  ASSERT_EQ(parsed.problems.size(), 1U);
  ASSERT_EQ(parsed.statements.size(), 2U);
  EXPECT_EQ(parsed.statements[0].ast.kind(), "CreateFunctionStmt");
  EXPECT_EQ(parsed.statements[1].ast.kind(), "DropStmt");
}

TEST(SqlParser, NewerSyntaxIsRecognised) {
  ParsedSql named_not_null = parse("CREATE TABLE t (a int, CONSTRAINT a_nn NOT NULL a);");
  ASSERT_EQ(named_not_null.problems.size(), 1U);
  EXPECT_NE(named_not_null.problems[0].newer_construct.find("NOT NULL"), std::string::npos);

  ParsedSql add_not_null = parse("ALTER TABLE t ADD CONSTRAINT a_nn NOT NULL a;");
  ASSERT_EQ(add_not_null.problems.size(), 1U);
  EXPECT_FALSE(add_not_null.problems[0].newer_construct.empty());

  ParsedSql no_alias = parse("SELECT * FROM (SELECT 1);");
  ASSERT_EQ(no_alias.problems.size(), 1U);
  EXPECT_NE(no_alias.problems[0].newer_construct.find("alias"), std::string::npos);

  ParsedSql hex = parse("SELECT 0x1F;");
  ASSERT_EQ(hex.problems.size(), 1U);
  EXPECT_FALSE(hex.problems[0].newer_construct.empty());

  ParsedSql broken = parse("ALTER TABLE t ADD CONSTRAINT NOT NULL a;");
  ASSERT_EQ(broken.problems.size(), 1U);
  EXPECT_TRUE(broken.problems[0].newer_construct.empty());
}

TEST(SqlParser, LexerErrorsKeepEarlierStatements) {
  std::string text = "DROP TABLE a;\nSELECT 'unterminated;\n";
  ParsedSql parsed = parse(text);
  ASSERT_EQ(parsed.statements.size(), 1U);
  ASSERT_EQ(parsed.problems.size(), 1U);
  EXPECT_EQ(parsed.problems[0].offset, text.find('\''));
}

TEST(SqlParser, EmptyAndCommentOnlyTexts) {
  EXPECT_TRUE(parse("").statements.empty());
  EXPECT_TRUE(parse("-- nothing here\n/* at all */").statements.empty());
  EXPECT_TRUE(parse(";;;").problems.empty());
}

TEST(SqlParser, NewerLiteralsDoNotHideLaterStatements) {
  // The 15 lexer rejects 0x1F and 100_000 outright; the statements after them are still parsed.
  std::string text = "SELECT 0x1F; DROP TABLE a;\nSELECT 100_000;\nDROP TABLE b;";
  ParsedSql parsed = parse(text);
  ASSERT_EQ(parsed.problems.size(), 2U);
  EXPECT_FALSE(parsed.problems[0].newer_construct.empty());
  EXPECT_FALSE(parsed.problems[1].newer_construct.empty());
  EXPECT_EQ(parsed.problems[1].offset, text.find("100_000"));
  ASSERT_EQ(parsed.statements.size(), 2U);
  EXPECT_EQ(parsed.statements[0].ast.kind(), "DropStmt");
}

TEST(SqlParser, MoreNewerConstructs) {
  for (const char* sql :
       {"CREATE TABLE t (id int, valid tsrange, UNIQUE (id, valid WITHOUT OVERLAPS));",
        "CREATE TABLE t (a int GENERATED ALWAYS AS (1), b int);", "SELECT json_object('a' VALUE 1);",
        "ALTER TABLE t ALTER COLUMN a SET EXPRESSION AS (b + 1);",
        "ALTER TABLE t ADD CONSTRAINT c CHECK (a > 0) NOT ENFORCED;"}) {
    ParsedSql parsed = parse(sql);
    ASSERT_EQ(parsed.problems.size(), 1U) << sql;
    EXPECT_FALSE(parsed.problems[0].newer_construct.empty()) << sql;
  }
}

TEST(Tokens, EndOfCodeAgreesWithTheScanner) {
  // Statements with trailing comments, strings holding comment markers, dollar quotes, E'' strings.
  for (std::string text : {std::string("SELECT 1 -- c\n /* d /* nested */ */ "), std::string("SELECT '--x' "),
                           std::string("SELECT 'it''s' /* c */"), std::string("SELECT E'a\\'b' -- x"),
                           std::string("CREATE FUNCTION f() RETURNS int AS $body$ SELECT 1; -- $x$ $body$ "
                                       "LANGUAGE sql -- end"),
                           std::string("SELECT \"we\"\"ird\" "), std::string("SELECT $1 -- p"),
                           std::string("SELECT a$b$c FROM t /* x */")}) {
    std::vector<Token> tokens = scan_tokens(text, 0, nullptr);
    uint32_t expected = 0;
    for (const Token& token : tokens) {
      if (!token.is_comment()) {
        expected = token.end;
      }
    }
    EXPECT_EQ(end_of_code(text, 0, static_cast<uint32_t>(text.size())), expected) << text;
  }
}

TEST(Tokens, LiteTokensAgreeWithTheScannerOnAnchors) {
  // Where statements are anchored: the same token boundaries as PostgreSQL's scanner for words,
  // quoted identifiers, strings and punctuation (operators may split differently, which anchors
  // never look at).
  std::string text =
      "ALTER TABLE \"Odd \"\"Name\" ADD COLUMN a numeric(10,2) DEFAULT E'x\\'y', /* c */ DROP COLUMN b -- t\n"
      ", ALTER COLUMN c TYPE varchar(20)[] USING $$a;b$$, RENAME TO u, ADD CONSTRAINT k CHECK (x > 1.5)";
  std::vector<Token> scanned = scan_tokens(text, 0, nullptr);
  std::erase_if(scanned, [](const Token& t) { return t.is_comment(); });
  std::vector<Token> lite = lite_tokens(text, 0, static_cast<uint32_t>(text.size()));
  ASSERT_EQ(lite.size(), scanned.size());
  for (std::size_t i = 0; i < lite.size(); ++i) {
    EXPECT_EQ(lite[i].begin, scanned[i].begin) << i;
    EXPECT_EQ(lite[i].end, scanned[i].end) << i;
    if (scanned[i].kind < 256 || scanned[i].is(TokenKind::Rename) || scanned[i].is(TokenKind::Drop) ||
        scanned[i].is(TokenKind::Add) || scanned[i].is(TokenKind::Alter)) {
      EXPECT_EQ(lite[i].kind, scanned[i].kind) << i;
    }
  }
}

#include "analyzer/sql/file_model.hpp"

namespace {

int g_kind_computations = 0;
std::string counted_kind(const Statement& statement) {
  ++g_kind_computations;
  return std::string(statement.kind()) + "@" + std::to_string(statement.begin());
}

}  // namespace

// Facts several rules derive from one statement are computed once and kept with it; a copy does not
// share them (a derived fact may point at the statement it came from) and computes its own.
TEST(Statement, DerivedFactsAreComputedOnceAndNotCarriedByCopies) {
  SourceFile file("a.sql", "CREATE TABLE t (id int);\nDROP TABLE t;\n");
  FileModel model = build_model(file);
  ASSERT_EQ(model.statements.size(), 2U);
  g_kind_computations = 0;
  const Statement& create = model.statements[0];
  EXPECT_EQ(create.derived(&counted_kind), "CreateStmt@0");
  EXPECT_EQ(create.derived(&counted_kind), "CreateStmt@0");
  EXPECT_EQ(g_kind_computations, 1);
  EXPECT_EQ(model.statements[1].derived(&counted_kind), "DropStmt@25");
  EXPECT_EQ(g_kind_computations, 2);
  Statement copy = create;
  EXPECT_EQ(copy.derived(&counted_kind), "CreateStmt@0");
  EXPECT_EQ(g_kind_computations, 3);
  EXPECT_EQ(create.relation_name(), "public.t");
  EXPECT_EQ(create.span().end, 23U);  // the code's end, without the `;`
}
