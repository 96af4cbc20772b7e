#include "analyzer/sql/bulk_rows.hpp"

#include <algorithm>
#include <initializer_list>
#include <optional>
#include <vector>

#include "analyzer/sql/pg_keywords.hpp"
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

// A plain (unquoted, not a parameter) word: a function's or a type's name, a keyword.
bool is_plain_word(std::string_view word) {
  return !word.empty() && (is_ascii_alpha(word.front()) || word.front() == '_') &&
         word.find('$') == std::string_view::npos;
}

// A quoted identifier ("Mood"), as the lite lexer gives one.
bool is_quoted_name(std::string_view word) {
  return word.size() >= 2 && word.front() == '"';
}

bool is_one_of(std::string_view word, std::initializer_list<std::string_view> lower_case_words) {
  return std::any_of(lower_case_words.begin(), lower_case_words.end(),
                     [&](std::string_view candidate) { return word_is(word, candidate); });
}

// Value functions written without parentheses (SQLValueFunction): no column, no relation.
bool is_value_keyword(std::string_view word) {
  return is_one_of(word,
                   {"current_timestamp", "current_date", "current_time", "localtimestamp", "localtime"});
}

// How a word may start a value in a row, by PostgreSQL's grammar (func_name, AexprConst, Typename):
// what may follow it. Words the grammar would not take there keep their row, so that blanking it
// never hides a syntax error.
enum class NameUse { None, CallOrLiteral, CallOnly, LiteralOnly };

// `category`: the word's keyword_category(), which callers need too (looked up once per word).
NameUse name_use(std::string_view word, std::optional<KeywordCategory> category) {
  if (!category || *category == KeywordCategory::Unreserved ||
      *category == KeywordCategory::TypeOrFunctionName) {
    return NameUse::CallOrLiteral;  // `f(...)`, `date '2020-01-01'`, `E'...'`
  }
  if (*category == KeywordCategory::ColumnName) {
    if (is_one_of(word, {"coalesce", "greatest", "least", "nullif"})) {
      return NameUse::CallOnly;  // their own productions, over a list of expressions
    }
    if (is_one_of(word,
                  {"interval", "timestamp", "time", "int", "integer", "bigint", "smallint", "real", "float",
                   "decimal", "dec", "numeric", "boolean", "bit", "char", "character", "varchar"})) {
      return NameUse::LiteralOnly;  // `interval '1 day'`: ConstTypename Sconst
    }
  }
  return NameUse::None;  // reserved (`select`, `array`), or a column-name keyword with a syntax of its own
}

