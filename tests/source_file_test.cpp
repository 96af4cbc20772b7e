#include <gtest/gtest.h>

#include "analyzer/source_file.hpp"

using namespace miglint;

TEST(SourceFile, PositionsAreOneBasedLinesAndCodePointColumns) {
  SourceFile file("a.sql", "SELECT 1;\n-- é ü\nDROP TABLE t;\n");
  EXPECT_EQ(file.position(0), (Position{1, 1}));
  EXPECT_EQ(file.position(7), (Position{1, 8}));
  // "-- é ü\n": é and ü are two bytes each; the byte after "ü" is column 7.
  EXPECT_EQ(file.position(10 + 8), (Position{2, 7}));
  EXPECT_EQ(file.position(10 + 9), (Position{3, 1}));
  EXPECT_EQ(file.line_text(2), "-- é ü");
}

TEST(SourceFile, CrLfLinesAreTrimmedInExcerpts) {
  SourceFile file("a.sql", "SELECT 1;\r\nSELECT 2;\r\n");
  EXPECT_EQ(file.line_text(1), "SELECT 1;");
  EXPECT_EQ(file.position(11), (Position{2, 1}));
}

TEST(SourceFile, RejectsBinaryAndInvalidUtf8) {
  EXPECT_EQ(check_text_encoding("SELECT 'ok ✓';"), "");
  EXPECT_NE(check_text_encoding(std::string("SELECT\0", 7)).find("binary"), std::string::npos);
  EXPECT_NE(check_text_encoding("SELECT '\xC3';").find("invalid UTF-8 at line 1"), std::string::npos);
  EXPECT_NE(check_text_encoding("a\n\xED\xA0\x80").find("line 2"), std::string::npos);  // a surrogate
  EXPECT_NE(check_text_encoding("\xC0\xAF").find("invalid UTF-8"), std::string::npos);  // overlong
  EXPECT_FALSE(source_from_bytes("x.sql", std::string("\x89PNG\r\n\x1a\n\0\0", 10)).has_value());
}

TEST(SourceFile, MissingFileIsAnError) {
  Expected<SourceFile> file = load_source_file("/nonexistent/dir/x.sql", "x.sql");
  ASSERT_FALSE(file.has_value());
  EXPECT_NE(file.error().message.find("cannot read file"), std::string::npos);
}

TEST(SourceFile, CharToByteOffsets) {
  EXPECT_EQ(byte_offset_of_char("aéb", 0), 0U);
  EXPECT_EQ(byte_offset_of_char("aéb", 2), 3U);
  EXPECT_EQ(byte_offset_of_char("aéb", 5), 4U);
  EXPECT_EQ(count_code_points("aéb✓"), 4U);
}

#include <nlohmann/json.hpp>
#include "analyzer/report/json_text.hpp"

TEST(JsonText, EscapesLikeAJsonLibrary) {
  for (std::string text :
       {std::string("plain"), std::string("quote \" and \\ backslash"), std::string("tab\tnew\nline\rcr"),
        std::string("ctrl \x01\x1f end"), std::string("utf-8 é ✓ 𝄞")}) {
    std::string out;
    append_json_string(out, text);
    EXPECT_EQ(nlohmann::json::parse(out).get<std::string>(), text);
  }
}
