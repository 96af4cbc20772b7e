#include "analyzer/sql/bulk_rows.hpp"

#include <algorithm>
#include <vector>

#include "analyzer/sql/tokens.hpp"
#include "analyzer/text/ascii.hpp"
#include "analyzer/text/source_file.hpp"

namespace miglint {

namespace {

constexpr int kStringConstant = 261;  // lite tokens' kind for a quoted string or dollar-quoted body

bool word_is(std::string_view word, std::string_view lower_case) {
  return word.size() == lower_case.size() && std::equal(word.begin(), word.end(), lower_case.begin(),
                                                        [](char a, char b) { return ascii_lower(a) == b; });
}

bool contains_word_insert(std::string_view text) {
  for (std::size_t at = text.find_first_of("iI"); at != std::string_view::npos;
       at = text.find_first_of("iI", at + 1)) {
    if (word_is(text.substr(at, 6), "insert")) {
      return true;
    }
  }
  return false;
}

// 12, 3.5: a numeric constant the lite lexer gives as one word (1e5 and .5 are not taken: rows
// holding them are kept, which is only less saving).
bool is_plain_number(std::string_view word) {
  bool dot = false;
  for (std::size_t i = 0; i < word.size(); ++i) {
    if (word[i] == '.' && !dot && i > 0 && i + 1 < word.size()) {
      dot = true;
    } else if (!is_ascii_digit(word[i])) {
      return false;
    }
  }
  return !word.empty();
}

// A token that can stand in a constant row: a value or what joins values.
bool is_constant_row_token(std::string_view text, const Token& token) {
  std::string_view word = text.substr(token.begin, token.end - token.begin);
  if (token.kind == kStringConstant) {
    return word.front() == '\'';  // not a dollar-quoted body (E'..' comes as a word `E` first)
  }
  if (word == "," || word == "-" || word == "+") {
    return true;
  }
  return is_plain_number(word) || word_is(word, "null") || word_is(word, "true") || word_is(word, "false") ||
         word_is(word, "default");
}

class BulkRows {
 public:
  explicit BulkRows(std::string_view text) : text_(text) {}

  std::optional<std::string> run() {
    visit_lite_tokens(text_, 0, static_cast<uint32_t>(text_.size()), [&](const Token& token) {
      step(token);
      return true;
    });
    if (blanks_.empty()) {
      return std::nullopt;
    }
    std::string out(text_);
    for (const ByteSpan& region : blanks_) {
      // Blank the tokens only: comments in between (an ignore comment, say) stay where they are.
      visit_lite_tokens(text_, region.begin, region.end, [&](const Token& token) {
        // Line breaks (in strings) stay: the parsed text has the source's lines.
        std::replace_if(
            out.begin() + token.begin, out.begin() + token.end, [](char c) { return c != '\n' && c != '\r'; },
            ' ');
        return true;
      });
    }
    return out;
  }

 private:
  enum class Phase { Start, Other, Insert, Target, Columns, AfterColumns, RowOpen, Row, AfterRow };

  std::string_view word(const Token& token) const {
    return text_.substr(token.begin, token.end - token.begin);
  }

  void step(const Token& token) {
    // BEGIN ATOMIC ... END: the body's semicolons do not end the statement (as split_pieces).
    atomic_.step(token);
    if (token.is(TokenKind::Semicolon) && !atomic_.inside()) {
      phase_ = Phase::Start;
      alter_ = adds_value_ = false;
      return;
    }
    if (atomic_.inside()) {
      phase_ = Phase::Other;
    }
    std::string_view w = word(token);
    if (phase_ == Phase::Start) {
      alter_ = token.is(TokenKind::Alter);
      phase_ = word_is(w, "insert") ? Phase::Insert : Phase::Other;
      return;
    }
    if (alter_) {
      learn_labels(token, w);
      return;
    }
    switch (phase_) {
      case Phase::Start:
      case Phase::Other:
        return;
      case Phase::Insert:
        phase_ = word_is(w, "into") ? Phase::Target : Phase::Other;
        return;
      case Phase::Target:
        // The table, an alias, OVERRIDING ... VALUE: words and dots, until the columns or VALUES.
        if (w == "(") {
          phase_ = Phase::Columns;
          depth_ = 1;
        } else if (word_is(w, "values")) {
          start_rows();
        } else if (!(token.is(TokenKind::Identifier) || w == ".") || word_is(w, "default") ||
                   word_is(w, "select") || word_is(w, "table")) {
          phase_ = Phase::Other;
        }
        return;
      case Phase::Columns:
        depth_ += w == "(" ? 1 : w == ")" ? -1 : 0;
        if (depth_ == 0) {
          phase_ = Phase::AfterColumns;
        }
        return;
      case Phase::AfterColumns:
        if (word_is(w, "values")) {
          start_rows();
        } else if (!(word_is(w, "overriding") || word_is(w, "system") || word_is(w, "user") ||
                     word_is(w, "value"))) {
          phase_ = Phase::Other;
        }
        return;
      case Phase::RowOpen:
        if (w == "(") {
          phase_ = Phase::Row;
          depth_ = 1;
          constant_ = true;
          first_comma_.reset();
        } else {
          phase_ = Phase::Other;
        }
        return;
      case Phase::Row:
        row_token(token, w);
        return;
      case Phase::AfterRow:
        if (w == ",") {
          row_comma_ = token.begin;
          phase_ = Phase::RowOpen;
        } else {
          phase_ = Phase::Other;  // ON CONFLICT, RETURNING, or not SQL we know
        }
        return;
    }
  }

