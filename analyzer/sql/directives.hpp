#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "analyzer/sql/tokens.hpp"
#include "analyzer/text/source_file.hpp"

namespace miglint {

// `-- miglint-ignore rule-a, rule-b -- reason` (next statement) or `-- miglint-ignore-file rule-a`;
// also squawk's `-- squawk-ignore rule-a, rule-b` and `-- squawk-ignore-file [rules]`, whose rule
// names are read through the squawk table (analyzer/sql/squawk_rules.hpp).
struct IgnoreDirective {
  struct Name {
    std::string rule;     // the miglint rule id (a squawk name mapped), or the unknown name as written
    std::string written;  // as written in the comment, when it differs (a squawk name)
    bool used = false;
  };
  ByteSpan span;  // the comment
  bool whole_file = false;
  bool squawk = false;     // a squawk-ignore comment
  bool all_rules = false;  // `-- squawk-ignore-file` without names: every rule of the file
  std::vector<Name> rules;
  // squawk rules of the comment that miglint has no equivalent for: accepted and ignored (a note).
  std::vector<std::string> unmapped;
  std::string reason;
  // For SQL embedded in a program: the comment was written above a call, and applies to every
  // statement of that call's SQL (which starts within `scope`) rather than to the next statement.
  std::optional<ByteSpan> scope;
};

// A comment that looks like an ignore but is not one (`-- miglint-ignore: rule`, `-- MIGLINT-IGNORE
// rule`, a `-- miglint-ignore` naming no rule): it silences nothing and is reported
// (`malformed-ignore`) with what it was read as.
struct MalformedIgnore {
  ByteSpan span;
  std::string problem;             // "a colon after `miglint-ignore`"
  bool whole_file = false;         // read as miglint-ignore-file
  std::vector<std::string> rules;  // the names it was read as naming (may be empty)
  std::string reason;
};

// A dbmate `-- migrate:up` / `-- migrate:down` section.
struct Section {
  uint32_t begin = 0;  // offset of the marker comment
  bool down = false;
  bool transactional = true;  // `transaction:false` turns dbmate's wrapping transaction off
};

struct FileDirectives {
  std::vector<IgnoreDirective> ignores;
  std::vector<MalformedIgnore> malformed;
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
