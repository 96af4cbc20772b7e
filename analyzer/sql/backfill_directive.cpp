#include "analyzer/sql/backfill_directive.hpp"

#include <charconv>
#include <set>

#include "analyzer/text/ascii.hpp"
#include "analyzer/text/duration.hpp"

namespace miglint {

namespace {

constexpr std::string_view kKeyword = "miglint-backfill";

bool starts_with_keyword_any_case(std::string_view text) {
  if (text.size() < kKeyword.size()) {
    return false;
  }
  for (std::size_t i = 0; i < kKeyword.size(); ++i) {
    if (ascii_lower(text[i]) != kKeyword[i]) {
      return false;
    }
  }
  return true;
}

// `id`, `account_id` (folded to lower case, as PostgreSQL folds unquoted names) or `"Id"` (as written).
std::optional<std::string> read_identifier(std::string_view text) {
  if (text.size() >= 2 && text.front() == '"' && text.back() == '"') {
    std::string name;
    for (std::size_t i = 1; i + 1 < text.size(); ++i) {
      if (text[i] == '"') {
        if (i + 2 < text.size() && text[i + 1] == '"') {
          name += '"';
          ++i;
          continue;
        }
        return std::nullopt;
      }
      name += text[i];
    }
    return name.empty() ? std::nullopt : std::optional<std::string>(name);
  }
  if (text.empty() || is_ascii_digit(text.front())) {
    return std::nullopt;
  }
  std::string name;
  for (char c : text) {
    if (!is_ascii_alnum(c) && c != '_' && c != '$' && static_cast<unsigned char>(c) < 0x80) {
      return std::nullopt;
    }
    name += ascii_lower(c);
  }
  return name;
}

// Reads `name=value name=value ...` into the directive; the first problem found, or "".
std::string read_parameters(std::string_view text, BackfillDirective& directive) {
  std::set<std::string, std::less<>> seen;
  std::size_t at = 0;
  while (at < text.size()) {
    while (at < text.size() && is_ascii_space(text[at])) {
      ++at;
    }
    if (at >= text.size()) {
      break;
    }
    if (text.substr(at).starts_with("--")) {
      break;  // a comment after the parameters (a reason, a fixture's expectation)
    }
    std::size_t end = at;
    while (end < text.size() && !is_ascii_space(text[end])) {
      ++end;
    }
    std::string_view word = text.substr(at, end - at);
    at = end;
    std::size_t equals = word.find('=');
    if (equals == std::string_view::npos) {
      return "`" + std::string(word) + "` is not `name=value` (parameters: batch, sleep, key)";
    }
    std::string_view name = word.substr(0, equals);
    std::string_view value = word.substr(equals + 1);
    if (name != "batch" && name != "sleep" && name != "key") {
      return "unknown parameter `" + std::string(name) + "` (parameters: batch, sleep, key)";
    }
    if (!seen.insert(std::string(name)).second) {
      return "`" + std::string(name) + "` is given twice";
    }
    if (name == "batch") {
      std::size_t batch = 0;
      auto [end_of_number, error] = std::from_chars(value.data(), value.data() + value.size(), batch);
      if (error != std::errc() || end_of_number != value.data() + value.size() || batch == 0 ||
          batch > kMaxBackfillBatch) {
        return "batch=`" + std::string(value) + "` is not a number of rows from 1 to 1000000";
      }
      directive.batch = batch;
    } else if (name == "sleep") {
      std::optional<std::chrono::milliseconds> sleep = parse_duration(value);
      if (!sleep) {
        return "sleep=`" + std::string(value) + "` is not a duration (`100ms`, `1s`, `0`)";
      }
      directive.sleep = *sleep;
    } else {
      std::optional<std::string> key = read_identifier(value);
      if (!key) {
        return "key=`" + std::string(value) + "` is not a column name (one integer column: `key=id`)";
      }
      directive.key = *key;
    }
  }
  return {};
}

}  // namespace

std::optional<BackfillDirective> read_backfill_directive(std::string_view body, ByteSpan span) {
  if (!starts_with_keyword_any_case(body)) {
    return std::nullopt;
  }
  std::string_view rest = body.substr(kKeyword.size());
  bool punctuation = !rest.empty() && (rest.front() == ':' || rest.front() == '=');
  if (!rest.empty() && !punctuation && !is_ascii_space(rest.front())) {
    return std::nullopt;  // another word (`miglint-backfills`)
  }
  BackfillDirective directive;
  directive.span = span;
  std::string written(body.substr(0, kKeyword.size() + (punctuation ? 1 : 0)));
  if (!body.starts_with(kKeyword)) {
    directive.problem =
        "`" + written.substr(0, kKeyword.size()) + "` is not `miglint-backfill` (directives are lower case)";
    return directive;
  }
  if (punctuation) {
    directive.problem = "`" + written + "` has `" + written.back() + "` after the keyword (write a space)";
    return directive;
  }
  directive.problem = read_parameters(rest, directive);
  return directive;
}

}  // namespace miglint
