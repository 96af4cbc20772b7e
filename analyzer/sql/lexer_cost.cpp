#include "analyzer/sql/lexer_cost.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>

#include "analyzer/sql/parser_limit.hpp"
#include "analyzer/sql/quoting.hpp"

namespace miglint {

namespace {

// scan.l's op_chars, as a table: the check runs over every text before the lexer does.
constexpr std::array<bool, 256> kOpChars = [] {
  std::array<bool, 256> table{};
  for (unsigned char c : std::string_view("~!@#^&|`?+-*/%<>=")) {
    table[c] = true;
  }
  return table;
}();

bool is_op_char(char c) {
  return kOpChars[static_cast<unsigned char>(c)];
}

// The longest run of operator characters anywhere in `text`, strings and comments included.
std::size_t longest_op_run(std::string_view text) {
  std::size_t longest = 0;
  std::size_t current = 0;
  for (char c : text) {
    current = is_op_char(c) ? current + 1 : 0;
    longest = std::max(longest, current);
  }
  return longest;
}

// The characters that let a multi-character operator end in `+` or `-` (scan.l's operator rule).
bool allows_trailing_sign(char c) {
  switch (c) {
    case '~':
    case '!':
    case '@':
    case '#':
    case '^':
    case '&':
    case '|':
    case '`':
    case '?':
    case '%':
      return true;
    default:
      return false;
  }
}

// What the lexer reads from `text`, step by step. `steps` counts the bytes its rules match, a byte
// matched twice counted twice; each walk over a run below is paid for in `steps` (so this model
// costs what it counts, and stops at the budget).
class LexerModel {
 public:
  LexerModel(std::string_view text, uint64_t budget) : text_(text), size_(text.size()), budget_(budget) {}

  std::optional<SlowLexing> run() {
    std::size_t i = 0;
    while (i < size_) {
      char c = text_[i];
      if (c == '-' && next_is(i, '-')) {
        i = line_end(i);
      } else if (c == '/' && next_is(i, '*')) {
        std::size_t after = comment_start(i) ? block_comment(i + 2) : 0;
        if (after == 0) {
          return over_budget_;
        }
        i = after;
      } else if (is_op_char(c)) {
        std::size_t taken = operator_token(i);
        if (taken == 0) {
          return over_budget_;
        }
        i += taken;
      } else if (c == '\'' || c == '"') {
        i = sql_lexing::skip_quoted(text_, 0, static_cast<uint32_t>(i), static_cast<uint32_t>(size_));
      } else if (c == '$') {
        i = dollar_quoted(i);
      } else if (sql_lexing::is_identifier_char(c)) {
        // Read forward, as the lexer reads words: every `$` this loop meets then begins a token.
        i = sql_lexing::word_end(text_, static_cast<uint32_t>(i), static_cast<uint32_t>(size_));
      } else {
        ++i;
      }
    }
    return std::nullopt;
  }

 private:
  bool next_is(std::size_t i, char c) const { return i + 1 < size_ && text_[i + 1] == c; }

  // A line comment ends at a line feed or a carriage return, as PostgreSQL's lexer has it
  // (`newline [\n\r]`).
  std::size_t line_end(std::size_t i) const {
    std::size_t end = text_.find_first_of("\n\r", i);
    return end == std::string_view::npos ? size_ : end + 1;
  }

  // The end of the run of operator characters from `i`, paid for.
  std::size_t run_end(std::size_t i) {
    std::size_t end = i;
    while (end < size_ && is_op_char(text_[end])) {
      ++end;
    }
    steps_ += end - i;
    return end;
  }

  // Records that the budget is spent in the run holding `at`.
  void over_budget(std::size_t at) {
    std::size_t begin = at;
    while (begin > 0 && is_op_char(text_[begin - 1])) {
      --begin;
    }
    std::size_t end = at;
    while (end < size_ && is_op_char(text_[end])) {
      ++end;
    }
    over_budget_ = SlowLexing{static_cast<uint32_t>(begin), static_cast<uint32_t>(end - begin)};
  }

