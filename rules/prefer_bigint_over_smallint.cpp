#include "rules/column_types.hpp"
#include "rules/rule_support.hpp"

namespace miglint {

namespace {

// smallint runs out at 32,767; widening the column later rewrites the table and every index on it
// under ACCESS EXCLUSIVE.
void check(const Statement& statement, const MigrationContext& /*context*/, RuleOutput& out) {
  for (const TypedColumn& column : typed_columns(statement)) {
    if (column.type == "int2" || column.type == "smallserial" || column.type == "serial2") {
      out.report(column.span(),
                 fmt::format("column {} is {}, a 2-byte integer that overflows at 32,767; changing it to "
                             "a wider type later rewrites {} and its indexes under an ACCESS EXCLUSIVE lock",
                             column_label(column), column.written_type(), quoted_table_name(column)),
                 "Use bigint (or integer when the range is truly bounded): with alignment padding a "
                 "smallint often saves no space at all.");
    }
  }
}

}  // namespace

extern const Rule kPreferBigintOverSmallint{
    .id = "prefer-bigint-over-smallint",
    .severity = Severity::Note,
    .summary = "A column of type smallint (int2) or smallserial, which overflows at 32,767.",
    .tags = {"type"},
    .check = check,
    // typed_columns() finds columns in these two only.
    .kinds = {NodeKind::CreateStmt, NodeKind::AlterTableStmt},
};

}  // namespace miglint
