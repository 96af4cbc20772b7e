#include "analyzer/sql/directives.hpp"

#include <cctype>
#include <unordered_set>

#include "analyzer/text/ascii.hpp"

namespace miglint {

namespace {

std::string_view trim(std::string_view text) {
  while (!text.empty() && is_ascii_space(text.front())) {
    text.remove_prefix(1);
  }
  while (!text.empty() && is_ascii_space(text.back())) {
    text.remove_suffix(1);
  }
  return text;
}

// The body of a comment token, without `--` or `/* */`.
std::string_view comment_body(std::string_view comment) {
  if (comment.starts_with("--")) {
    comment.remove_prefix(2);
  } else if (comment.starts_with("/*") && comment.ends_with("*/") && comment.size() >= 4) {
    comment = comment.substr(2, comment.size() - 4);
  }
  return trim(comment);
}

bool consume_word(std::string_view& text, std::string_view word) {
  if (!text.starts_with(word)) {
    return false;
  }
  std::string_view rest = text.substr(word.size());
  if (!rest.empty() && !is_ascii_space(rest.front())) {
    return false;
  }
  text = trim(rest);
  return true;
}

IgnoreDirective parse_ignore(std::string_view body, ByteSpan span, bool whole_file) {
  IgnoreDirective directive;
  directive.span = span;
  directive.whole_file = whole_file;
  std::string_view names = body;
  if (auto separator = body.find("--"); separator != std::string_view::npos) {
    names = body.substr(0, separator);
    directive.reason = trim(body.substr(separator + 2));
  }
  // A name listed twice is kept once: the comment silences it or not as a whole.
  std::unordered_set<std::string_view> seen;
  std::size_t start = 0;
  while (start <= names.size()) {
    std::size_t comma = names.find(',', start);
    std::string_view name =
        trim(names.substr(start, comma == std::string_view::npos ? names.npos : comma - start));
    // A name ends at white space: `-- miglint-ignore rule-a because` keeps "rule-a".
    if (auto space = name.find_first_of(" \t"); space != std::string_view::npos) {
      name = name.substr(0, space);
    }
    if (!name.empty() && seen.insert(name).second) {
      directive.rules.push_back({std::string(name)});
    }
    if (comma == std::string_view::npos) {
      break;
    }
    start = comma + 1;
  }
  return directive;
}

}  // namespace

bool may_contain_directives(std::string_view text) {
  return text.find("miglint-") != std::string_view::npos || text.find("migrate:") != std::string_view::npos;
}

FileDirectives read_directives(std::string_view text, const std::vector<Token>& tokens,
                               uint32_t first_statement) {
  FileDirectives out;
  for (const Token& token : tokens) {
    if (!token.is_comment()) {
      continue;
    }
    std::string_view body = comment_body(text.substr(token.begin, token.end - token.begin));
    ByteSpan span{token.begin, token.end};
    if (consume_word(body, "miglint-ignore-file")) {
      out.ignores.push_back(parse_ignore(body, span, true));
    } else if (consume_word(body, "miglint-ignore")) {
      out.ignores.push_back(parse_ignore(body, span, false));
    } else if (consume_word(body, "miglint-no-transaction")) {
      out.no_transaction = out.no_transaction || token.begin < first_statement;
    } else if (consume_word(body, "migrate:up") || body == "migrate:up") {
      out.sections.push_back(
          Section{token.begin, false, body.find("transaction:false") == std::string_view::npos});
    } else if (consume_word(body, "migrate:down") || body == "migrate:down") {
      out.sections.push_back(
          Section{token.begin, true, body.find("transaction:false") == std::string_view::npos});
    }
  }
  return out;
}

}  // namespace miglint
