#include "rules/column_types.hpp"
#include "rules/rule_support.hpp"

namespace miglint {

namespace {

// varchar(n) is text with a length check baked into the type: raising n takes ACCESS EXCLUSIVE
// (briefly), lowering it rewrites the table under it. A CHECK can be validated under SHARE UPDATE
// EXCLUSIVE instead.
void check(const Statement& statement, const MigrationContext& /*context*/, RuleOutput& out) {
  for (const TypedColumn& column : typed_columns(statement)) {
    if (column.type == "varchar" && column.has_modifiers) {
      out.report(column.span(),
                 fmt::format("column {} is {}: changing the length limit later takes an ACCESS "
                             "EXCLUSIVE lock on {}, and lowering it also rewrites the table under that lock, "
                             "while a CHECK on a text column can be tightened with NOT VALID and VALIDATE, "
                             "which lets reads and writes go on",
                             column_label(column), column.written_type(), quoted_table_name(column)),
                 "Use text (or unbounded varchar), with `CHECK (char_length(col) <= n)` when the limit "
                 "matters; change the limit later by adding a new CHECK NOT VALID, validating it, and "
                 "dropping the old one.");
    }
  }
}

}  // namespace

extern const Rule kPreferTextField{
    .id = "prefer-text-field",
    .severity = Severity::Note,
    .summary = "A varchar(n) column, whose length limit can only be changed under ACCESS EXCLUSIVE.",
    .tags = {"type", "lock"},
    .check = check,
    // typed_columns() finds columns in these two only.
    .kinds = {NodeKind::CreateStmt, NodeKind::AlterTableStmt},
};

}  // namespace miglint