  // A `/*` at `i` (xcstart: `\/\*{op_chars}*`, then put back to two bytes). False once over budget.
  bool comment_start(std::size_t i) {
    run_end(i);
    if (steps_ > budget_) {
      over_budget(i);
      return false;
    }
    return true;
  }

  // Past the block comment whose body starts at `i` (depth 1), or 0 once over budget. Comments nest.
  std::size_t block_comment(std::size_t i) {
    int depth = 1;
    while (i < size_) {
      char c = text_[i];
      if (c == '/' && next_is(i, '*')) {
        if (!comment_start(i)) {
          return 0;
        }
        ++depth;
        i += 2;
      } else if (c == '*') {
        while (i < size_ && text_[i] == '*') {
          ++i;
        }
        if (i < size_ && text_[i] == '/') {
          ++i;
          if (--depth == 0) {
            return i;
          }
        }
      } else {
        ++i;
      }
    }
    return size_;
  }

  // The length of the operator token at `i` (not a comment start), or 0 once over budget. The
  // operator rule matches the whole run, then cuts it (scan.l, rule {operator}).
  std::size_t operator_token(std::size_t i) {
    std::size_t end = run_end(i);
    std::size_t cut = end;
    for (std::size_t j = i; j + 1 < end; ++j) {  // strstr for "/*" and "--"
      if ((text_[j] == '/' && text_[j + 1] == '*') || (text_[j] == '-' && text_[j + 1] == '-')) {
        cut = j;
        break;
      }
    }
    steps_ += cut - i;
    std::size_t length = cut - i;
    if (length > 1 && (text_[cut - 1] == '+' || text_[cut - 1] == '-')) {
      bool allowed = std::any_of(text_.begin() + static_cast<std::ptrdiff_t>(i),
                                 text_.begin() + static_cast<std::ptrdiff_t>(cut - 1), allows_trailing_sign);
      steps_ += length;
      if (!allowed) {
        do {
          --length;
        } while (length > 1 && (text_[i + length - 1] == '+' || text_[i + length - 1] == '-'));
      }
    }
    if (steps_ > budget_) {
      over_budget(i);
      return 0;
    }
    return std::max<std::size_t>(length, 1);
  }

  // Past the dollar-quoted string at `i`, or past the `$` when none starts there (a parameter's `$`,
  // whose digits are then read as a number's).
  std::size_t dollar_quoted(std::size_t i) const {
    std::string_view tag =
        sql_lexing::dollar_tag(text_, static_cast<uint32_t>(i), static_cast<uint32_t>(size_),
                               /*token_start=*/true);
    if (tag.empty()) {
      return i + 1;
    }
    std::size_t close = text_.find(tag, i + tag.size());
    return close == std::string_view::npos ? size_ : close + tag.size();
  }

  std::string_view text_;
  std::size_t size_;
  uint64_t budget_;
  uint64_t steps_ = 0;
  std::optional<SlowLexing> over_budget_;
};

}  // namespace

uint64_t lexer_step_budget(std::size_t length) {
  return 16 * static_cast<uint64_t>(length) + (uint64_t{1} << 22);
}

std::optional<SlowLexing> find_slow_lexing(std::string_view text) {
  // The model counts at most 3 steps for each byte of a run for each token cut from it (matching the
  // rest of the run, looking for `/*` and `--` in it, trimming signs): 3(L+1)/2 steps a byte for a
  // run of L bytes. With no run longer than 9 bytes that is under 16 a byte, within any budget.
  if (longest_op_run(text) <= 9) {
    return std::nullopt;
  }
  return LexerModel(text, lexer_step_budget(text.size())).run();
}

std::string slow_lexing_message(const SlowLexing& slow) {
  return fmt::format(
      "a run of {} operator characters here would take PostgreSQL's lexer time that grows with the square "
      "of its length (it reads the run again for each token it cuts from it: `/*`, `+`, `-`); put spaces "
      "between the operators",
      slow.run_length);
}

void require_bounded_lexing(std::string_view text, uint32_t base) {
  if (std::optional<SlowLexing> slow = find_slow_lexing(text)) {
    throw ParserLimit(slow_lexing_message(*slow), base + slow->offset);
  }
}

}  // namespace miglint
