// A FileModel owns (shares) the document its parse tree was decoded into: models built one after
// another on one thread all stay readable, not only the last one. A large file's streamed model
// finds what the whole model finds, syntax errors included; COPY ... FROM STDIN rows are not SQL.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "analyzer/sql/copy_data.hpp"
#include "analyzer/sql/file_model.hpp"

using namespace miglint;

namespace {

std::string relation_of(const FileModel& model, std::size_t index) {
  return std::string(model.statements.at(index).body()["relation"]["relname"].str());
}

TEST(FileModel, TwoModelsOnOneThreadBothStayValid) {
  SourceFile first_file("a.sql", "CREATE TABLE alpha (id int);\nALTER TABLE alpha ADD COLUMN x text;\n");
  SourceFile second_file("b.sql",
                         "DROP TABLE beta;\nCREATE INDEX i ON gamma (c);\nCREATE TABLE delta (y int);\n");
  FileModel first = build_model(first_file);
  FileModel second = build_model(second_file);
  ASSERT_EQ(first.statements.size(), 2U);
  ASSERT_EQ(second.statements.size(), 3U);
  // Read through the first model's nodes after the second parse: they still hold its tree.
  EXPECT_EQ(first.statements[0].ast().kind(), "CreateStmt");
  EXPECT_EQ(relation_of(first, 0), "alpha");
  EXPECT_EQ(first.statements[1].ast().kind(), "AlterTableStmt");
  EXPECT_EQ(relation_of(first, 1), "alpha");
  EXPECT_EQ(first.statements[1].body()["cmds"].at(0)["def"]["colname"].str(), "x");
  EXPECT_EQ(second.statements[0].ast().kind(), "DropStmt");
  EXPECT_EQ(relation_of(second, 1), "gamma");
  EXPECT_EQ(relation_of(second, 2), "delta");
}

TEST(FileModel, ManyLiveModelsAndOneBuiltAfterOthersWereDropped) {
  std::vector<SourceFile> files;
  files.reserve(8);
  for (int i = 0; i < 8; ++i) {
    files.emplace_back("f" + std::to_string(i) + ".sql",
                       "CREATE TABLE t" + std::to_string(i) + " (id int);\n");
  }
  std::vector<FileModel> models;
  for (const SourceFile& file : files) {
    models.push_back(build_model(file));
  }
  for (std::size_t i = 0; i < models.size(); ++i) {
    EXPECT_EQ(relation_of(models[i], 0), "t" + std::to_string(i));
  }
  FileModel kept = std::move(models[3]);
  models.clear();
  SourceFile later_file("later.sql", "CREATE TABLE later (id int);\n");
  FileModel later = build_model(later_file);
  EXPECT_EQ(relation_of(kept, 0), "t3");
  EXPECT_EQ(relation_of(later, 0), "later");
}

std::string text_at(const SourceFile& file, ByteSpan span) {
  return std::string(file.text().substr(span.begin, span.end - span.begin));
}

TEST(CopyData, BlocksRunFromTheNextLineToTheBackslashDotLineOrTheEnd) {
  std::string text =
      "COPY t (a, b) FROM stdin; SELECT 1;\n"  // the rest of the COPY line is SQL
      "1\t'x\n"                                // rows, up to the `\\.` line
      "2\t-- y\r\n"
      "\\.\r\n"
      "COPY (SELECT * FROM stdin_rows) TO STDOUT;\n"  // not FROM STDIN: no rows follow
      "COPY u FROM '/tmp/u.csv';\n"                   // a server file: no rows follow
      "copy v from STDIN with (format csv);\n"        // rows to the end of the text
      "\"a;\",b\n"
      "DROP TABLE w;\n";
  std::vector<ByteSpan> blocks = copy_data_blocks(text);
  ASSERT_EQ(blocks.size(), 2U);
  EXPECT_EQ(text.substr(blocks[0].begin, blocks[0].end - blocks[0].begin), "1\t'x\n2\t-- y\r\n\\.\r\n");
  EXPECT_EQ(text.substr(blocks[1].begin, blocks[1].end - blocks[1].begin), "\"a;\",b\nDROP TABLE w;\n");
  // A COPY on the last line has no rows; text without `stdin` is not lexed at all.
  EXPECT_TRUE(copy_data_blocks("COPY t FROM STDIN;").empty());
  EXPECT_TRUE(copy_data_blocks("COPY t FROM STDIN;\n").empty());
  EXPECT_TRUE(copy_data_blocks("SELECT 'a;\nb';\n").empty());
  std::optional<WithoutCopyData> blanked = without_copy_data(text);
  ASSERT_TRUE(blanked);
  EXPECT_EQ(blanked->text.size(), text.size());
  EXPECT_EQ(blanked->text.substr(blocks[0].begin, blocks[0].end - blocks[0].begin), "    \n      \r\n  \r\n");
}

TEST(CopyData, RowsAreNotParsedAndTheNextStatementStartsAfterThem) {
  SourceFile file("dump.sql",
                  "CREATE TABLE t (a int, b text);\n"
                  "COPY t (a, b) FROM stdin;\n"
                  "1\tit's\n"
                  "2\t-- miglint-ignore-file\n"
                  "\\.\n"
                  "-- a comment before the statement\n"
                  "ALTER TABLE t ADD COLUMN c int;\n");
  FileModel model = build_model(file);
  EXPECT_TRUE(model.parsed.problems.empty());
  ASSERT_EQ(model.statements.size(), 3U);
  EXPECT_EQ(model.statements[1].kind(), "CopyStmt");
  EXPECT_EQ(text_at(file, model.statements[1].span()), "COPY t (a, b) FROM stdin");
  EXPECT_EQ(model.statements[2].kind(), "AlterTableStmt");
  EXPECT_EQ(text_at(file, model.statements[2].span()), "ALTER TABLE t ADD COLUMN c int");
  EXPECT_EQ(file.position(model.statements[2].begin()).line, 7U);
  EXPECT_TRUE(model.directives.ignores.empty()) << "a row's words are not an ignore comment";
}

// The whole model and the streamed one, cut after every statement (the hardest case), agree on
// every statement's place and kind and on every problem.
void expect_streamed_agrees(const SourceFile& file, std::size_t& streamed, std::size_t& with_problems) {
  FileModel whole = build_model(file);
  std::vector<std::string> visited;
  FileModel pieces = build_model_visiting(
      file, true, [&](const Statement& statement) { visited.push_back(std::string(statement.kind())); },
      Chunking{0, 1});
  const std::string& name = file.path();
  streamed += pieces.streamed() ? 1 : 0;
  with_problems += pieces.streamed() && !pieces.parsed.problems.empty() ? 1 : 0;
  ASSERT_EQ(pieces.statement_count(), whole.statement_count()) << name;
  EXPECT_EQ(visited.size(), whole.statement_count()) << name;
  StatementCursor cursor(pieces);
  for (std::size_t i = 0; i < whole.statement_count(); ++i) {
    const Statement& statement = cursor.at(i);
    EXPECT_EQ(pieces.places[i].begin, whole.places[i].begin) << name << " statement " << i;
    EXPECT_EQ(pieces.places[i].kind, whole.places[i].kind) << name << " statement " << i;
    EXPECT_EQ(statement.span().begin, whole.statements[i].span().begin) << name << " statement " << i;
    EXPECT_EQ(statement.span().end, whole.statements[i].span().end) << name << " statement " << i;
    EXPECT_EQ(statement.kind(), whole.statements[i].kind()) << name << " statement " << i;
    if (i < visited.size()) {
      EXPECT_EQ(visited[i], whole.statements[i].kind()) << name << " statement " << i;
    }
  }
  ASSERT_EQ(pieces.parsed.problems.size(), whole.parsed.problems.size()) << name;
  for (std::size_t k = 0; k < whole.parsed.problems.size(); ++k) {
    const ParseProblem& a = whole.parsed.problems[k];
    const ParseProblem& b = pieces.parsed.problems[k];
    EXPECT_EQ(b.offset, a.offset) << name << " problem " << k;
    EXPECT_EQ(b.statement.begin, a.statement.begin) << name << " problem " << k;
    EXPECT_EQ(b.statement.end, a.statement.end) << name << " problem " << k;
    EXPECT_EQ(b.message, a.message) << name << " problem " << k;
    EXPECT_EQ(b.newer_construct, a.newer_construct) << name << " problem " << k;
  }
  EXPECT_EQ(pieces.directives.ignores.size(), whole.directives.ignores.size()) << name;
}

TEST(FileModel, ASyntaxErrorIsItsPiecesProblemAndTheFileStaysStreamed) {
  SourceFile file("broken.sql",
                  "CREATE TABLE a (id int);\nCRATE TABLE b (id int);\nALTER TABLE a ADD COLUMN c int;\n"
                  "COPY a FROM stdin;\n1\t'\n\\.\nDROP TABLE a;\n");
  std::size_t streamed = 0;
  std::size_t with_problems = 0;
  expect_streamed_agrees(file, streamed, with_problems);
  EXPECT_EQ(streamed, 1U);
  EXPECT_EQ(with_problems, 1U);
  FileModel model = build_model_visiting(
      file, true, [](const Statement&) {}, Chunking{0, 1});
  ASSERT_TRUE(model.streamed());
  EXPECT_EQ(model.statement_count(), 4U);
  ASSERT_EQ(model.parsed.problems.size(), 1U);
  EXPECT_EQ(file.position(model.parsed.problems[0].offset).line, 2U);
  // The offending token is kept for the finding's end.
  ASSERT_FALSE(model.parsed.tokens.empty());
  EXPECT_EQ(model.parsed.tokens.front().begin, model.parsed.problems[0].offset);
}

TEST(FileModel, StreamedModelsAgreeWithWholeModelsOnEveryFixture) {
  namespace fs = std::filesystem;
  std::size_t files = 0;
  std::size_t streamed = 0;
  std::size_t with_problems = 0;
  for (const char* folder : {"fixtures", "examples", "../shared/corpus/sql"}) {
    fs::path root = fs::path(MIGLINT_SOURCE_DIR) / folder;
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
      if (bytes.str().find('\0') != std::string::npos) {
        continue;  // libpg_query reads up to a NUL; such fixtures test the reader
      }
      SourceFile file(entry.path().string(), bytes.str());
      try {
        expect_streamed_agrees(file, streamed, with_problems);
      } catch (const ParserLimit&) {
        continue;  // both paths throw it (hostile fixtures)
      }
      ++files;
    }
  }
  EXPECT_GT(files, 100U);
  EXPECT_GT(with_problems, 5U) << "files with syntax errors stay streamed";
  std::cout << files << " files, " << streamed << " streamed, " << with_problems
            << " of them with syntax errors\n";
}

}  // namespace