  void start_rows() {
    phase_ = Phase::RowOpen;
    row_index_ = 0;
  }

  void row_token(const Token& token, std::string_view w) {
    if (w == "(") {
      ++depth_;
      constant_ = false;  // a row constructor, a subquery, a function's arguments
      return;
    }
    if (w == ")") {
      if (--depth_ == 0) {
        close_row(token);
      }
      return;
    }
    if (depth_ == 1 && w == "," && !first_comma_) {
      first_comma_ = token.begin;
    }
    if (constant_ && !is_constant_row_token(text_, token)) {
      constant_ = false;
    }
    if (constant_ && token.kind == kStringConstant && may_be_label(w)) {
      constant_ = false;
    }
  }

  void close_row(const Token& close) {
    if (constant_) {
      if (row_index_ == 0) {
        if (first_comma_) {
          blanks_.push_back(ByteSpan{*first_comma_, close.begin});  // keep `(first value )`
        }
      } else {
        // The comma before the row and the row; one region with the rows before it when they
        // were blanked too (a million rows make one region).
        if (previous_blanked_) {
          blanks_.back().end = close.end;
        } else {
          blanks_.push_back(ByteSpan{row_comma_, close.end});
        }
      }
    }
    previous_blanked_ = constant_ && row_index_ > 0;
    ++row_index_;
    phase_ = Phase::AfterRow;
  }

  // ALTER TYPE ... ADD VALUE 'x' (or RENAME VALUE): every string of such a statement may be a label
  // that enum-value-used-in-same-transaction looks for in later rows.
  void learn_labels(const Token& token, std::string_view w) {
    if (word_is(w, "value")) {
      adds_value_ = true;
    } else if (adds_value_ && token.kind == kStringConstant) {
      char before = token.begin > 0 ? text_[token.begin - 1] : ' ';
      bool plain =
          w.size() >= 2 && w.front() == '\'' && w.back() == '\'' && !is_ascii_alpha(before) && before != '&';
      // An E'...', U&'...' or dollar-quoted label may be written otherwise in the rows: then every
      // string may be one (the empty label is in every string).
      labels_.emplace_back(plain ? w.substr(1, w.size() - 2) : std::string_view());
    }
  }

  bool may_be_label(std::string_view quoted) const {
    return std::any_of(labels_.begin(), labels_.end(), [&](const std::string& label) {
      return quoted.find(label) != std::string_view::npos;
    });
  }

  std::string_view text_;
  Phase phase_ = Phase::Start;
  AtomicBodyTracker atomic_;
  bool alter_ = false;
  bool adds_value_ = false;
  std::vector<std::string> labels_;
  int depth_ = 0;
  bool constant_ = true;
  std::optional<uint32_t> first_comma_;
  uint32_t row_comma_ = 0;
  std::size_t row_index_ = 0;
  bool previous_blanked_ = false;
  std::vector<ByteSpan> blanks_;
};

}  // namespace

std::optional<std::string> without_bulk_rows(std::string_view text) {
  if (!contains_word_insert(text)) {
    return std::nullopt;
  }
  return BulkRows(text).run();
}

}  // namespace miglint
