#include "rules/column_types.hpp"
#include "rules/rule_support.hpp"

namespace miglint {

namespace {

// json keeps the input text verbatim and re-parses it on every access; it has no equality
// operator and no GIN operator class, so DISTINCT, GROUP BY, UNION and indexed lookups fail on it.
void check(const Statement& statement, const MigrationContext& /*context*/, RuleOutput& out) {
  for (const TypedColumn& column : typed_columns(statement)) {
    if (column.type == "json") {
      out.report(column.span(),
                 fmt::format("column {} is {}: it stores the text as written and re-parses it on every "
                             "access, and it has no equality operator (DISTINCT, GROUP BY and UNION fail on "
                             "it) and no GIN indexing; changing it to jsonb later rewrites {}",
                             column_label(column), column.written_type(), quoted_table_name(column)),
                 "Use jsonb, unless the exact input text (key order, duplicate keys, whitespace) must "
                 "be kept.");
    }
  }
}

}  // namespace

extern const Rule kPreferJsonb{
    .id = "prefer-jsonb",
    .severity = Severity::Note,
    .summary = "A json column instead of jsonb.",
    .tags = {"type"},
    .check = check,
    // typed_columns() finds columns in these two only.
    .kinds = {NodeKind::CreateStmt, NodeKind::AlterTableStmt},
};

}  // namespace miglint
