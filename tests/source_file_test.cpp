#include <gtest/gtest.h>

#include "analyzer/text/source_file.hpp"

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

#include <filesystem>
#include <fstream>
#include <random>

// The escaper tests 8 bytes at a time: every byte that needs escaping, at every position of a word
// and at the ragged end, must still be escaped exactly as the byte-at-a-time definition says.
TEST(JsonText, WordAtATimeEscapingMatchesByteAtATime) {
  // Bytes above ASCII: a well-formed UTF-8 sequence is copied, a byte that is not UTF-8 becomes
  // U+FFFD, and DEL is escaped like the C0 controls (the JSON report is terminal-safe, issue 12).
  auto reference = [](std::string_view text) {
    std::string out = "\"";
    for (std::size_t i = 0; i < text.size(); ++i) {
      char c = text[i];
      auto byte = static_cast<unsigned char>(c);
      if (byte >= 0x80) {
        uint32_t value = 0;
        std::size_t length = utf8_sequence_length(text, i, value);
        if (length == 0) {
          out += "\xEF\xBF\xBD";
        } else {
          out.append(text.substr(i, length));
          i += length - 1;
        }
        continue;
      }
      if (c == '"' || c == '\\') {
        out += '\\';
        out += c;
      } else if (c == '\n') {
        out += "\\n";
      } else if (c == '\r') {
        out += "\\r";
      } else if (c == '\t') {
        out += "\\t";
      } else if (byte < 0x20 || byte == 0x7F) {
        static constexpr char kHex[] = "0123456789abcdef";
        out += "\\u00";
        out += kHex[byte >> 4U];
        out += kHex[byte & 0xFU];
      } else {
        out += c;
      }
    }
    return out + "\"";
  };
  std::mt19937 random(20261127);
  const std::string alphabet = std::string("abcXYZ \"\\\n\r\t\x01\x1f\x20\x7f", 16) + "\xc3\xa9\xe2\x9c\x93";
  for (int round = 0; round < 5000; ++round) {
    std::string text;
    std::size_t length = random() % 40;
    for (std::size_t i = 0; i < length; ++i) {
      // Mostly plain bytes, so that whole clean words and words with one special byte both occur.
      text +=
          random() % 4 != 0 ? static_cast<char>('a' + random() % 26) : alphabet[random() % alphabet.size()];
    }
    std::string out;
    append_json_string(out, text);
    ASSERT_EQ(out, reference(text)) << "input of " << text.size() << " bytes";
  }
}

TEST(SourceFile, ReadsFilesWholeWhateverTheirSize) {
  std::filesystem::path dir = std::filesystem::temp_directory_path() / "miglint-read-test";
  std::filesystem::create_directories(dir);
  for (std::size_t size :
       {std::size_t{0}, std::size_t{1}, std::size_t{4095}, std::size_t{4096}, std::size_t{200000}}) {
    std::string bytes;
    for (std::size_t i = 0; i < size; ++i) {
      bytes += static_cast<char>('a' + i % 23);
    }
    std::filesystem::path file = dir / ("f" + std::to_string(size) + ".sql");
    std::ofstream(file, std::ios::binary) << bytes;
    Expected<std::string> read = read_file_bytes(file.string());
    ASSERT_TRUE(read.has_value());
    EXPECT_EQ(*read, bytes);
  }
  Expected<std::string> directory = read_file_bytes(dir.string());
  ASSERT_FALSE(directory.has_value());
  EXPECT_NE(directory.error().message.find("cannot read file"), std::string::npos);
  std::filesystem::remove_all(dir);
}

TEST(SourceFile, InvalidUtf8FarIntoALongFileIsPlacedExactly) {
  std::string text;
  for (int line = 1; line < 300; ++line) {
    text += "SELECT 'é ✓ 𝄞 line';\n";
  }
  EXPECT_EQ(check_text_encoding(text), "");
  std::string broken = text + "SELECT '\xE2\x9C';\n";  // a 3-byte sequence cut short, on line 300
  std::string problem = check_text_encoding(broken);
  EXPECT_NE(problem.find("invalid UTF-8 at line 300"), std::string::npos) << problem;
  EXPECT_NE(problem.find("byte offset " + std::to_string(text.size() + 8)), std::string::npos) << problem;
}

// Columns on long lines are counted from blocks of the file (SourceFile::kCountedBlock), not from the
// line's start: they must be the same code point counts.
TEST(SourceFile, ColumnsOnLongLinesCountCodePoints) {
  std::string text = "SELECT 1;\n";
  for (int i = 0; i < 5'000; ++i) {
    text += i % 3 == 0 ? "SELECT 'é€😀'; " : "SELECT 1; ";  // 2-, 3- and 4-byte characters
  }
  text += "\nlast";
  SourceFile file("long.sql", text);
  const std::size_t second_line = text.find('\n') + 1;
  for (std::size_t offset = second_line; offset <= text.size(); offset += 97) {
    std::size_t line_start = text.rfind('\n', offset == 0 ? 0 : offset - 1);
    line_start = line_start == std::string::npos ? 0 : line_start + 1;
    Position at = file.position(static_cast<uint32_t>(offset));
    EXPECT_EQ(at.column,
              count_code_points(std::string_view(text).substr(line_start, offset - line_start)) + 1)
        << offset;
  }
  EXPECT_EQ(file.position(static_cast<uint32_t>(text.size())).line, 3U);
  EXPECT_EQ(file.position(static_cast<uint32_t>(text.size())).column, 5U);
}
