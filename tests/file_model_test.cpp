// A FileModel owns (shares) the document its parse tree was decoded into: models built one after
// another on one thread all stay readable, not only the last one.
#include <gtest/gtest.h>

#include <string>
#include <vector>

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

}  // namespace
