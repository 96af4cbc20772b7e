#include "analyzer/model/fact_reading.hpp"

#include <string>
#include <string_view>

#include "analyzer/sql/copy_data.hpp"
#include "analyzer/sql/tokens.hpp"
#include "analyzer/text/ascii.hpp"

namespace miglint {

namespace {

bool is_create(std::string_view word) {
  return word.size() == 6 && ascii_lower(word[0]) == 'c' && ascii_lower(word[1]) == 'r' &&
         ascii_lower(word[2]) == 'e' && ascii_lower(word[3]) == 'a' && ascii_lower(word[4]) == 't' &&
         ascii_lower(word[5]) == 'e';
}

}  // namespace

std::optional<SourceFile> fact_statements_only(const SourceFile& source) {
  // The rows of COPY ... FROM STDIN are data: their quotes and words must not be read as SQL.
  std::optional<WithoutCopyData> without_data = without_copy_data(source.text());
  std::string_view text = without_data ? std::string_view(without_data->text) : source.text();
  // dbmate's sections decide which statements teach (a down section does not): read them whole.
  if (text.find("migrate:") != std::string_view::npos) {
    return std::nullopt;
  }
  std::string kept;
  bool dropped = false;
  bool whole = false;
  std::optional<Token> head;  // the first token of the current statement
  uint32_t last_end = 0;      // the end of its last token so far
  auto close_statement = [&]() {
    if (!head) {
      return;
    }
    std::string_view word = text.substr(head->begin, head->end - head->begin);
    if (head->is(TokenKind::Alter) || head->is(TokenKind::Drop) || is_create(word)) {
      kept.append(text.substr(head->begin, last_end - head->begin));
      kept += ";\n";
    } else {
      dropped = true;
    }
    head.reset();
  };
  visit_lite_tokens(text, 0, static_cast<uint32_t>(text.size()), [&](const Token& token) {
    if (token.is(TokenKind::Atomic)) {
      whole = true;  // a BEGIN ATOMIC body holds semicolons of its own
      return false;
    }
    if (token.is(TokenKind::Semicolon)) {
      close_statement();
      return true;
    }
    if (!head) {
      head = token;
    }
    last_end = token.end;
    return true;
  });
  if (whole) {
    return std::nullopt;
  }
  close_statement();
  if (!dropped) {
    return std::nullopt;
  }
  return SourceFile(source.path(), std::move(kept));
}

}  // namespace miglint
