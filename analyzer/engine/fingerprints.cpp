#include "analyzer/engine/fingerprints.hpp"

#include <algorithm>
#include <map>
#include <set>
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
  // Identical text parses alike, so only units of the same class (a failed statement, or a
  // statement of one AST node kind) can be identical: only those classes are hashed.
  auto class_of = [&](std::size_t unit) {
    return unit < statements ? static_cast<int>(model.places[unit].kind) : -1;
  };
  std::vector<char> flagged(units, 0);
  std::set<int> flagged_classes;
  for (const Finding& finding : findings) {
    if (finding.statement_index >= 0 && static_cast<std::size_t>(finding.statement_index) < units) {
      flagged[static_cast<std::size_t>(finding.statement_index)] = 1;
      flagged_classes.insert(class_of(static_cast<std::size_t>(finding.statement_index)));
    }
  }
  // How many identical units come before each flagged one: one pass in file order with a count per
  // (class, key), not a scan of the file per finding (100,000 flagged statements took minutes).
  std::vector<std::size_t> order;
  for (std::size_t unit = 0; unit < units; ++unit) {
    if (flagged_classes.count(class_of(unit)) != 0) {
      order.push_back(unit);
    }
  }
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return begin_of(a) < begin_of(b); });
  std::vector<uint32_t> occurrences(units, 0);
  std::map<std::pair<int, std::string>, uint32_t> seen;
  for (std::size_t i = 0; i < order.size();) {
    // Units that begin at the same offset are not before one another.
    std::size_t group_end = i;
    while (group_end < order.size() && begin_of(order[group_end]) == begin_of(order[i])) {
      ++group_end;
    }
    for (std::size_t k = i; k < group_end; ++k) {
      auto found = seen.find({class_of(order[k]), key_of(order[k])});
      occurrences[order[k]] = found == seen.end() ? 0 : found->second;
    }
    for (std::size_t k = i; k < group_end; ++k) {
      ++seen[{class_of(order[k]), key_of(order[k])}];
      if (!flagged[order[k]]) {
        keys[order[k]] = std::string();  // keep only the keys that findings carry
        keys[order[k]].shrink_to_fit();
      }
    }
    i = group_end;
  }
  for (Finding& finding : findings) {
    if (finding.statement_index < 0 || static_cast<std::size_t>(finding.statement_index) >= units) {
      continue;
    }
    auto unit = static_cast<std::size_t>(finding.statement_index);
    finding.statement_key = key_of(unit);
    finding.statement_occurrence = occurrences[unit];
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
    comments.emplace_back(finding.statement_key, finding.span.begin);
  }
  std::sort(comments.begin(), comments.end());
  comments.erase(std::unique(comments.begin(), comments.end()), comments.end());
  for (Finding& finding : findings) {
    if (finding.statement_index >= 0 && static_cast<std::size_t>(finding.statement_index) < units) {
      continue;
    }
    auto first =
        std::lower_bound(comments.begin(), comments.end(), std::pair{finding.statement_key, uint32_t{0}});
    auto at = std::lower_bound(comments.begin(), comments.end(),
                               std::pair{finding.statement_key, finding.span.begin});
    finding.statement_occurrence = static_cast<uint32_t>(at - first);
  }
}

}  // namespace miglint
