// The language-independent half of the C++ front end (analyzer/cpp/, not Clang): string literal
// tokens decoded with each byte's file offset (escapes, raw strings, u8, suffixes), comments found,
// and the SQL of query calls assembled, linted and mapped back to the C++ file. The calls stand for
// what Clang would extract: one per literal found in the input, in source order.
#include <fmt/format.h>

#include <cctype>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "analyzer/cpp/cpp_lint.hpp"
#include "analyzer/cpp/cpp_text.hpp"
#include "analyzer/engine/linter.hpp"
#include "fuzz/fuzz_support.hpp"
#include "rules/registry.hpp"

using namespace miglint;
using miglint::fuzz::require;

namespace {

constexpr std::size_t kMaxCalls = 8;

void check_literal(std::string_view file, uint32_t begin, const cpp::DecodedLiteral& literal) {
  require(literal.offsets.size() == literal.bytes.size(), "a decoded literal without an offset per byte");
  require(literal.end > begin && literal.end <= file.size(), "a literal's end outside the file");
  uint32_t previous = begin;
  for (uint32_t offset : literal.offsets) {
    require(offset >= begin && offset < literal.end, "a literal byte mapped outside its token");
    require(offset >= previous, "literal byte offsets go backwards");
    previous = offset;
  }
}

void check_comments(std::string_view file) {
  uint32_t previous_end = 0;
  for (const cpp::CppComment& comment : cpp::scan_cpp_comments(file)) {
    require(comment.begin >= previous_end, "comments overlap or are out of order");
    require(comment.begin + 2 <= comment.end && comment.end <= file.size(), "a comment outside the file");
    previous_end = comment.end;
  }
}

// A query call around each literal (the n-th one dynamic, or with another placeholder style).
cpp::ExtractedCall call_for(uint32_t begin, cpp::DecodedLiteral&& literal, std::size_t n, uint8_t selector) {
  cpp::ExtractedCall call;
  call.call_begin = begin;
  call.call_end = literal.end + 1;  // the call's closing parenthesis, after its argument
  call.argument_begin = begin;
  call.argument_end = literal.end;
  call.function = "PQexec";
  call.placeholders = static_cast<cpp::PlaceholderStyle>((selector + n) % 5);
  if ((selector >> 3U) % 3 == 1) {
    call.transaction = (selector >> 5U) + (n % 2);
  }
  call.dynamic = (selector + n) % 11 == 10;
  if (!call.dynamic) {
    call.sql = std::move(literal.bytes);
    call.sql_offsets = std::move(literal.offsets);
  }
  return call;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const RuleSet rules(all_rules(), {}, {});
  std::string_view file = fuzz::as_text(data, size);
  check_comments(file);

  cpp::CppExtraction extraction;
  uint8_t selector = size > 0 ? data[size - 1] : 0;
  uint32_t resume = 0;  // calls do not overlap: the next literal starts after the last one
  for (uint32_t at = 0; at < file.size(); ++at) {
    char c = file[at];
    if (c != '"' && c != 'R' && c != 'u' && c != 'U' && c != 'L') {
      continue;
    }
    // A literal starts a token: not inside an identifier, not inside the last literal decoded.
    char before = at > 0 ? file[at - 1] : ' ';
    if (at < resume || std::isalnum(static_cast<unsigned char>(before)) != 0 || before == '_') {
      continue;
    }
    std::optional<cpp::DecodedLiteral> literal = cpp::decode_string_literal(file, at);
    if (!literal) {
      continue;
    }
    check_literal(file, at, *literal);
    resume = literal->end;
    // As Clang extracts them: a call ends after its argument, with its `)` (so nothing is a call
    // whose argument ends the file).
    if (extraction.calls.size() < kMaxCalls && literal->end < file.size()) {
      extraction.calls.push_back(call_for(at, std::move(*literal), extraction.calls.size(), selector));
    }
  }

  Expected<SourceFile> source = source_from_bytes("/fuzz/src/migrate.cpp", std::string(file));
  if (!source) {
    return 0;
  }
  cpp::AssembledSql assembled = cpp::assemble_calls(file, extraction.calls);
  require(assembled.offsets.size() == assembled.text.size(), "assembled SQL without an offset per byte");
  for (uint32_t offset : assembled.offsets) {
    require(offset <= file.size(), "assembled SQL mapped past the C++ file");
  }
  LintOptions options;
  options.pg_version = 10 + selector % 9;
  FileResult result = cpp::lint_extracted_calls(*source, extraction, options, rules);
  for (const Finding& finding : result.findings) {
    require(finding.span.begin <= finding.span.end && finding.span.end <= file.size(),
            fmt::format("a finding mapped outside the C++ file: {} at [{}, {}) of {} bytes", finding.rule,
                        finding.span.begin, finding.span.end, file.size()));
    require(finding.start <= finding.end, "a finding ends before it starts");
  }
  return 0;
}
