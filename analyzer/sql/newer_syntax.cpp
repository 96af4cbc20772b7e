#include "analyzer/sql/newer_syntax.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "analyzer/text/ascii.hpp"

namespace miglint {

namespace {

// The statement's words (non-comment tokens), with offsets in the statement.
class Words {
 public:
  Words(std::string_view statement, uint32_t begin, const std::vector<Token>& tokens) : text_(statement) {
    for (const Token& token : tokens) {
      if (!token.is_comment() && token.begin >= begin && token.end <= begin + statement.size() &&
          token.begin < token.end) {
        spans_.push_back({token.begin - begin, token.end - begin});
      }
    }
  }
  std::size_t size() const { return spans_.size(); }
  uint32_t begin(std::size_t i) const { return spans_[i].first; }
  uint32_t end(std::size_t i) const { return spans_[i].second; }
  std::string_view text(std::size_t i) const { return text_.substr(begin(i), end(i) - begin(i)); }
  // From word i to word j, as written.
  std::string_view text(std::size_t i, std::size_t j) const {
    return text_.substr(begin(i), end(j) - begin(i));
  }
  bool is(std::size_t i, std::string_view lower_word) const {
    if (i >= spans_.size()) {
      return false;
    }
    std::string_view word = text(i);
    if (word.size() != lower_word.size()) {
      return false;
    }
    for (std::size_t k = 0; k < word.size(); ++k) {
      if (ascii_lower(word[k]) != lower_word[k]) {
        return false;
      }
    }
    return true;
  }
  // An identifier or an unreserved word: what can name a column here.
  bool is_name(std::size_t i) const {
    if (i >= spans_.size()) {
      return false;
    }
    char first = text(i).front();
    if (first != '"' && !is_ascii_alpha(first) && first != '_') {
      return false;
    }
    for (std::string_view keyword :
         {"not", "null", "no", "default", "check", "references", "unique", "primary", "constraint",
          "generated", "collate", "deferrable", "initially", "valid"}) {
      if (is(i, keyword)) {
        return false;
      }
    }
    return true;
  }
  // The index of the `)` that closes the `(` at word i, or size() when none does.
  std::size_t closing(std::size_t i) const {
    int depth = 0;
    for (std::size_t k = i; k < spans_.size(); ++k) {
      depth += is(k, "(") ? 1 : is(k, ")") ? -1 : 0;
      if (depth == 0) {
        return k;
      }
    }
    return spans_.size();
  }

 private:
  std::string_view text_;
  std::vector<std::pair<uint32_t, uint32_t>> spans_;
};

bool boolean_false(const Words& words, std::size_t i) {
  return words.is(i, "false") || words.is(i, "off") || words.is(i, "0") || words.is(i, "no");
}

// REPACK [ ( option [, ...] ) ] [ table_name [ USING INDEX [ index_name ] ] ] (PostgreSQL 19).
// Without CONCURRENTLY it rewrites the table under ACCESS EXCLUSIVE for the whole rewrite, as CLUSTER
// does (without a table: every table, as CLUSTER does every clustered one); with it the copy is made
// under SHARE UPDATE EXCLUSIVE while reads and writes go on, as VACUUM's lock, and ACCESS EXCLUSIVE
// is taken only to swap the files at the end.
std::optional<StandIn> repack_stand_in(const Words& words) {
  std::size_t i = 1;
  bool concurrently = false;
  if (words.is(i, "(")) {
    std::size_t close = words.closing(i);
    for (std::size_t k = i + 1; k < close; ++k) {
      if ((words.is(k - 1, "(") || words.is(k - 1, ",")) && words.is(k, "concurrently")) {
        concurrently = !boolean_false(words, k + 1);
      }
    }
    i = close + 1;
  }
  StandIn stand_in;
  if (i >= words.size() || words.is(i, "using")) {
    if (concurrently) {
      return std::nullopt;  // PostgreSQL 19 requires a table for CONCURRENTLY
    }
    stand_in.text = "CLUSTER";
    stand_in.checked_as = "`CLUSTER` (every table rewritten under ACCESS EXCLUSIVE)";
    return stand_in;
  }
  std::size_t last = words.is(i + 1, ".") && i + 2 < words.size() ? i + 2 : i;
  std::string_view table = words.text(i, last);
  std::string_view keyword = concurrently ? "VACUUM " : "CLUSTER ";
  stand_in.text = fmt::format("{}{}", keyword, table);
  stand_in.location_shift = static_cast<int64_t>(words.begin(i)) - static_cast<int64_t>(keyword.size());
  stand_in.checked_as =
      concurrently ? fmt::format("`VACUUM {}` (SHARE UPDATE EXCLUSIVE while the copy is made)", table)
                   : fmt::format("`CLUSTER {}` (a rewrite under ACCESS EXCLUSIVE)", table);
  return stand_in;
}

// Rewrites parts of a statement in place, keeping its length: a part's stand-in may be shorter than
// the part (the rest is blanked), never longer.
class SameLengthRewrite {
 public:
  explicit SameLengthRewrite(std::string_view statement) : text_(statement) {}
  bool replace(uint32_t begin, uint32_t end, std::string_view with) {
    if (with.size() > end - begin) {
      return false;
    }
    text_.replace(begin, with.size(), with);
    for (uint32_t k = begin + static_cast<uint32_t>(with.size()); k < end; ++k) {
      if (text_[k] != '\n') {
        text_[k] = ' ';
      }
    }
    return true;
  }
  std::string take() { return std::move(text_); }

