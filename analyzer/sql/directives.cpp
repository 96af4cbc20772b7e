#include "analyzer/sql/directives.hpp"

#include <cctype>
#include <unordered_set>

#include "analyzer/sql/squawk_rules.hpp"
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

IgnoreDirective parse_ignore(std::string_view body, ByteSpan span, bool whole_file, bool squawk = false) {
  IgnoreDirective directive;
  directive.span = span;
  directive.whole_file = whole_file;
  directive.squawk = squawk;
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
      if (!squawk) {
        directive.rules.push_back({std::string(name), {}});
      } else if (std::optional<SquawkRule> mapped = find_squawk_rule(name); !mapped) {
        directive.rules.push_back({std::string(name), {}});  // a miglint id, or unknown to both
      } else if (mapped->miglint.empty()) {
        directive.unmapped.emplace_back(name);
      } else {
        directive.rules.push_back(
            {std::string(mapped->miglint), mapped->miglint == name ? std::string() : std::string(name)});
      }
    }
    if (comma == std::string_view::npos) {
      break;
    }
    start = comma + 1;
  }
  return directive;
}

bool starts_with_ascii_case_insensitive(std::string_view text, std::string_view lower_prefix) {
  if (text.size() < lower_prefix.size()) {
    return false;
  }
  for (std::size_t i = 0; i < lower_prefix.size(); ++i) {
    char c = text[i];
    if (c >= 'A' && c <= 'Z') {
      c = static_cast<char>(c - 'A' + 'a');
    }
    if (c != lower_prefix[i]) {
      return false;
    }
  }
  return true;
}

// A comment whose body starts with an ignore keyword in another case or followed by `:` or `=`
// rather than a space: what it would have said, or nullopt when it is no such comment.
std::optional<MalformedIgnore> read_malformed_ignore(std::string_view body, ByteSpan span) {
  for (std::string_view keyword :
       {std::string_view("miglint-ignore-file"), std::string_view("miglint-ignore")}) {
    if (!starts_with_ascii_case_insensitive(body, keyword)) {
      continue;
    }
    std::string_view rest = body.substr(keyword.size());
    bool other_case = !body.starts_with(keyword);
    bool punctuation = !rest.empty() && (rest.front() == ':' || rest.front() == '=');
    if (!rest.empty() && !punctuation && !is_ascii_space(rest.front())) {
      return std::nullopt;  // another word (`miglint-ignored`): not an ignore
    }
    if (!other_case && !punctuation) {
      return std::nullopt;  // well formed
    }
    if (punctuation) {
      rest.remove_prefix(1);
    }
    IgnoreDirective read = parse_ignore(trim(rest), span, keyword.ends_with("-file"));
    MalformedIgnore malformed;
    malformed.span = span;
    malformed.whole_file = read.whole_file;
    malformed.reason = read.reason;
    for (const IgnoreDirective::Name& name : read.rules) {
      malformed.rules.push_back(name.rule);
    }
    std::string written(body.substr(0, keyword.size() + (punctuation ? 1 : 0)));
    malformed.problem =
        other_case && punctuation
            ? "`" + written + "` is in another case and has `" + written.back() + "` after the keyword"
        : other_case
            ? "`" + written + "` is not `" + std::string(keyword) + "` (ignore comments are lower case)"
            : "`" + written + "` has `" + written.back() + "` after the keyword (write a space)";
    return malformed;
  }
  return std::nullopt;
}

}  // namespace

bool may_contain_directives(std::string_view text) {
  // "iglint"/"IGLINT": ignore comments in any case, so that a malformed one is reported.
  return text.find("iglint") != std::string_view::npos || text.find("IGLINT") != std::string_view::npos ||
         text.find("migrate:") != std::string_view::npos ||
         text.find("squawk-ignore") != std::string_view::npos;
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
    bool whole_file = consume_word(body, "miglint-ignore-file");
    if (whole_file || consume_word(body, "miglint-ignore")) {
      IgnoreDirective directive = parse_ignore(body, span, whole_file);
      if (directive.rules.empty()) {
        // `-- miglint-ignore` alone (or with a reason only) silences nothing: there is no
        // ignore-everything comment.
        out.malformed.push_back(
            MalformedIgnore{span, "it names no rule", directive.whole_file, {}, directive.reason});
      } else {
        out.ignores.push_back(std::move(directive));
      }
    } else if (consume_word(body, "squawk-ignore-file")) {
      IgnoreDirective directive = parse_ignore(body, span, true, true);
      directive.all_rules = directive.rules.empty() && directive.unmapped.empty();
      out.ignores.push_back(std::move(directive));
    } else if (consume_word(body, "squawk-ignore")) {
      out.ignores.push_back(parse_ignore(body, span, false, true));
    } else if (std::optional<MalformedIgnore> malformed = read_malformed_ignore(body, span)) {
      out.malformed.push_back(std::move(*malformed));
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
