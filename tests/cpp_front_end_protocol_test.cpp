// What miglint and its C++ front end process say to each other (analyzer/cpp/front_end_protocol.hpp):
// every field survives the trip, and a frame that is cut short or lies about its sizes is refused,
// never read past its end.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>

#include "analyzer/cpp/front_end_protocol.hpp"

using namespace miglint::cpp;

namespace {

CppExtraction sample_extraction() {
  CppExtraction extraction;
  ExtractedCall literal;
  literal.call_begin = 10;
  literal.call_end = 80;
  literal.argument_begin = 20;
  literal.argument_end = 79;
  literal.function = "pqxx::work::exec";
  literal.placeholders = PlaceholderStyle::Fmt;
  literal.placeholders_explicit = true;
  literal.format_arguments = true;
  literal.transaction = 0xFFFF'FFFF'0000'0001ULL;
  literal.transaction_guessed = true;
  literal.sql = std::string("DROP TABLE \"caf\xC3\xA9\";\0x", 20);
  for (uint32_t i = 0; i < literal.sql.size(); ++i) {
    literal.sql_offsets.push_back(21 + i);
  }
  ExtractedCall dynamic;
  dynamic.function = "PQexec";
  dynamic.dynamic = true;
  extraction.calls = {literal, dynamic};
  extraction.incomplete = "3:1: 'missing.h' file not found; 2 errors in all";
  return extraction;
}

}  // namespace

TEST(CppFrontEndProtocol, AnExtractionSurvivesTheTrip) {
  CppExtraction sent = sample_extraction();
  std::optional<CppExtraction> received = decode_extraction(encode_extraction(sent));
  ASSERT_TRUE(received.has_value());
  ASSERT_EQ(received->calls.size(), 2U);
  const ExtractedCall& call = received->calls[0];
  EXPECT_EQ(call.call_begin, 10U);
  EXPECT_EQ(call.call_end, 80U);
  EXPECT_EQ(call.argument_begin, 20U);
  EXPECT_EQ(call.argument_end, 79U);
  EXPECT_EQ(call.function, "pqxx::work::exec");
  EXPECT_EQ(call.placeholders, PlaceholderStyle::Fmt);
  EXPECT_TRUE(call.placeholders_explicit);
  EXPECT_TRUE(call.format_arguments);
  EXPECT_EQ(call.transaction, std::optional<uint64_t>(0xFFFF'FFFF'0000'0001ULL));
  EXPECT_TRUE(call.transaction_guessed);
  EXPECT_FALSE(call.dynamic);
  EXPECT_EQ(call.sql, sent.calls[0].sql);
  EXPECT_EQ(call.sql_offsets, sent.calls[0].sql_offsets);
  EXPECT_TRUE(received->calls[1].dynamic);
  EXPECT_EQ(received->calls[1].transaction, std::nullopt);
  EXPECT_EQ(received->incomplete, sent.incomplete);
  EXPECT_EQ(received->error, std::nullopt);

  CppExtraction failed;
  failed.error = "Clang could not process the file";
  std::optional<CppExtraction> failure = decode_extraction(encode_extraction(failed));
  ASSERT_TRUE(failure.has_value());
  EXPECT_EQ(failure->error, failed.error);
}

TEST(CppFrontEndProtocol, ARequestSurvivesTheTripWithItsSettings) {
  CppSettings settings;
  settings.enabled = true;
  settings.extensions = {".cc", ".hh"};
  settings.compile_commands_dir = "/src/build";
  settings.extra_args = {"-DX=1", "-Iinclude"};
  QueryFunction own{"myapp::db::run", 1, PlaceholderStyle::Question, std::nullopt, false, true};
  settings.query_functions.push_back(own);
  std::string contents("int main() { return 0; }\n\0tail", 31);
  CppExtractRequest request{"src/a b.cpp", contents, &settings};
  std::optional<OwnedRequest> received = decode_request(encode_request(request));
  ASSERT_TRUE(received.has_value());
  EXPECT_EQ(received->filesystem_path, "src/a b.cpp");
  EXPECT_EQ(received->contents, contents);
  EXPECT_EQ(received->settings.extensions, settings.extensions);
  EXPECT_EQ(received->settings.compile_commands_dir, "/src/build");
  EXPECT_EQ(received->settings.extra_args, settings.extra_args);
  ASSERT_EQ(received->settings.query_functions.size(), settings.query_functions.size());
  const QueryFunction& last = received->settings.query_functions.back();
  EXPECT_EQ(last.name, "myapp::db::run");
  EXPECT_EQ(last.sql_arg, 1U);
  EXPECT_EQ(last.placeholders, PlaceholderStyle::Question);
  EXPECT_EQ(last.in_transaction, std::nullopt);
  EXPECT_TRUE(last.placeholders_explicit);
  EXPECT_EQ(received->settings.query_functions.front().name, settings.query_functions.front().name);
  EXPECT_EQ(received->settings.query_functions.front().in_transaction,
            settings.query_functions.front().in_transaction);
}

TEST(CppFrontEndProtocol, CutOrLyingFramesAreRefused) {
  std::string frame = encode_extraction(sample_extraction());
  for (size_t size = 0; size < frame.size(); ++size) {
    EXPECT_FALSE(decode_extraction(std::string_view(frame).substr(0, size)).has_value()) << size;
  }
  EXPECT_FALSE(decode_extraction(frame + "x").has_value()) << "trailing bytes";
  std::string huge_count = frame;
  huge_count[3] = '\x7F';  // two calls -> about two billion
  EXPECT_FALSE(decode_extraction(huge_count).has_value());
  std::string bad_style = encode_extraction(sample_extraction());
  bad_style[4 * 4 + 4 + 4 + std::string("pqxx::work::exec").size()] = '\x09';  // no such placeholder style
  EXPECT_FALSE(decode_extraction(bad_style).has_value());
  EXPECT_FALSE(decode_hello("not a hello").has_value());
  std::optional<Hello> hello = decode_hello(encode_hello({kProtocolVersion, "16.0.6"}));
  ASSERT_TRUE(hello.has_value());
  EXPECT_EQ(hello->version, kProtocolVersion);
  EXPECT_EQ(hello->clang_version, "16.0.6");
}

TEST(CppFrontEndProtocol, FramesCrossASocketAndTheEndIsSeen) {
  int ends[2];
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, ends), 0);
  ASSERT_TRUE(write_frame(ends[0], "first"));
  ASSERT_TRUE(write_frame(ends[0], ""));
  ASSERT_EQ(write(ends[0], "\x05\x00", 2), 2);  // a length cut short, then the end
  close(ends[0]);
  bool clean_end = true;
  EXPECT_EQ(read_frame(ends[1], &clean_end), std::optional<std::string>("first"));
  EXPECT_FALSE(clean_end);
  EXPECT_EQ(read_frame(ends[1], &clean_end), std::optional<std::string>(""));
  EXPECT_EQ(read_frame(ends[1], &clean_end), std::nullopt);
  EXPECT_FALSE(clean_end) << "a frame cut short is not a clean end";
  EXPECT_EQ(read_frame(ends[1], &clean_end), std::nullopt);
  EXPECT_TRUE(clean_end);
  close(ends[1]);
  // Writing to a peer that is gone fails instead of raising SIGPIPE.
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, ends), 0);
  close(ends[1]);
  EXPECT_FALSE(write_frame(ends[0], std::string(1 << 20, 'x')));
  close(ends[0]);
}
