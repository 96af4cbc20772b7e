#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "analyzer/sql/lexer_cost.hpp"
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

  ParsedSql not_valid = parse("ALTER TABLE t ADD CONSTRAINT a_nn NOT NULL a NOT VALID;");
  ASSERT_EQ(not_valid.problems.size(), 1U);
  EXPECT_NE(not_valid.problems[0].newer_construct.find("NOT VALID"), std::string::npos);

  ParsedSql repack = parse("REPACK (CONCURRENTLY) t;");
  ASSERT_EQ(repack.problems.size(), 1U);
  EXPECT_NE(repack.problems[0].newer_construct.find("REPACK"), std::string::npos);

  // PostgreSQL 16 syntax the 15 grammar rejected: the 17 grammar parses it.
  ParsedSql no_alias = parse("SELECT * FROM (SELECT 1);");
  EXPECT_TRUE(no_alias.problems.empty());
  ASSERT_EQ(no_alias.statements.size(), 1U);

  ParsedSql hex = parse("SELECT 0x1F;");
  EXPECT_TRUE(hex.problems.empty());
  ASSERT_EQ(hex.statements.size(), 1U);

  ParsedSql broken = parse("ALTER TABLE t ADD CONSTRAINT NOT NULL a;");
  ASSERT_EQ(broken.problems.size(), 1U);
  EXPECT_TRUE(broken.problems[0].newer_construct.empty());
}

// Newer syntax whose PostgreSQL 17 stand-in parses (analyzer/sql/newer_syntax.hpp): the problem stays
// (the note), and the stand-in is a statement in file order, with file offsets for its nodes.
TEST(SqlParser, StandInsForNewerSyntaxAreParsedInPlace) {
  std::string text =
      "DROP TABLE a;\nALTER TABLE t ADD COLUMN x int, ADD CONSTRAINT t_c_nn NOT NULL c;\nDROP TABLE b;";
  ParsedSql parsed = parse(text);
  ASSERT_EQ(parsed.problems.size(), 1U);
  EXPECT_NE(parsed.problems[0].checked_as.find("ALTER COLUMN c SET NOT NULL"), std::string::npos)
      << parsed.problems[0].checked_as;
  ASSERT_EQ(parsed.statements.size(), 3U);
  const ParsedStatement& stand_in = parsed.statements[1];
  EXPECT_TRUE(stand_in.stand_in);
  EXPECT_FALSE(parsed.statements[0].stand_in);
  EXPECT_EQ(stand_in.ast.kind(), "AlterTableStmt");
  EXPECT_EQ(stand_in.raw.begin, text.find("ALTER"));
  Node cmds = stand_in.ast.body()["cmds"];
  ASSERT_EQ(cmds.size(), 2U);
  EXPECT_EQ(cmds.at(1).as("AlterTableCmd")["subtype"].str(), "AT_SetNotNull");
  // The relation's location is its offset in the file.
  EXPECT_EQ(
      static_cast<uint32_t>(stand_in.location_base + stand_in.ast.body()["relation"]["location"].integer()),
      text.find("t ADD"));

  // REPACK's stand-in is shorter or longer before the table name: the name's offset still holds.
  std::string repack_text = "REPACK billing.invoices;";
  ParsedSql repack = parse(repack_text);
  ASSERT_EQ(repack.statements.size(), 1U);
  EXPECT_EQ(repack.statements[0].ast.kind(), "ClusterStmt");
  EXPECT_EQ(static_cast<uint32_t>(repack.statements[0].location_base +
                                  repack.statements[0].ast.body()["relation"]["location"].integer()),
            repack_text.find("billing"));
  ParsedSql concurrently = parse("REPACK (CONCURRENTLY) t;");
  ASSERT_EQ(concurrently.statements.size(), 1U);
  EXPECT_EQ(concurrently.statements[0].ast.kind(), "VacuumStmt");

  // A virtual generated column reads as a plain one; NOT ENFORCED as NOT VALID.
  ParsedSql virtual_column = parse("ALTER TABLE t ADD COLUMN total int GENERATED ALWAYS AS (a * 2) VIRTUAL;");
  ASSERT_EQ(virtual_column.statements.size(), 1U);
  EXPECT_FALSE(virtual_column.statements[0].ast.body()["cmds"].at(0).as("AlterTableCmd")["def"].as(
      "ColumnDef")["constraints"]);
  ParsedSql not_enforced = parse("ALTER TABLE t ADD CONSTRAINT c CHECK (a > 0) NOT ENFORCED;");
  ASSERT_EQ(not_enforced.statements.size(), 1U);
  EXPECT_TRUE(not_enforced.statements[0]
                  .ast.body()["cmds"]
                  .at(0)
                  .as("AlterTableCmd")["def"]
                  .as("Constraint")["skip_validation"]
                  .boolean());

  // A real syntax error gets no stand-in.
  ParsedSql broken = parse("ALTER TABLE t ADD CONSTRAINT NOT NULL a;");
  EXPECT_TRUE(broken.statements.empty());
  EXPECT_TRUE(broken.problems[0].checked_as.empty());
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
  // The 15 lexer rejected 0x1F and 100_000 outright; the 17 lexer reads them (PostgreSQL 16).
  std::string text = "SELECT 0x1F; DROP TABLE a;\nSELECT 100_000;\nDROP TABLE b;";
  ParsedSql parsed = parse(text);
  EXPECT_TRUE(parsed.problems.empty());
  ASSERT_EQ(parsed.statements.size(), 4U);
  EXPECT_EQ(parsed.statements[1].ast.kind(), "DropStmt");
}

