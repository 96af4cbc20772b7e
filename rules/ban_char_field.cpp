#include "rules/column_types.hpp"
#include "rules/rule_support.hpp"

namespace miglint {

namespace {

// char(n) pads every value with blanks to n characters and ignores trailing blanks in comparisons:
// surprising semantics, no speed or space advantage over text in PostgreSQL.
void check(const Statement& statement, const MigrationContext& /*context*/, RuleOutput& out) {
  for (const TypedColumn& column : typed_columns(statement)) {
    if (column.type == "bpchar") {
      out.report(
          column.span(),
          fmt::format("column {} is {}: values are padded with blanks to the full length, "
                      "trailing blanks are ignored when comparing and dropped when converting to text, "
                      "and the type is no faster or smaller than text; changing it later rewrites {}",
                      column_label(column), column.written_type(), quote_name(display_name(column.relation))),
          "Use text (or varchar) with `CHECK (char_length(col) = n)` when values must have an "
          "exact length.");
    }
  }
}

}  // namespace

extern const Rule kBanCharField{
    .id = "ban-char-field",
    .severity = Severity::Note,
    .summary = "A char(n) / character(n) column, which pads values with blanks.",
    .tags = {"type"},
    .check = check,
    .kinds = {NodeKind::CreateStmt, NodeKind::AlterTableStmt},
};

}  // namespace miglint
