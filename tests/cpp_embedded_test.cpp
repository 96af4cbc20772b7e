// The Clang-free half of the C++ front end: literal decoding and its offset map, comments,
// placeholder neutralisation, assembling calls into one migration context, mapping findings back,
// and the per-call transaction mode. No Clang is needed: calls are built by hand.
#include <gtest/gtest.h>

#include <algorithm>

#include "analyzer/cpp/cpp_front_end.hpp"
#include "analyzer/cpp/cpp_text.hpp"
#include "analyzer/engine/linter.hpp"
#include "analyzer/frontend/placeholders.hpp"
#include "rules/registry.hpp"

using namespace miglint;
using namespace miglint::cpp;

namespace {

TEST(DecodeStringLiteral, PlainLiteralMapsEachByteToItself) {
  std::string_view file = R"cpp(f("ab c");)cpp";
  auto literal = decode_string_literal(file, 2);
  ASSERT_TRUE(literal);
  EXPECT_EQ(literal->bytes, "ab c");
  EXPECT_EQ(literal->offsets, (std::vector<uint32_t>{3, 4, 5, 6}));
  EXPECT_EQ(literal->end, 8U);
}

TEST(DecodeStringLiteral, EscapesMapToTheirBackslash) {
  std::string_view file = R"cpp("a\tb\"\x41\101\u00e9\\")cpp";
  auto literal = decode_string_literal(file, 0);
  ASSERT_TRUE(literal);
  EXPECT_EQ(literal->bytes, "a\tb\"AA\xc3\xa9\\");
  // a  \t  b  \"  \x41  \101  \u00e9 (two bytes)  \\.
  EXPECT_EQ(literal->offsets, (std::vector<uint32_t>{1, 2, 4, 5, 7, 11, 15, 15, 21}));
}

TEST(DecodeStringLiteral, RawStringsPrefixesAndSuffixes) {
  std::string_view raw = "R\"sql(a\"b)\nc)sql\"";
  auto literal = decode_string_literal(raw, 0);
  ASSERT_TRUE(literal);
  EXPECT_EQ(literal->bytes, "a\"b)\nc");
  EXPECT_EQ(literal->offsets.front(), 6U);
  EXPECT_EQ(literal->end, raw.size());

  auto suffixed = decode_string_literal("\"DROP\"sv;", 0);
  ASSERT_TRUE(suffixed);
  EXPECT_EQ(suffixed->bytes, "DROP");
  EXPECT_EQ(suffixed->end, 8U);

  auto utf8 = decode_string_literal("u8\"x\"", 0);
  ASSERT_TRUE(utf8);
  EXPECT_EQ(utf8->offsets, (std::vector<uint32_t>{3}));

  EXPECT_FALSE(decode_string_literal("L\"wide\"", 0));
  EXPECT_FALSE(decode_string_literal("\"unterminated\n", 0));
}

TEST(DecodeStringLiteral, LineSplicesAreSkipped) {
  auto literal = decode_string_literal("\"ab\\\ncd\"", 0);
  ASSERT_TRUE(literal);
  EXPECT_EQ(literal->bytes, "abcd");
  EXPECT_EQ(literal->offsets, (std::vector<uint32_t>{1, 2, 5, 6}));
}

TEST(ScanCppComments, SkipsStringsRawStringsAndDigitSeparators) {
  std::string_view file =
      "int a = 1'000; // one\n"
      "auto s = \"// not\"; auto r = R\"x(/* no */)x\"; char q = '\"';\n"
      "/* two */ f(); // three";
  std::vector<CppComment> comments = scan_cpp_comments(file);
  ASSERT_EQ(comments.size(), 3U);
  EXPECT_EQ(file.substr(comments[0].begin, comments[0].end - comments[0].begin), "// one");
  EXPECT_EQ(file.substr(comments[1].begin, comments[1].end - comments[1].begin), "/* two */");
  EXPECT_FALSE(comments[1].line_comment);
  EXPECT_EQ(file.substr(comments[2].begin, comments[2].end - comments[2].begin), "// three");
}

TEST(Placeholders, KeepLengthAndPickARole) {
  struct Case {
    std::string_view sql;
    PlaceholderStyle style;
    std::string_view expected;
  };
  for (const Case& c : std::initializer_list<Case>{
           {"UPDATE t SET a = ? WHERE b = ?", PlaceholderStyle::Question, "UPDATE t SET a = 0 WHERE b = 0"},
           {"SELECT a::int FROM t WHERE id = :id", PlaceholderStyle::Colon,
            "SELECT a::int FROM t WHERE id = 000"},
           {"CREATE INDEX %s ON %s (%s)", PlaceholderStyle::Printf, "CREATE INDEX p_ ON p_ (p_)"},
           {"SELECT '%s' || a %% 2 FROM t LIMIT %d", PlaceholderStyle::Printf,
            "SELECT '%s' || a %  2 FROM t LIMIT 00"},
           {"CREATE INDEX {}_idx ON {table} ({})", PlaceholderStyle::Fmt,
            "CREATE INDEX p__idx ON p______ (p_)"},
           {"INSERT INTO t (a, b) VALUES ({}, {})", PlaceholderStyle::Fmt,
            "INSERT INTO t (a, b) VALUES (00, 00)"},
           {"SELECT '{}', $1, \"{}\" -- {}\n", PlaceholderStyle::Fmt, "SELECT '{}', $1, \"{}\" -- {}\n"},
           {"UPDATE t SET a = $1 WHERE b = $2", PlaceholderStyle::Dollar, "UPDATE t SET a = $1 WHERE b = $2"},
       }) {
    std::string out = neutralize_placeholders(c.sql, c.style);
    EXPECT_EQ(out, c.expected) << c.sql;
    EXPECT_EQ(out.size(), c.sql.size());
  }
}

