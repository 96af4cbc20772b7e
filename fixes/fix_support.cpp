#include <algorithm>

#include "analyzer/text/ascii.hpp"
#include "fixes/fixer.hpp"

namespace miglint {

std::string_view token_text(const Statement& statement, const Token& token) {
  return statement.file().text().substr(token.begin, token.end - token.begin);
}

bool is_word(const Statement& statement, const Token& token, std::string_view word) {
  std::string_view text = token_text(statement, token);
  return text.size() == word.size() && std::equal(text.begin(), text.end(), word.begin(),
                                                  [](char a, char b) { return ascii_lower(a) == b; });
}

uint32_t end_after_semicolon(const Statement& statement, bool* has_semicolon) {
  std::string_view text = statement.file().text();
  uint32_t end = statement.span().end;
  uint32_t next = skip_leading_trivia(text, end, static_cast<uint32_t>(text.size()));
  *has_semicolon = next < text.size() && text[next] == ';';
  return *has_semicolon ? next + 1 : end;
}

std::string with_file_line_endings(const SourceFile& source, std::string_view lf_text) {
  std::string_view ending = line_ending_of(source.text());
  std::string out;
  for (char c : lf_text) {
    if (c == '\n') {
      out += ending;
    } else {
      out += c;
    }
  }
  return out;
}

TextEdit insert_lines_before(const Statement& statement, std::string_view lines_lf) {
  const SourceFile& file = statement.file();
  std::string_view text = file.text();
  uint32_t begin = statement.begin();
  uint32_t line_start = begin;
  while (line_start > 0 && (text[line_start - 1] == ' ' || text[line_start - 1] == '\t')) {
    --line_start;
  }
  bool at_line_start = line_start == 0 || text[line_start - 1] == '\n';
  // Above the ignore comments right before the statement (one must stay on the line before the
  // statement it silences; other comments, a leading directive among them, stay where they are). They are
  // trivia between the statements: the previous statement's `;` is on an earlier line.
  while (at_line_start && line_start > 0) {
    std::size_t previous_end = line_start - 1;  // its '\n'
    std::size_t previous_start = text.rfind('\n', previous_end == 0 ? 0 : previous_end - 1);
    previous_start = previous_start == std::string_view::npos || previous_end == 0 ? 0 : previous_start + 1;
    std::string_view line = text.substr(previous_start, previous_end - previous_start);
    std::size_t first = line.find_first_not_of(" \t");
    std::string_view comment = first == std::string_view::npos ? std::string_view() : line.substr(first);
    if (!comment.starts_with("-- miglint-ignore ") && !comment.starts_with("-- squawk-ignore ")) {
      break;
    }
    if (previous_start + first != previous_start) {
      break;  // an indented comment: keep it simple, stay below it
    }
    line_start = static_cast<uint32_t>(previous_start);
    begin = line_start;
  }
  if (!at_line_start) {
    // After other code on the line: the lines go right before the statement, which then starts a line.
    return make_edit(file, ByteSpan{begin, begin}, with_file_line_endings(file, lines_lf));
  }
  std::string indentation(text.substr(line_start, begin - line_start));
  std::string indented;
  std::size_t start = 0;
  while (start < lines_lf.size()) {
    std::size_t newline = lines_lf.find('\n', start);
    std::size_t end = newline == std::string_view::npos ? lines_lf.size() : newline + 1;
    indented += indentation;
    indented.append(lines_lf.substr(start, end - start));
    start = end;
  }
  return make_edit(file, ByteSpan{line_start, line_start}, with_file_line_endings(file, indented));
}

const PlanSection* section_of(const TransactionPlan& plan, std::size_t index) {
  for (const PlanSection& section : plan.sections) {
    if (index >= section.first && index < section.last) {
      return &section;
    }
  }
  return nullptr;
}

const TransactionSegment* segment_of(const TransactionPlan& plan, std::size_t index) {
  const PlanSection* section = section_of(plan, index);
  if (section == nullptr) {
    return nullptr;
  }
  for (const TransactionSegment& segment : section->segments) {
    if (index >= segment.first && index < segment.last) {
      return &segment;
    }
  }
  return nullptr;
}

std::string sql_identifier(std::string_view name) {
  bool plain = !name.empty() && (ascii_lower(name[0]) == name[0]) &&
               (name[0] == '_' || (name[0] >= 'a' && name[0] <= 'z'));
  for (char c : name) {
    plain = plain && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_');
  }
  if (plain) {
    return std::string(name);
  }
  std::string quoted = "\"";
  for (char c : name) {
    quoted += c;
    if (c == '"') {
      quoted += '"';
    }
  }
  return quoted + "\"";
}

}  // namespace miglint