TEST(SqlParser, MoreNewerConstructs) {
  for (const char* sql :
       {"CREATE TABLE t (id int, valid tsrange, UNIQUE (id, valid WITHOUT OVERLAPS));",
        "CREATE TABLE t (a int GENERATED ALWAYS AS (1), b int);", "REPACK;", "REPACK t USING INDEX t_pkey;",
        "ALTER TABLE t ADD CONSTRAINT c CHECK (a > 0) NOT ENFORCED;"}) {
    ParsedSql parsed = parse(sql);
    ASSERT_EQ(parsed.problems.size(), 1U) << sql;
    EXPECT_FALSE(parsed.problems[0].newer_construct.empty()) << sql;
  }
  // PostgreSQL 16 and 17 syntax the 15 grammar rejected: parsed now.
  for (const char* sql :
       {"SELECT json_object('a' VALUE 1);", "ALTER TABLE t ALTER COLUMN a SET EXPRESSION AS (b + 1);",
        "MERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN DELETE RETURNING *;"}) {
    ParsedSql parsed = parse(sql);
    EXPECT_TRUE(parsed.problems.empty()) << sql;
    EXPECT_EQ(parsed.statements.size(), 1U) << sql;
  }
}

namespace {

// Two statements' trees are the same when every field is, `location`s compared as offsets in the
// file (each tree's base added; JSON leaves out a location of 0, which is then the base; -1 is
// unknown in both).
void expect_same_tree(const nlohmann::json& a, uint32_t base_a, const nlohmann::json& b, uint32_t base_b,
                      const std::string& where) {
  ASSERT_EQ(a.type(), b.type()) << where;
  if (a.is_object()) {
    auto at = [](const nlohmann::json& node, uint32_t base) {  // -1: no position known
      int64_t location = node.value("location", int64_t{0});
      return location < 0 ? int64_t{-1} : location + base;
    };
    if (a.contains("location") || b.contains("location")) {
      ASSERT_EQ(at(a, base_a), at(b, base_b)) << where << "/location";
    }
    for (const auto& [key, value] : b.items()) {
      ASSERT_TRUE(key == "location" || a.contains(key)) << where << "/" << key;
    }
    for (const auto& [key, value] : a.items()) {
      if (key != "location") {
        ASSERT_TRUE(b.contains(key)) << where << "/" << key;
        expect_same_tree(value, base_a, b[key], base_b, where + "/" + key);
      }
    }
  } else if (a.is_array()) {
    ASSERT_EQ(a.size(), b.size()) << where;
    for (std::size_t i = 0; i < a.size(); ++i) {
      expect_same_tree(a[i], base_a, b[i], base_b, where + "/" + std::to_string(i));
    }
  } else {
    ASSERT_EQ(a, b) << where;
  }
}

nlohmann::json tree_of(const ParsedStatement& statement) {
  return nlohmann::json::parse(simdjson::to_string(statement.ast.element()));
}

// Parses `text` whole and in pieces of at least `piece` bytes; both must give the same statements.
// Returns the number of statements compared (0 when the text does not parse whole).
std::size_t expect_chunks_agree(const std::string& text, std::size_t piece, const std::string& name) {
  simdjson::dom::parser whole_parser;
  simdjson::dom::parser chunk_parser;
  ParsedSql whole = parse_sql(text.c_str(), text.size(), whole_parser, {}, Chunking{SIZE_MAX, 0});
  ParsedSql chunked = parse_sql(text.c_str(), text.size(), chunk_parser, {}, Chunking{0, piece});
  if (!whole.problems.empty()) {
    return 0;  // the pieces are not used: the text is parsed whole then split, as before
  }
  EXPECT_TRUE(chunked.problems.empty()) << name;
  EXPECT_EQ(chunked.statements.size(), whole.statements.size()) << name;
  if (chunked.statements.size() != whole.statements.size()) {
    return 0;
  }
  for (std::size_t i = 0; i < whole.statements.size(); ++i) {
    const ParsedStatement& a = whole.statements[i];
    const ParsedStatement& b = chunked.statements[i];
    EXPECT_EQ(a.raw.begin, b.raw.begin) << name << " statement " << i;
    EXPECT_EQ(a.raw.end, b.raw.end) << name << " statement " << i;
    expect_same_tree(tree_of(a), a.location_base, tree_of(b), b.location_base,
                     name + " statement " + std::to_string(i));
  }
  return whole.statements.size();
}

}  // namespace

