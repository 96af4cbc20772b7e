#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "analyzer/sql/tokens.hpp"

namespace miglint {

// A PostgreSQL 17 statement that takes the same locks and does the same work (rewrite, scan, new
// relation) as a statement only PostgreSQL 18 or 19 parses: the rules and the lock model read it in
// its place, so that the newer statement's hazards are found and the migration context sees it.
//
//   ALTER TABLE t ..., ADD CONSTRAINT n NOT NULL c      ->  ..., ALTER COLUMN c SET NOT NULL
//   ALTER TABLE t ADD CONSTRAINT n NOT NULL c NOT VALID ->  ADD CONSTRAINT n CHECK(c)NOT VALID
//   CREATE TABLE t (..., CONSTRAINT n NOT NULL c)       ->  (..., CONSTRAINT n CHECK(c))
//   c int GENERATED ALWAYS AS (e) [VIRTUAL]             ->  c int  (a plain column: nothing stored)
//   ... CHECK (e) NOT ENFORCED                          ->  ... CHECK (e) NOT VALID  (never scanned)
//   UNIQUE (a, p WITHOUT OVERLAPS)                      ->  UNIQUE (a, p)  (the same locks)
//   REPACK [(...)] [t [USING INDEX [i]]]                ->  CLUSTER [t]
//   REPACK (CONCURRENTLY) t                             ->  VACUUM t
//   ALTER TABLE t MERGE PARTITIONS (a, b) INTO c        ->  LOCK TABLE t, a, b
//   ALTER TABLE t SPLIT PARTITION p INTO (...)          ->  LOCK TABLE t, p
//
// Every rewrite but REPACK's and MERGE/SPLIT's keeps the statement's length and every untouched byte where it
// was, so node locations are file offsets as for any statement; theirs are shorter or longer before the table
// name and `location_shift` says by how much (node locations + shift = offsets in the statement).
struct StandIn {
  std::string text;            // the stand-in statement, parsed instead of the original
  int64_t location_shift = 0;  // added to a location in `text` to give one in the original
  std::string checked_as;      // what was checked, for the unsupported-syntax note
};

// The stand-in for the statement `statement` (its text from its first token to the end of its
// piece) whose non-comment tokens are `tokens` (offsets in the file, the statement starting at
// `begin`). Nothing when no rewrite applies; the caller parses the result, which may still fail.
std::optional<StandIn> newer_syntax_stand_in(std::string_view statement, uint32_t begin,
                                             const std::vector<Token>& tokens);

}  // namespace miglint
