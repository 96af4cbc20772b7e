#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "analyzer/sql/tokens.hpp"
#include "analyzer/text/source_file.hpp"

namespace miglint {

// `-- miglint-ignore rule-a, rule-b -- reason` (next statement) or `-- miglint-ignore-file rule-a`.
struct IgnoreDirective {
  struct Name {
    std::string rule;
    bool used = false;
  };
  ByteSpan span;  // the comment
  bool whole_file = false;
  std::vector<Name> rules;
  std::string reason;
  // For SQL embedded in a program: the comment was written above a call, and applies to every
  // statement of that call's SQL (which starts within `scope`) rather than to the next statement.
  std::optional<ByteSpan> scope;
};

// A dbmate `-- migrate:up` / `-- migrate:down` section.
struct Section {
  uint32_t begin = 0;  // offset of the marker comment
  bool down = false;
  bool transactional = true;  // `transaction:false` turns dbmate's wrapping transaction off
};

struct FileDirectives {
  std::vector<IgnoreDirective> ignores;
  std::vector<Section> sections;  // empty unless the file has dbmate markers
  bool no_transaction = false;    // a leading `-- miglint-no-transaction`
};

// Whether the text can hold any directive at all (a cheap test that spares the scanner).
bool may_contain_directives(std::string_view text);

// Reads the directives in the comment tokens of `text`. `first_statement` is the offset of the
// first statement (a no-transaction directive must come before it).
FileDirectives read_directives(std::string_view text, const std::vector<Token>& tokens,
                               uint32_t first_statement);

}  // namespace miglint