// Large files are parsed in pieces (each statement its own piece here, the hardest case): the
// statements, their spans and every node's position are those of the whole-text parse, for every
// fixture, example and corpus file that parses. The pieces' documents are compacted, so this also
// checks the compaction against the parser's own document.
TEST(SqlParser, PiecesGiveTheSameTreesAsTheWholeText) {
  namespace fs = std::filesystem;
  std::size_t files = 0;
  std::size_t statements = 0;
  std::vector<fs::path> roots = {fs::path(MIGLINT_SOURCE_DIR) / "fixtures",
                                 fs::path(MIGLINT_SOURCE_DIR) / "examples",
                                 fs::path(MIGLINT_SOURCE_DIR) / ".." / "shared" / "corpus" / "sql"};
  for (const fs::path& root : roots) {
    if (!fs::exists(root)) {
      std::cout << "skipped (absent): " << root << "\n";
      continue;
    }
    for (const auto& entry : fs::recursive_directory_iterator(root)) {
      if (!entry.is_regular_file() || entry.path().extension() != ".sql") {
        continue;
      }
      std::ifstream in(entry.path(), std::ios::binary);
      std::stringstream bytes;
      bytes << in.rdbuf();
      std::string text = bytes.str();
      if (text.find('\0') != std::string::npos) {
        continue;  // libpg_query reads up to a NUL; such fixtures test the reader
      }
      std::size_t compared = expect_chunks_agree(text, 1, entry.path().string());
      files += compared > 0 ? 1 : 0;
      statements += compared;
    }
  }
  EXPECT_GT(files, 100U);
  std::cout << files << " files, " << statements << " statements parsed whole and in pieces\n";
}

TEST(SqlParser, PiecesAreCutOnlyBetweenStatements) {
  // `;` inside parentheses (CREATE RULE's actions), BEGIN ATOMIC bodies, strings, dollar quotes and
  // comments does not end a piece.
  std::string text =
      "CREATE RULE r AS ON INSERT TO t DO ALSO (INSERT INTO log VALUES (1); NOTIFY t);\n"
      "CREATE FUNCTION f(a int) RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT CASE WHEN a > 0 THEN 1 END; "
      "SELECT 2; END;\n"
      "SELECT 'a;b', $$c;d$$, E'\\';x' /* ; */; -- ;\n"
      "DO $body$ BEGIN PERFORM 1; END $body$;\n"
      "ALTER TABLE t ADD COLUMN c int;";
  EXPECT_EQ(expect_chunks_agree(text, 1, "cuts"), 5U);
  // And a text that does not parse is parsed as before: whole, then split.
  std::string broken = "DROP TABLE a;\nSELEC 1;\nDROP TABLE b;";
  simdjson::dom::parser parser;
  ParsedSql parsed = parse_sql(broken.c_str(), broken.size(), parser, {}, Chunking{0, 1});
  EXPECT_EQ(parsed.statements.size(), 2U);
  ASSERT_EQ(parsed.problems.size(), 1U);
  EXPECT_EQ(parsed.problems[0].offset, 14U);
}

