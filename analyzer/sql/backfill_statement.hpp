#pragma once

// Which statement a `-- miglint-backfill` directive applies to, whether that statement can be run
// in key-range batches, and the SQL of one batch. The lint driver, the transaction planner and the
// runner all read backfills from here (docs/runner.md, "Managed backfills").
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "analyzer/sql/backfill_directive.hpp"
#include "analyzer/sql/file_model.hpp"
#include "analyzer/sql/statement.hpp"
#include "analyzer/text/expected.hpp"

namespace miglint {

// The rule the lint driver reports unusable directives with (rules/malformed_backfill.cpp).
inline constexpr std::string_view kMalformedBackfillRule = "malformed-backfill";

// One `-- miglint-backfill` comment of a file and the statement it applies to: the first statement
// that begins after the comment.
struct BackfillUse {
  BackfillDirective directive;
  std::optional<std::size_t> statement;  // the UPDATE or DELETE it batches, when it names one
  // Why the directive batches nothing (malformed, no statement after it, not an UPDATE or DELETE);
  // empty when it applies to `statement`.
  std::string problem;
};
// Every backfill directive of the file, in order: read from the comments of the statements around
// each place the text says `miglint-backfill` (in any case), so a file without one costs a search.
std::vector<BackfillUse> resolve_backfills(const FileModel& model);

// Why the runner cannot batch this UPDATE or DELETE by `key` ("" when it can): WITH, UPDATE ...
// FROM, DELETE ... USING, RETURNING, WHERE CURRENT OF, or an UPDATE that sets the key itself.
std::string backfill_statement_problem(const Statement& statement, std::string_view key);

// The SQL the runner needs for a batched statement. Keys are bigint values (int2, int4 and int8
// keys all fit); they are written into the text as numbers, never taken from anything else.
struct BackfillSql {
  std::string table;      // "schema"."name", for to_regclass and the catalog checks
  std::string from;       // `[ONLY ]"schema"."name"[ AS "alias"]`: the FROM of the bound and count queries
  std::string key;        // the key column, quoted: "id"
  std::string key_ref;    // qualified by the statement's alias or table name: "t"."id"
  std::string head;       // the statement's text up to its WHERE (the whole text when it has none)
  std::string condition;  // the text of its WHERE condition, empty when it has none
  bool schema_given = false;  // the statement names the table's schema (else: the search_path decides)
  // The statement restricted to keys in (after, upto]: its own WHERE AND-ed with the range.
  std::string batch(std::optional<int64_t> after, int64_t upto) const;
  // The key range (after, upto] as a condition on key_ref.
  std::string range(std::optional<int64_t> after, int64_t upto) const;
};
Expected<BackfillSql> backfill_sql(const Statement& statement, std::string_view key);

}  // namespace miglint
