#pragma once

// Fixes as text edits: what `miglint lint --fix` applies and `--diff` prints, and what an editor's
// code action would send. Edits are byte ranges of the original file (the positions beside them
// are for editors), so that several findings' fixes can be checked for overlaps and applied
// together in one pass over the file.
#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "analyzer/text/source_file.hpp"

namespace miglint {

// Replaces the bytes `range` of the original file with `replacement` (an empty range inserts).
struct TextEdit {
  ByteSpan range;
  Position start;  // range.begin as line:column (1-based, code points)
  Position end;    // range.end, exclusive
  std::string replacement;
  friend bool operator==(const TextEdit& a, const TextEdit& b) {
    return a.range.begin == b.range.begin && a.range.end == b.range.end && a.replacement == b.replacement;
  }
};

// A finding's mechanical fix: its edits never overlap one another and are sorted by position.
struct Fix {
  std::string description;      // what it does, for people: "add CONCURRENTLY"
  std::vector<TextEdit> edits;  // sorted by range.begin
  // SQL that must run later, in a migration (a transaction) of its own: the fix cannot put it in
  // the file (`ALTER TABLE ... VALIDATE CONSTRAINT ...` after a NOT VALID constraint). Empty: none.
  std::string follow_up;
};

// An edit of `source` with its positions filled in.
TextEdit make_edit(const SourceFile& source, ByteSpan range, std::string replacement);

// Whether two edits cannot both be applied: their ranges overlap, or one inserts strictly inside
// the range the other replaces. Two insertions at the same offset do not conflict (they are applied
// in the order they were accepted); identical edits do not either (one is applied).
bool edits_conflict(const TextEdit& a, const TextEdit& b);

// Fixes chosen to be applied together, in the order offered: a fix is taken whole when none of its
// edits conflicts with an edit already taken, and skipped otherwise.
struct FixSelection {
  std::vector<TextEdit> edits;         // the taken fixes' edits, by position, duplicates dropped
  std::vector<std::size_t> applied;    // indexes (into the offered fixes) taken
  std::vector<std::size_t> conflicts;  // indexes skipped for overlapping a taken one
};
FixSelection select_fixes(std::span<const Fix* const> fixes);

// `text` with `edits` (sorted by position, not conflicting, as select_fixes gives them) applied.
std::string apply_edits(std::string_view text, std::span<const TextEdit> edits);

// The line terminator a file uses: "\r\n" when its first line ends so, else "\n".
std::string_view line_ending_of(std::string_view text);

}  // namespace miglint