TEST(Tokens, EndOfCodeAgreesWithTheScanner) {
  // Statements with trailing comments, strings holding comment markers, dollar quotes, E'' strings.
  for (std::string text :
       {std::string("SELECT 1 -- c\n /* d /* nested */ */ "), std::string("SELECT '--x' "),
        std::string("SELECT 'it''s' /* c */"), std::string("SELECT E'a\\'b' -- x"),
        std::string("CREATE FUNCTION f() RETURNS int AS $body$ SELECT 1; -- $x$ $body$ "
                    "LANGUAGE sql -- end"),
        std::string("SELECT \"we\"\"ird\" "), std::string("SELECT $1 -- p"),
        std::string("SELECT a$b$c FROM t /* x */"),
        // A carriage return ends a line comment, as a line feed does.
        std::string("SELECT 1 -- c\rSELECT 2 -- d\r\n"), std::string("-- it's\rSELECT 'x' -- c\r"),
        // A dollar quote right after another begins a token of its own.
        std::string("SELECT $$a$$$$b;$$ -- c"), std::string("SELECT $a$x$a$$b$;$b$ -- $$"),
        std::string("SELECT x$$y, $$z;$$ /* $ */"),
        // A number or a parameter ends before a `$`.
        std::string("SELECT 1$$a;$$ -- c"), std::string("SELECT $1$$b;$$ -- c"),
        std::string("SELECT a1$$ -- c")}) {
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
      ", ALTER COLUMN c TYPE varchar(20)[] USING $$a;b$$, RENAME TO u, ADD CONSTRAINT k CHECK (x > 1.5)"
      " -- it's\r, DROP COLUMN d";
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
#include "rules/column_types.hpp"

// The typed columns seven rules ask for are found once and kept with the statement; a copy does
// not share them (a typed column points at the statement it came from) and finds its own.
TEST(Statement, TypedColumnsAreFoundOnceAndNotCarriedByCopies) {
  SourceFile file("a.sql", "CREATE TABLE t (id int);\nDROP TABLE t;\n");
  FileModel model = build_model(file);
  ASSERT_EQ(model.statements.size(), 2U);
  const Statement& create = model.statements[0];
  const std::vector<TypedColumn>& columns = typed_columns(create);
  ASSERT_EQ(columns.size(), 1U);
  EXPECT_EQ(columns[0].column, "id");
  EXPECT_EQ(columns[0].statement, &create);
  // Typed views of the table, the definition and the type (no Node left in TypedColumn).
  EXPECT_EQ(columns[0].relation.relname(), "t");
  EXPECT_EQ(columns[0].column_def.colname(), "id");
  EXPECT_EQ(columns[0].type_name.names().size(), 2U);  // pg_catalog.int4
  EXPECT_EQ(columns[0].written_type(), "int");
  EXPECT_EQ(&typed_columns(create), &columns);  // kept, not found again
  EXPECT_TRUE(typed_columns(model.statements[1]).empty());
  Statement copy = create;
  const std::vector<TypedColumn>& copied = typed_columns(copy);
  EXPECT_NE(&copied, &columns);
  ASSERT_EQ(copied.size(), 1U);
  EXPECT_EQ(copied[0].statement, &copy);
  EXPECT_EQ(create.relation_name(), "public.t");
  EXPECT_EQ(create.relation().relname(), "t");   // the typed `relation` field
  EXPECT_FALSE(model.statements[1].relation());  // DROP TABLE names its tables in a list
  EXPECT_EQ(create.span().end, 23U);             // the code's end, without the `;`
}

// PostgreSQL's lexer reads a run of operator characters again for each token it cuts from it
// (analyzer/sql/lexer_cost.hpp): such runs are refused before libpg_query sees them, and nothing
// else is.
TEST(LexerCost, RunsTheLexerCutsOneTokenAtATimeAreRefused) {
  auto repeat = [](std::string_view unit, std::size_t times) {
    std::string out;
    for (std::size_t i = 0; i < times; ++i) {
      out += unit;
    }
    return out;
  };
  // Nested comment starts, closed or not; `+` and `+-` runs the lexer trims a byte at a time.
  const std::string prefix = "SELECT 1;\nSELECT 1 ";
  for (const std::string& run :
       {repeat("/*", 100'000), repeat("/*", 50'000) + repeat("*/", 50'000), repeat("+", 100'000),
        repeat("+-", 50'000), repeat("=/*=*/", 40'000), repeat("*/", 100'000)}) {
    std::optional<SlowLexing> slow = find_slow_lexing(prefix + run + " 1;\n");
    ASSERT_TRUE(slow) << run.substr(0, 12);
    EXPECT_EQ(slow->offset, prefix.size()) << run.substr(0, 12);
    EXPECT_EQ(slow->run_length, run.size()) << run.substr(0, 12);
    // Every entry point refuses it, with the run's offset in the text.
    std::string text = prefix + run;
    simdjson::dom::parser parser;
    try {
      parse_sql(text.c_str(), text.size(), parser);
      ADD_FAILURE() << "parsed " << run.substr(0, 12);
    } catch (const ParserLimit& limit) {
      EXPECT_EQ(limit.offset(), prefix.size());
      EXPECT_NE(
          std::string(limit.what()).find("a run of " + std::to_string(run.size()) + " operator characters"),
          std::string::npos)
          << limit.what();
    }
    EXPECT_THROW(scan_tokens(text, 0, nullptr), ParserLimit);
  }
  // A run the lexer cuts into 1,000 tokens is read in a millisecond; one of 4,000 tokens is not.
  EXPECT_FALSE(find_slow_lexing(prefix + repeat("/*", 1'000)));
  EXPECT_TRUE(find_slow_lexing(prefix + repeat("/*", 4'000)));
}

// The model reads words forward, as the lexer does: a number's or a parameter's digits end before a
// `$`, which then begins a dollar quote (`1$1$$` is 1, $1 and the start of a quote), while an
// identifier's `$` is its own (a1$$ is one identifier). Read backwards from the `$`, `1$1$$` looked
// like an identifier, so the model skipped a run PostgreSQL reads and read one it skips.
TEST(LexerCost, DollarQuotesAfterNumbersAndParametersAreWhereTheLexerSeesThem) {
  std::string comment_starts;
  for (int i = 0; i < 100'000; ++i) {
    comment_starts += "/*";
  }
  for (std::string_view before : {"SELECT 1$1$$ x $$ ", "SELECT $1$$ x $$ ", "SELECT 1.5$$ x $$ ",
                                  "SELECT a1 $$ x $$ ", "SELECT a$$x$$ ", "SELECT $a$ $$ $a$ "}) {
    std::optional<SlowLexing> slow = find_slow_lexing(std::string(before) + comment_starts + " 1;");
    ASSERT_TRUE(slow) << before;
    EXPECT_EQ(slow->offset, before.size()) << before;
  }
  for (std::string_view quoted : {"SELECT 1$1$$ ", "SELECT $1$$ ", "SELECT 12$$ ", "SELECT 1.5$$ ",
                                  "SELECT a1 $$ ", "SELECT $a$x$a$$$ "}) {
    EXPECT_FALSE(find_slow_lexing(std::string(quoted) + comment_starts + " $$;")) << quoted;
  }
}

TEST(LexerCost, LongRunsTheLexerReadsOnceAreNotRefused) {
  const std::string run(200'000, '+');
  const std::string comment_starts = [] {
    std::string out;
    for (int i = 0; i < 100'000; ++i) {
      out += "/*";
    }
    return out;
  }();
  for (const std::string& text : {
           "SELECT '" + run + "';",                            // a string
           "SELECT E'\\'" + run + "';",                        // an escape string, whose \' does not end it
           "SELECT \"" + run + "\";",                          // a quoted identifier
           "SELECT $x$" + comment_starts + "$x$;",             // a dollar quote
           "-- " + comment_starts + "\nSELECT 1;",             // a line comment
           "SELECT 1 " + std::string(200'000, '='),            // one operator, read once (and too long)
           "/* " + std::string(200'000, '*') + "/ SELECT 1;",  // a banner of stars
           "/* x */ " + std::string(200'000, '/'),             // slashes, each its own token, read once
       }) {
    EXPECT_FALSE(find_slow_lexing(text)) << text.substr(0, 16);
  }
  // What real migrations hold: operators, comments and banners.
  EXPECT_FALSE(find_slow_lexing(
      "/****************************************************\n * Banner\n ****************************/\n"
      "-- ==================================================\n"
      "SELECT a->>'b', a #>> '{c}', x <-> y, b||'--'||c, 1+-+-2, d @> e, f::int FROM t WHERE g !~* 'h';\n"));
}
