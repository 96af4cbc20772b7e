// Directive comments: `-- miglint-ignore rule-a, rule-b -- reason`, `-- miglint-ignore-file`,
// `-- miglint-no-transaction`, dbmate's `-- migrate:up transaction:false`, in `--` and `/* */`
// comments, as PostgreSQL's scanner finds them (or, when it stops on the text, the text taken as one
// comment, so that any comment body is reached).
#include <cstdint>
#include <string>
#include <vector>

#include "analyzer/sql/directives.hpp"
#include "analyzer/sql/tokens.hpp"
#include "fuzz/fuzz_support.hpp"

using namespace miglint;
using miglint::fuzz::require;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(fuzz::as_text(data, size));
  ScanError error;
  std::vector<Token> tokens = scan_tokens(text, 0, &error);
  if (!error.message.empty()) {
    require(error.offset <= text.size(), "a scan error past the end of the text");
    tokens = {Token{0, static_cast<uint32_t>(text.size()), static_cast<int>(TokenKind::SqlComment)}};
  }
  uint32_t first_statement = static_cast<uint32_t>(text.size());
  for (const Token& token : tokens) {
    require(token.begin <= token.end && token.end <= text.size(), "a token outside the text");
    if (!token.is_comment()) {
      first_statement = std::min(first_statement, token.begin);
    }
  }
  if (!may_contain_directives(text)) {
    return 0;
  }
  FileDirectives directives = read_directives(text, tokens, first_statement);
  for (const IgnoreDirective& ignore : directives.ignores) {
    require(ignore.span.begin <= ignore.span.end && ignore.span.end <= text.size(),
            "an ignore outside the text");
    for (const IgnoreDirective::Name& name : ignore.rules) {
      require(!name.rule.empty(), "an empty rule name in an ignore");
      require(name.rule.find_first_of(", \t") == std::string::npos, "a rule name holding a separator");
    }
  }
  for (const Section& section : directives.sections) {
    require(section.begin < text.size(), "a dbmate section outside the text");
  }
  return 0;
}