 private:
  std::string text_;
};

// ALTER TABLE [IF EXISTS] t MERGE PARTITIONS (a, b [, ...]) INTO c, ALTER TABLE [IF EXISTS] t SPLIT
// PARTITION p INTO (PARTITION ...) (PostgreSQL 19): ACCESS EXCLUSIVE on the parent and on the
// partitions merged or split for the whole operation, while their rows are copied into the new
// partitions. The stand-in takes the same locks: LOCK TABLE t, a, b (ACCESS EXCLUSIVE by default).
std::optional<StandIn> partition_merge_split_stand_in(const Words& words) {
  std::size_t i = 2;
  if (words.is(i, "if") && words.is(i + 1, "exists")) {
    i += 2;
  }
  std::size_t last = words.is(i + 1, ".") && i + 2 < words.size() ? i + 2 : i;
  std::size_t at = last + 1;
  std::vector<std::string_view> locked{words.text(i, last)};
  auto name_at = [&](std::size_t k, std::size_t& end) {
    end = words.is(k + 1, ".") && k + 2 < words.size() ? k + 2 : k;
    return words.text(k, end);
  };
  if (words.is(at, "merge") && words.is(at + 1, "partitions") && words.is(at + 2, "(")) {
    std::size_t close = words.closing(at + 2);
    for (std::size_t k = at + 3; k < close; ++k) {
      std::size_t end = k;
      locked.push_back(name_at(k, end));
      k = end + 1;  // past the `,`
    }
  } else if (words.is(at, "split") && words.is(at + 1, "partition") && at + 2 < words.size()) {
    std::size_t end = at + 2;
    locked.push_back(name_at(at + 2, end));
  } else {
    return std::nullopt;
  }
  std::string list = fmt::format("{}", fmt::join(locked, ", "));
  StandIn stand_in;
  // "LOCK TABLE  " is as long as "ALTER TABLE ": the parent keeps its offset when IF EXISTS is absent.
  std::string_view keyword = "LOCK TABLE  ";
  stand_in.text = fmt::format("{}{}", keyword, list);
  stand_in.location_shift = static_cast<int64_t>(words.begin(i)) - static_cast<int64_t>(keyword.size());
  stand_in.checked_as =
      fmt::format("`LOCK TABLE {}` (ACCESS EXCLUSIVE on each while the rows are copied)", list);
  return stand_in;
}

}  // namespace

std::optional<StandIn> newer_syntax_stand_in(std::string_view statement, uint32_t begin,
                                             const std::vector<Token>& tokens) {
  Words words(statement, begin, tokens);
  if (words.is(0, "repack")) {
    return repack_stand_in(words);
  }
  if (words.is(0, "alter") && words.is(1, "table")) {
    if (std::optional<StandIn> stand_in = partition_merge_split_stand_in(words)) {
      return stand_in;
    }
  }
  SameLengthRewrite rewrite(statement);
  std::vector<std::string> checked;
  for (std::size_t i = 0; i < words.size(); ++i) {
    // [CONSTRAINT name] NOT NULL column [NO INHERIT] [NOT VALID], as a table constraint (PostgreSQL
    // 18): after ADD (ALTER TABLE) or as an element of CREATE TABLE's list.
    std::size_t not_at = words.is(i, "constraint") ? i + 2 : i;
    bool named = not_at != i;
    if ((named || words.is(i, "not")) && words.is(not_at, "not") && words.is(not_at + 1, "null") &&
        words.is_name(not_at + 2) && i >= 1 &&
        (words.is(i - 1, "add") || words.is(i - 1, "(") || words.is(i - 1, ","))) {
      std::size_t column = not_at + 2;
      std::size_t last = column;
      if (words.is(last + 1, "no") && words.is(last + 2, "inherit")) {
        last += 2;
      }
      bool not_valid = words.is(last + 1, "not") && words.is(last + 2, "valid");
      last += not_valid ? 2 : 0;
      std::string_view name = named ? words.text(i + 1) : std::string_view();
      std::string_view column_text = words.text(column);
      std::string constraint = named ? fmt::format("CONSTRAINT {} ", name) : std::string();
      std::string with;
      uint32_t from = words.begin(i);
      if (words.is(i - 1, "add")) {
        from = words.begin(i - 1);
        // NOT VALID: the constraint is recorded without a scan, as a CHECK added NOT VALID is (and
        // VALIDATE CONSTRAINT scans later); otherwise the column is proven NOT NULL by a scan under
        // ACCESS EXCLUSIVE, as SET NOT NULL does it.
        with = not_valid ? fmt::format("ADD {}CHECK({})NOT VALID", constraint, column_text)
                         : fmt::format("ALTER COLUMN {} SET NOT NULL", column_text);
      } else {
        with = fmt::format("{}CHECK({})", constraint, column_text);  // a new table: no scan, no lock
      }
      if (!rewrite.replace(from, words.end(last), with)) {
        return std::nullopt;
      }
      checked.push_back(fmt::format("`{}` for `{}`", with, statement.substr(from, words.end(last) - from)));
      i = last;
      continue;
    }
    // A NOT ENFORCED constraint (PostgreSQL 18) is never checked: like one added NOT VALID, it takes
    // its lock without a validation scan.
    if (words.is(i, "not") && words.is(i + 1, "enforced")) {
      if (!rewrite.replace(words.begin(i), words.end(i + 1), "NOT VALID")) {
        return std::nullopt;
      }
      checked.push_back("`NOT VALID` for `NOT ENFORCED`");
      ++i;
      continue;
    }
    // A temporal key, PRIMARY KEY / UNIQUE (..., c WITHOUT OVERLAPS) (PostgreSQL 18): its index (GiST
    // instead of B-tree) is built under the same locks as the plain key's.
    if (words.is(i, "without") && words.is(i + 1, "overlaps")) {
      if (!rewrite.replace(words.begin(i), words.end(i + 1), "")) {
        return std::nullopt;
      }
      checked.push_back("a plain key for `WITHOUT OVERLAPS`");
      ++i;
      continue;
    }
    // GENERATED ALWAYS AS (expression) [VIRTUAL] (PostgreSQL 18): a virtual generated column stores
    // nothing, so adding one is a catalog change like adding a column without a default.
    if (words.is(i, "generated") && words.is(i + 1, "always") && words.is(i + 2, "as") &&
        words.is(i + 3, "(")) {
      std::size_t close = words.closing(i + 3);
      if (close >= words.size() || words.is(close + 1, "stored")) {
        continue;
      }
      std::size_t last = words.is(close + 1, "virtual") ? close + 1 : close;
      // The column's name: the word after the `(`, `,`, ADD or COLUMN that starts its definition.
      std::size_t start = i;
      int depth = 0;
      while (start > 0) {
        depth += words.is(start - 1, ")") ? 1 : words.is(start - 1, "(") ? -1 : 0;
        if (depth < 0 || (depth == 0 && (words.is(start - 1, ",") || words.is(start - 1, "add") ||
                                         words.is(start - 1, "column")))) {
          break;
        }
        --start;
      }
      if (!rewrite.replace(words.begin(i), words.end(last), "")) {
        return std::nullopt;
      }
      checked.push_back(
          fmt::format("a plain column for the virtual generated column `{}`", words.text(start)));
      i = last;
    }
  }
  if (checked.empty()) {
    return std::nullopt;
  }
  StandIn stand_in;
  stand_in.text = rewrite.take();
  stand_in.checked_as = fmt::format("{}", fmt::join(checked, ", "));
  return stand_in;
}

}  // namespace miglint