TEST(Placeholders, AWrongGuessIsFlippedWhenTheStatementDoesNotParse) {
  // After `=` a value is guessed, but SET search_path = {} also parses with a name; after `TABLE`
  // a name: both guesses parse. `ALTER TABLE t RENAME COLUMN a TO {}` needs a name after TO.
  EXPECT_EQ(neutralize_placeholders("ALTER TABLE t RENAME COLUMN a TO {}", PlaceholderStyle::Fmt),
            "ALTER TABLE t RENAME COLUMN a TO p_");
  // A value where the heuristic says name (after a keyword it does not know): the parser decides.
  EXPECT_EQ(neutralize_placeholders("SELECT * FROM t WHERE a IN (SELECT b FROM u WHERE c = {}) OR d > {x}",
                                    PlaceholderStyle::Fmt),
            "SELECT * FROM t WHERE a IN (SELECT b FROM u WHERE c = 00) OR d > 000");
}

// A call whose SQL is the literal starting at `literal` (the text of its opening quote onward).
ExtractedCall call_of(std::string_view cpp, std::string_view literal,
                      std::optional<uint64_t> transaction = {}) {
  auto begin = static_cast<uint32_t>(cpp.find(literal));
  auto decoded = decode_string_literal(cpp, begin);
  EXPECT_TRUE(decoded) << literal;
  ExtractedCall call;
  call.call_begin = begin;
  call.call_end = decoded->end + 1;
  call.argument_begin = begin;
  call.argument_end = decoded->end;
  call.sql = decoded->bytes;
  call.sql_offsets = decoded->offsets;
  call.transaction = transaction;
  return call;
}

TEST(AssembleCalls, EachCallIsItsOwnStatementAndEveryByteMapsBack) {
  std::string cpp = "f(\"SELECT 1\"); g(\"SELECT\\t2; SELECT 3\");";
  std::vector<ExtractedCall> calls{call_of(cpp, "\"SELECT 1"), call_of(cpp, "\"SELECT\\t2")};
  AssembledSql assembled = assemble_calls(cpp, calls);
  EXPECT_EQ(assembled.text, "SELECT 1\n;\nSELECT\t2; SELECT 3\n;\n");
  ASSERT_EQ(assembled.offsets.size(), assembled.text.size());
  ASSERT_EQ(assembled.plan.calls.size(), 2U);
  EXPECT_EQ(assembled.plan.calls[1].sql.begin, 11U);
  // "SELECT 3" in the second call: bytes 21..29 of the text, 30..38 of the C++ file.
  ByteSpan mapped = map_to_cpp(assembled, ByteSpan{21, 29});
  EXPECT_EQ(cpp.substr(mapped.begin, mapped.end - mapped.begin), "SELECT 3");
  // The tab is the escape `\t`.
  EXPECT_EQ(cpp.substr(map_to_cpp(assembled, ByteSpan{17, 18}).begin, 2), "\\t");
}

FileResult lint_calls(const std::string& cpp, const std::vector<ExtractedCall>& calls) {
  Expected<SourceFile> source = source_from_bytes("test.cpp", cpp);
  EXPECT_TRUE(source.has_value());
  CppExtraction extraction;
  extraction.calls = calls;
  RuleSet rules(all_rules(), {}, {});
  return lint_embedded_source(*source, embedded_source(*source, std::move(extraction)), LintOptions{}, rules);
}

std::vector<std::string> rule_positions(const FileResult& result) {
  std::vector<std::string> out;
  for (const Finding& finding : result.findings) {
    if (!finding.suppressed) {
      out.push_back(finding.rule + "@" + std::to_string(finding.start.line) + ":" +
                    std::to_string(finding.start.column));
    }
  }
  return out;
}

