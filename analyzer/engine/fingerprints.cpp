#include "analyzer/engine/fingerprints.hpp"

#include <algorithm>
#include <optional>
#include <string>
#include <string_view>

#include "analyzer/sql/statement.hpp"
#include "analyzer/sql/tokens.hpp"
#include "analyzer/text/ascii.hpp"
#include "analyzer/text/hash.hpp"

namespace miglint {

namespace {

// Statement text for fingerprints: its tokens (comments and the `;` left out) joined by single
// spaces, so reformatting or re-commenting a statement keeps its key. miglint's own normalisation
// rather than pg_query_fingerprint: that needs a second parse of every statement, exists only for
// statements the grammar accepts (not for syntax errors), and ignores constants on purpose, so
// `SET lock_timeout = '1s'` and `SET lock_timeout = '5s'` would look like the same statement.
std::string normalised_statement(std::string_view text, const std::vector<Token>& tokens) {
  std::string out;
  for (const Token& token : tokens) {
    if (token.is_comment() || token.is(TokenKind::Semicolon)) {
      continue;
    }
    if (!out.empty()) {
      out += ' ';
    }
    out += text.substr(token.begin, token.end - token.begin);
  }
  return out;
}

// Whitespace runs collapsed to one space: for text the scanner cannot read, and ignore comments.
std::string collapse_whitespace(std::string_view text) {
  std::string out;
  bool space = false;
  for (char c : text) {
    if (is_ascii_space(c)) {
      space = !out.empty();
      continue;
    }
    if (space) {
      out += ' ';
      space = false;
    }
    out += c;
  }
  return out;
}

}  // namespace

void assign_statement_keys(const FileModel& model, std::vector<Finding>& findings) {
  if (findings.empty()) {
    return;
  }
  std::string_view text = model.source->text();
  const std::size_t statements = model.statement_count();
  const std::size_t units = statements + model.parsed.problems.size();
  std::vector<std::string> keys(units);
  auto key_of = [&](std::size_t unit) -> const std::string& {
    if (keys[unit].empty()) {
      std::string normalised;
      if (unit < statements) {
        const StatementPlace& place = model.places[unit];
        normalised = normalised_statement(text, lite_tokens(text, place.begin, place.raw.end));
      } else {
        ByteSpan span = model.parsed.problems[unit - statements].statement;
        std::string_view raw = text.substr(span.begin, span.end - span.begin);
        std::vector<Token> tokens = scan_tokens(raw, span.begin, nullptr);
        normalised = tokens.empty() ? collapse_whitespace(raw) : normalised_statement(text, tokens);
      }
      keys[unit] = sha256_hex(normalised);
    }
    return keys[unit];
  };
  auto begin_of = [&](std::size_t unit) {
    return unit < statements ? model.places[unit].begin
                             : model.parsed.problems[unit - statements].statement.begin;
  };
  // Identical text parses alike, so only units of the same kind (statement or failed statement,
  // and the same AST node) can be identical.
  auto may_equal = [&](std::size_t a, std::size_t b) {
    if ((a < statements) != (b < statements)) {
      return false;
    }
    return a >= statements || model.places[a].kind == model.places[b].kind;
  };
  std::vector<std::optional<uint32_t>> occurrences(units);
  for (Finding& finding : findings) {
    if (finding.statement_index < 0 || static_cast<std::size_t>(finding.statement_index) >= units) {
      continue;
    }
    auto unit = static_cast<std::size_t>(finding.statement_index);
    finding.statement_key = key_of(unit);
    if (!occurrences[unit]) {
      uint32_t earlier = 0;
      for (std::size_t other = 0; other < units; ++other) {
        if (other != unit && begin_of(other) < begin_of(unit) && may_equal(other, unit) &&
            key_of(other) == finding.statement_key) {
          ++earlier;
        }
      }
      occurrences[unit] = earlier;
    }
    finding.statement_occurrence = *occurrences[unit];
  }
  // Findings about a comment (unused-ignore): keyed by the comment, counted among the distinct
  // earlier comments with findings and the same text.
  std::vector<std::pair<std::string, uint32_t>> comments;  // key, begin
  for (Finding& finding : findings) {
    if (finding.statement_index >= 0 && static_cast<std::size_t>(finding.statement_index) < units) {
      continue;
    }
    finding.statement_key = sha256_hex(
        collapse_whitespace(text.substr(finding.span.begin, finding.span.end - finding.span.begin)));
    if (std::find(comments.begin(), comments.end(), std::pair{finding.statement_key, finding.span.begin}) ==
        comments.end()) {
      comments.emplace_back(finding.statement_key, finding.span.begin);
    }
  }
  for (Finding& finding : findings) {
    if (finding.statement_index >= 0 && static_cast<std::size_t>(finding.statement_index) < units) {
      continue;
    }
    finding.statement_occurrence =
        static_cast<uint32_t>(std::count_if(comments.begin(), comments.end(), [&](const auto& comment) {
          return comment.first == finding.statement_key && comment.second < finding.span.begin;
        }));
  }
}

}  // namespace miglint
