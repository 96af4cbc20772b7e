#include "analyzer/model/token_hazards.hpp"

#include <fmt/format.h>

#include "analyzer/sql/relation.hpp"
#include "analyzer/text/ascii.hpp"

namespace miglint {

namespace {

// A statement's words: each token's text, comments left out.
struct Words {
  std::vector<std::string_view> texts;

  Words(std::string_view text, const std::vector<Token>& tokens) {
    for (const Token& token : tokens) {
      if (!token.is_comment() && token.end <= text.size() && token.begin < token.end) {
        texts.push_back(text.substr(token.begin, token.end - token.begin));
      }
    }
  }
  std::size_t size() const { return texts.size(); }
  bool is(std::size_t i, std::string_view lower_word) const {
    if (i >= texts.size() || texts[i].size() != lower_word.size()) {
      return false;
    }
    for (std::size_t k = 0; k < lower_word.size(); ++k) {
      if (ascii_lower(texts[i][k]) != lower_word[k]) {
        return false;
      }
    }
    return true;
  }
};

// An identifier as PostgreSQL reads it: a quoted one as written (its "" doubled quotes undone), an
// unquoted one folded to lower case.
std::string identifier(std::string_view word) {
  std::string out;
  if (word.size() >= 2 && word.front() == '"' && word.back() == '"') {
    for (std::size_t i = 1; i + 1 < word.size(); ++i) {
      out += word[i];
      if (word[i] == '"' && i + 2 < word.size() && word[i + 1] == '"') {
        ++i;
      }
    }
    return out;
  }
  for (char c : word) {
    out += ascii_lower(c);
  }
  return out;
}

bool boolean_false(const Words& words, std::size_t i) {
  return words.is(i, "false") || words.is(i, "off") || words.is(i, "0") || words.is(i, "no");
}

// REPACK [ ( option [, ...] ) ] [ table_name [ USING INDEX [ index_name ] ] ] (PostgreSQL 19).
// Without CONCURRENTLY it rewrites the table under ACCESS EXCLUSIVE for the whole rewrite, as
// VACUUM FULL and CLUSTER do; with it the copy is made under SHARE UPDATE EXCLUSIVE (reads and writes
// go on) and ACCESS EXCLUSIVE is taken only to swap the files at the end.
std::optional<TokenHazard> repack_hazard(const Words& words) {
  std::size_t i = 1;
  bool concurrently = false;
  if (words.is(i, "(")) {
    int depth = 0;
    for (; i < words.size(); ++i) {
      if (words.is(i, "(")) {
        ++depth;
      } else if (words.is(i, ")")) {
        if (--depth == 0) {
          ++i;
          break;
        }
      } else if (depth == 1 && words.is(i, "concurrently")) {
        concurrently = !boolean_false(words, i + 1);
      }
    }
  }
  TokenHazard hazard;
  std::string display;
  if (i < words.size() && !words.is(i, "using") && !words.is(i, ";")) {
    std::string first = identifier(words.texts[i]);
    if (words.is(i + 1, ".") && i + 2 < words.size()) {
      std::string name = identifier(words.texts[i + 2]);
      hazard.relation = qualified_name(first, name);
      display = first + "." + name;
    } else {
      hazard.relation = qualified_name(std::string_view(), first);
      display = first;
    }
  }
  LockMode lock = concurrently ? LockMode::ShareUpdateExclusive : LockMode::AccessExclusive;
  if (!hazard.relation.empty()) {
    hazard.effects.push_back(RelationEffect{hazard.relation, lock, true, false});
  }
  if (concurrently) {
    return hazard;
  }
  hazard.rule = "table-rewrite";
  hazard.help =
      "Use REPACK (CONCURRENTLY), which copies the table while reads and writes go on and takes ACCESS "
      "EXCLUSIVE only briefly to swap in the copy; otherwise schedule a maintenance window.";
  if (hazard.relation.empty()) {
    hazard.message =
        "REPACK without a table rewrites every table of the database, one after the other, each under an "
        "ACCESS EXCLUSIVE lock that blocks all reads and writes of it";
  } else {
    hazard.message = fmt::format(
        "REPACK rewrites \"{}\" and all its indexes under an ACCESS EXCLUSIVE lock, which blocks every "
        "read and write for the whole rewrite",
        display);
  }
  return hazard;
}

// ALTER TABLE [IF EXISTS] [ONLY] t ADD CONSTRAINT n NOT NULL col [NO INHERIT] [NOT VALID] (PostgreSQL
// 18), as the only command. Like SET NOT NULL it scans the whole table under ACCESS EXCLUSIVE; NOT VALID
// skips the scan (VALIDATE CONSTRAINT does it later under SHARE UPDATE EXCLUSIVE).
std::optional<TokenHazard> named_not_null_hazard(const Words& words) {
  std::size_t i = 2;
  if (words.is(i, "if") && words.is(i + 1, "exists")) {
    i += 2;
  }
  if (words.is(i, "only")) {
    ++i;
  }
  if (i >= words.size()) {
    return std::nullopt;
  }
  std::string first = identifier(words.texts[i]);
  std::string relation;
  std::string display;
  if (words.is(i + 1, ".") && i + 2 < words.size()) {
    std::string name = identifier(words.texts[i + 2]);
    relation = qualified_name(first, name);
    display = first + "." + name;
    i += 3;
  } else {
    relation = qualified_name(std::string_view(), first);
    display = first;
    i += 1;
  }
  if (words.is(i, "*")) {
    ++i;
  }
  if (!words.is(i, "add") || !words.is(i + 1, "constraint") || !words.is(i + 3, "not") ||
      !words.is(i + 4, "null") || i + 5 >= words.size()) {
    return std::nullopt;
  }
  std::string column = identifier(words.texts[i + 5]);
  std::size_t k = i + 6;
  if (words.is(k, "no") && words.is(k + 1, "inherit")) {
    k += 2;
  }
  bool not_valid = words.is(k, "not") && words.is(k + 1, "valid");
  k += not_valid ? 2 : 0;
  if (k < words.size() && !words.is(k, ";")) {
    return std::nullopt;  // more commands follow: not settled by the tokens alone
  }
  TokenHazard hazard;
  hazard.relation = relation;
  hazard.effects.push_back(RelationEffect{relation, LockMode::AccessExclusive, false, !not_valid});
  if (not_valid) {
    return hazard;
  }
  hazard.rule = "adding-not-nullable-field";
  hazard.message = fmt::format(
      "adding NOT NULL constraint \"{}\" on column \"{}\" of table \"{}\" scans the whole table under an "
      "ACCESS EXCLUSIVE lock, blocking every read and write of it until the scan ends (as SET NOT NULL does)",
      identifier(words.texts[i + 2]), column, display);
  hazard.help =
      "Add it NOT VALID (PostgreSQL 18: instant), then `ALTER TABLE ... VALIDATE CONSTRAINT` in a separate "
      "transaction, which scans under SHARE UPDATE EXCLUSIVE while reads and writes go on.";
  return hazard;
}

}  // namespace

std::optional<TokenHazard> token_hazard(std::string_view text, const std::vector<Token>& tokens) {
  Words words(text, tokens);
  if (words.is(0, "repack")) {
    return repack_hazard(words);
  }
  if (words.is(0, "alter") && words.is(1, "table")) {
    return named_not_null_hazard(words);
  }
  return std::nullopt;
}

}  // namespace miglint