// Whether `word` may begin a type after `::`: a generic type's name or a built-in type's keyword.
bool may_begin_type(std::string_view word) {
  NameUse use = name_use(word, keyword_category(word));
  return use == NameUse::CallOrLiteral || use == NameUse::LiteralOnly;
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
          expect_value_ = true;
          allow_close_ = false;
          name_ = Name::None;
          dot_pending_ = colon_pending_ = type_word_ = phrase_open_ = false;
          last_type_word_ = {};
          cast_ = Cast::None;
          open_.clear();
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

  // One token of a row: its parentheses always count, and while the row may still be left out,
  // check() reads the token.
  void row_token(const Token& token, std::string_view w) {
    if (constant_) {
      check(token, w);
    }
    if (w == "(") {
      ++depth_;
    } else if (w == ")" && --depth_ == 0) {
      close_row(token);
    }
  }

  // The words PostgreSQL's built-in type names go on with (`double precision`, `character varying`,
  // `timestamp(3) with time zone`), each only after the word it follows there.
  bool continues_type_name(std::string_view w) {
    std::string_view last = last_type_word_;
    bool follows =
        (word_is(w, "precision") && word_is(last, "double")) ||
        (word_is(w, "varying") && is_one_of(last, {"character", "char", "bit"})) ||
        (is_one_of(w, {"with", "without"}) && is_one_of(last, {"timestamp", "time"}) && !phrase_open_) ||
        (word_is(w, "time") && is_one_of(last, {"with", "without"})) ||
        (word_is(w, "zone") && word_is(last, "time") && phrase_open_);
    if (follows) {
      last_type_word_ = w;
      phrase_open_ = !word_is(w, "zone") && is_one_of(w, {"with", "without", "time"});
    }
    return follows;
  }

  // Besides constants, a row may call functions (`now()`, `gen_random_uuid()`, `lower('X')`,
  // `s.f(1)`), write typed literals (`DATE '2020-01-01'`, `E'a\n'`), value keywords
  // (`CURRENT_TIMESTAMP`) and casts (`'a'::mood`, `'1'::numeric(10, 2)`, `'{}'::text[]`): no rule
  // reads those, and a seed file's rows often hold them. The tokens are read by a small grammar
  // (a list of values, each a constant, a call over such values or a typed literal, with casts), so
  // that a row is left out only when PostgreSQL would parse it: anything else (a bare or quoted word,
  // which may name a column; a subquery; a parameter; an operator; an error) keeps the row whole.
  void check(const Token& token, std::string_view w) {
    auto fail = [&] { constant_ = false; };
    if (dot_pending_) {  // the next part of a qualified name
      dot_pending_ = false;
      if (cast_ == Cast::InType && (is_plain_word(w) || is_quoted_name(w))) {
        type_word_ = true;
        last_type_word_ = w;
      } else if (cast_ == Cast::None && is_plain_word(w)) {
        name_ = Name::Qualified;
      } else {
        fail();
      }
      return;
    }
    if (colon_pending_) {
      colon_pending_ = false;
      if (w == ":" && token.begin == colon_end_) {  // `::`, not `: :`
        cast_ = Cast::NeedType;
      } else {
        fail();  // a lone `:`
      }
      return;
    }
    if (name_ != Name::None) {
      Name name = name_;
      name_ = Name::None;
      if (w == "(" && name != Name::LiteralOnly) {
        open_.push_back(Paren::Call);
        expect_value_ = true;
        allow_close_ = true;
      } else if (w == "." && name == Name::Qualifiable) {
        dot_pending_ = true;
      } else if (token.kind == kStringConstant && w.front() == '\'' &&
                 (name == Name::CallOrLiteral || name == Name::Qualifiable || name == Name::LiteralOnly)) {
        // A typed literal. `E'...'` may spell a label added before otherwise.
        if (!labels_.empty()) {
          fail();
        }
      } else {
        fail();  // a bare word: a column, or a keyword out of place
      }
      return;
    }
    switch (cast_) {
      case Cast::None:
        break;
      case Cast::NeedType:
        if (is_quoted_name(w) || (is_plain_word(w) && may_begin_type(w))) {
          cast_ = Cast::InType;
          type_word_ = true;
          last_type_word_ = w;
        } else {
          fail();
        }
        return;
      case Cast::InType:
        if (w == "." && type_word_) {
          dot_pending_ = true;
          return;
        }
        if (w == "(" && type_word_) {  // the type's modifiers: numeric(10, 2)
          open_.push_back(Paren::Modifiers);
          cast_ = Cast::None;
          expect_value_ = true;
          allow_close_ = false;
          return;
        }
        type_word_ = false;
        if (w == "[" && !phrase_open_) {
          cast_ = Cast::InBrackets;
          return;
        }
        if (continues_type_name(w)) {
          return;
        }
        if ((w == ":" || w == "," || w == ")") && !phrase_open_) {
          cast_ = Cast::None;
          break;  // the cast ends: the value is whole
        }
        fail();
        return;
      case Cast::InBrackets:
        if (w == "]") {
          cast_ = Cast::InType;
        } else if (!is_plain_number(w)) {
          fail();
        }
        return;
    }
    if (w == "(") {
      fail();  // a row constructor, a subquery, an expression in parentheses
      return;
    }
    if (w == ")") {
      if (expect_value_ && !allow_close_) {
        fail();  // `(1, )`, `()`
        return;
      }
      expect_value_ = false;
      allow_close_ = false;
      if (!open_.empty()) {  // a call's or a type's modifiers' (the row's own is not on the stack)
        Paren closed = open_.back();
        open_.pop_back();
        if (closed == Paren::Modifiers) {
          cast_ = Cast::InType;  // `numeric(10, 2)[]`
        }
      }
      return;
    }
    allow_close_ = false;
    if (w == ",") {
      if (expect_value_) {
        fail();
        return;
      }
      expect_value_ = true;
      if (depth_ == 1 && !first_comma_) {
        first_comma_ = token.begin;
      }
      return;
    }
    if (w == ":") {
      if (expect_value_) {
        fail();
      } else {
        colon_pending_ = true;
        colon_end_ = token.end;
      }
      return;
    }
    if (!expect_value_) {
      fail();  // a second value without a comma, an operator
      return;
    }
    if (w == "-" || w == "+") {
      return;  // a sign: the value follows
    }
    if (token.kind == kStringConstant) {
      // Not a dollar-quoted body (E'..' comes as a word `E` first), nor a label added before.
      if (w.front() != '\'' || may_be_label(w)) {
        fail();
      }
      expect_value_ = false;
      return;
    }
    if (is_plain_number(w) || word_is(w, "null") || word_is(w, "true") || word_is(w, "false") ||
        is_value_keyword(w) || (word_is(w, "default") && depth_ == 1)) {
      expect_value_ = false;
      return;
    }
    if (!is_plain_word(w)) {
      fail();
      return;
    }
    // A function's name or a typed literal's type, if what follows says so.
    expect_value_ = false;
    std::optional<KeywordCategory> category = keyword_category(w);
    switch (name_use(w, category)) {
      case NameUse::CallOrLiteral:
        name_ =
            !category || *category == KeywordCategory::Unreserved ? Name::Qualifiable : Name::CallOrLiteral;
        return;
      case NameUse::CallOnly:
        name_ = Name::CallOnly;
        return;
      case NameUse::LiteralOnly:
        name_ = Name::LiteralOnly;
        return;
      case NameUse::None:
        fail();
        return;
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
  // The row's grammar (check()): what the last tokens leave the next one to be.
  enum class Name { None, Qualifiable, CallOrLiteral, CallOnly, LiteralOnly, Qualified };
  enum class Cast { None, NeedType, InType, InBrackets };
  enum class Paren { Call, Modifiers };
  bool expect_value_ = true;    // a value must come next (after `(`, `,` or a sign)
  bool allow_close_ = false;    // `)` may come next although a value is expected (`now()`)
  Name name_ = Name::None;      // the last token was a word that must be followed by `(`, a string or `.`
  bool dot_pending_ = false;    // the last token was the `.` of a qualified name
  bool colon_pending_ = false;  // the last token was the first `:` of `::`
  uint32_t colon_end_ = 0;      // where that `:` ends (the second must follow at once)
  Cast cast_ = Cast::None;      // where in the type after `::`
  bool type_word_ = false;      // the last token was a word of the type (modifiers or `.` may follow)
  std::string_view last_type_word_;  // the type's last word (`timestamp` before `with time zone`)
  bool phrase_open_ = false;         // inside `with time zone`: it must be finished
  std::vector<Paren> open_;          // the row's open parentheses inside its own
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
