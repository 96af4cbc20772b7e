#include "rules/column_types.hpp"
#include "rules/rule_support.hpp"

namespace miglint {

namespace {

// timestamp without time zone stores wall-clock readings: the same instant written by clients in
// different zones (or around a DST change) compares wrong, and converting later rewrites the table.
void check(const Statement& statement, const MigrationContext& /*context*/, RuleOutput& out) {
  for (const TypedColumn& column : typed_columns(statement)) {
    if (column.type == "timestamp") {
      out.report(
          column.span(),
          fmt::format("column {} is {}, a wall-clock reading without a time zone: "
                      "clients in other time zones, or around a daylight-saving change, read and "
                      "compare wrong instants; converting it later takes an ACCESS EXCLUSIVE lock on {} "
                      "and rewrites the table unless the session time zone is UTC",
                      column_label(column), column.written_type(), quoted_table_name(column)),
          "Use timestamptz (timestamp with time zone): it stores an instant and converts to "
          "the session time zone on output, in the same 8 bytes.");
    }
  }
}

}  // namespace

extern const Rule kPreferTimestamptz{
    .id = "prefer-timestamptz",
    .severity = Severity::Note,
    .summary = "A timestamp (without time zone) column instead of timestamptz.",
    .tags = {"type"},
    .check = check,
    // typed_columns() finds columns in these two only.
    .kinds = {NodeKind::CreateStmt, NodeKind::AlterTableStmt},
};

}  // namespace miglint
