// Line endings never count as a change of an applied migration (analyzer/text/line_endings.hpp), and
// other tools' versions map onto miglint's (runner/history_import.hpp).
#include <gtest/gtest.h>

#include "analyzer/text/hash.hpp"
#include "analyzer/text/line_endings.hpp"
#include "runner/history_import.hpp"

namespace {

using namespace miglint;
using miglint::runner::OtherTool;

TEST(LineEndings, ConversionsGoBothWaysAndLeaveLoneCarriageReturns) {
  EXPECT_EQ(crlf_to_lf("a\r\nb\r\n"), "a\nb\n");
  EXPECT_EQ(crlf_to_lf("a\rb\r\n"), "a\rb\n");
  EXPECT_EQ(lf_to_crlf("a\nb\n"), "a\r\nb\r\n");
  EXPECT_EQ(lf_to_crlf("a\r\nb\n"), "a\r\nb\r\n");
  EXPECT_EQ(lf_to_crlf("\n"), "\r\n");
}

TEST(LineEndings, AFileCheckedOutWithOtherLineEndingsIsTheSameMigration) {
  const std::string lf = "CREATE TABLE t (id int);\n-- note\nALTER TABLE t ADD COLUMN b int;\n";
  const std::string crlf = lf_to_crlf(lf);
  ASSERT_NE(sha256_hex(lf), sha256_hex(crlf));
  EXPECT_TRUE(same_modulo_line_endings(sha256_hex(lf), lf));
  EXPECT_TRUE(same_modulo_line_endings(sha256_hex(lf), crlf));  // applied with LF, checked out with CRLF
  EXPECT_TRUE(same_modulo_line_endings(sha256_hex(crlf), lf));  // applied with CRLF, checked out with LF
}

TEST(LineEndings, AnyOtherByteIsAChange) {
  const std::string lf = "CREATE TABLE t (id int);\n";
  EXPECT_FALSE(same_modulo_line_endings(sha256_hex(lf), "CREATE TABLE t (id int); \n"));
  EXPECT_FALSE(same_modulo_line_endings(sha256_hex(lf), "CREATE TABLE t (id bigint);\r\n"));
  EXPECT_FALSE(same_modulo_line_endings(sha256_hex(lf), "CREATE TABLE t (id int);\n\n"));
  EXPECT_FALSE(same_modulo_line_endings(sha256_hex("x"), "y"));
}

TEST(OtherToolVersions, DieselDirectoriesAndGolangMigrateNumbersMapOntoTheToolsVersions) {
  using runner::compare_version_keys;
  using runner::version_key;
  // diesel stores 2024-01-15-100000_x as 20240115100000.
  EXPECT_EQ(compare_version_keys(version_key(OtherTool::Diesel, "2024-01-15-100000"),
                                 version_key(OtherTool::Diesel, "20240115100000")),
            0);
  // golang-migrate stores 0003_x as the number 3.
  EXPECT_EQ(compare_version_keys(version_key(OtherTool::GolangMigrate, "0003"),
                                 version_key(OtherTool::GolangMigrate, "3")),
            0);
  EXPECT_LT(compare_version_keys(version_key(OtherTool::GolangMigrate, "9"),
                                 version_key(OtherTool::GolangMigrate, "10")),
            0);
  EXPECT_GT(compare_version_keys(version_key(OtherTool::Dbmate, "20240116000000"),
                                 version_key(OtherTool::Dbmate, "20240115235959")),
            0);
}

TEST(OtherToolVersions, FlywayVersionsCompareByPartsAndIgnoreTrailingZeros) {
  using runner::compare_version_keys;
  using runner::version_key;
  auto order = [](std::string_view a, std::string_view b) {
    return compare_version_keys(version_key(OtherTool::Flyway, a), version_key(OtherTool::Flyway, b));
  };
  EXPECT_EQ(order("1_1", "1.1"), 0);  // V1_1__x.sql is version 1.1 in Flyway's history
  EXPECT_EQ(order("1.0", "1"), 0);
  EXPECT_LT(order("1.1", "1.10"), 0);
  EXPECT_LT(order("2", "10"), 0);
  EXPECT_LT(order("3", "3.1"), 0);
}

TEST(OtherToolVersions, ToolsAreNamedAsOnTheCommandLine) {
  for (std::string_view name : {"golang-migrate", "flyway", "diesel", "dbmate"}) {
    ASSERT_TRUE(runner::other_tool_named(name).has_value()) << name;
    EXPECT_EQ(runner::other_tool_name(*runner::other_tool_named(name)), name);
  }
  EXPECT_FALSE(runner::other_tool_named("liquibase").has_value());
  EXPECT_EQ(runner::default_history_table(OtherTool::Diesel), "__diesel_schema_migrations");
  EXPECT_EQ(runner::default_history_table(OtherTool::Flyway), "flyway_schema_history");
}

}  // namespace