TEST(ProgramTransactions, ConcurrentIndexIsAnErrorOnlyInsideTheProgramsTransaction) {
  std::string cpp =
      "a(\"SET lock_timeout = '1s'; SET statement_timeout = '1min'\");\n"
      "b(\"CREATE INDEX CONCURRENTLY i ON t (c)\");\n"
      "c(\"CREATE INDEX CONCURRENTLY j ON t (d)\");\n";
  std::vector<ExtractedCall> calls{call_of(cpp, "\"SET"), call_of(cpp, "\"CREATE INDEX CONCURRENTLY i"),
                                   call_of(cpp, "\"CREATE INDEX CONCURRENTLY j", 7)};
  EXPECT_EQ(rule_positions(lint_calls(cpp, calls)),
            (std::vector<std::string>{"ban-concurrent-index-creation-in-transaction@3:4"}));
}

TEST(ProgramTransactions, ATableCreatedByAnEarlierCallIsExemptAndTimeoutsReportOnce) {
  std::string cpp =
      "a(\"CREATE TABLE t (id bigint PRIMARY KEY, c text)\");\n"
      "b(\"CREATE INDEX t_c ON t (c)\");\n"
      "c(\"ALTER TABLE u ADD COLUMN d text\");\n"
      "d(\"ALTER TABLE v ADD COLUMN e text\");\n";
  std::vector<ExtractedCall> calls{call_of(cpp, "\"CREATE TABLE"), call_of(cpp, "\"CREATE INDEX", 1),
                                   call_of(cpp, "\"ALTER TABLE u"), call_of(cpp, "\"ALTER TABLE v", 2)};
  EXPECT_EQ(rule_positions(lint_calls(cpp, calls)),
            (std::vector<std::string>{"require-lock-timeout@3:4", "require-statement-timeout@3:4"}));
}

TEST(ProgramTransactions, LocalTimeoutsEndWithTheirTransaction) {
  std::string cpp =
      "a(\"SET LOCAL lock_timeout = '1s'; SET statement_timeout = '1min'\");\n"
      "b(\"ALTER TABLE u ADD COLUMN d text\");\n"
      "c(\"ALTER TABLE v ADD COLUMN e text\");\n";
  // The same transaction for the first two calls, another one for the third.
  std::vector<ExtractedCall> calls{call_of(cpp, "\"SET", 1), call_of(cpp, "\"ALTER TABLE u", 1),
                                   call_of(cpp, "\"ALTER TABLE v", 2)};
  EXPECT_EQ(rule_positions(lint_calls(cpp, calls)), (std::vector<std::string>{"require-lock-timeout@3:4"}));
}

TEST(DynamicSql, OneNotePerCallAtTheArgument) {
  std::string cpp = "void f() { PQexec(conn, sql.c_str()); }\n";
  ExtractedCall call;
  call.call_begin = 11;
  call.call_end = 36;
  call.argument_begin = 24;
  call.argument_end = 35;
  call.dynamic = true;
  FileResult result = lint_calls(cpp, {call});
  ASSERT_EQ(result.findings.size(), 1U);
  EXPECT_EQ(result.findings[0].rule, "dynamic-sql");
  EXPECT_EQ(result.findings[0].start, (Position{1, 25}));
  EXPECT_EQ(result.findings[0].end, (Position{1, 36}));
  EXPECT_EQ(result.findings[0].severity, Severity::Note);
}

TEST(IgnoreComments, ApplyToEveryStatementOfTheCallBelowOrTrailed) {
  std::string cpp =
      "// miglint-ignore ban-drop-table -- both are gone\n"
      "a(\"SET lock_timeout = '1s'; SET statement_timeout = '1min'; DROP TABLE x; DROP TABLE y\");\n"
      "b(\"DROP TABLE z\"); // miglint-ignore ban-drop-table\n"
      "c(\"DROP TABLE w\");\n"
      "d(  // miglint-ignore ban-drop-table -- inside the call\n"
      "  \"DROP TABLE v\");\n"
      "e(\"DROP TABLE u\");\n";
  std::vector<ExtractedCall> calls{call_of(cpp, "\"SET"), call_of(cpp, "\"DROP TABLE z"),
                                   call_of(cpp, "\"DROP TABLE w"), call_of(cpp, "\"DROP TABLE v"),
                                   call_of(cpp, "\"DROP TABLE u")};
  calls[3].call_begin = static_cast<uint32_t>(cpp.find("d("));  // the comment is inside d(...)
  FileResult result = lint_calls(cpp, calls);
  EXPECT_EQ(rule_positions(result), (std::vector<std::string>{"ban-drop-table@4:4", "ban-drop-table@7:4"}));
  EXPECT_EQ(std::count_if(result.findings.begin(), result.findings.end(),
                          [](const Finding& finding) { return finding.suppressed; }),
            4);
}

TEST(IsCppPath, ByConfiguredExtension) {
  CppSettings settings;
  EXPECT_TRUE(is_cpp_path("src/db.cpp", settings));
  EXPECT_TRUE(is_cpp_path("include/db.hpp", settings));
  EXPECT_FALSE(is_cpp_path("migrations/001.sql", settings));
  settings.extensions = {".ipp"};
  EXPECT_TRUE(is_cpp_path("x.ipp", settings));
  EXPECT_FALSE(is_cpp_path("x.cpp", settings));
}

}  // namespace
