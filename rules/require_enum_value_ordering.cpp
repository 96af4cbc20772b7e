#include "rules/rule_support.hpp"
#include "rules/type_names.hpp"

namespace miglint {

namespace {

// ALTER TYPE e ADD VALUE 'x' without BEFORE or AFTER puts the value last in the enum's sort order.
// Enums compare and sort by that order (ORDER BY, <, >, min/max, range checks), so where the new
// value lands is a schema decision that the statement should state, not a default.
void check(const Statement& statement, const MigrationContext& context, RuleOutput& out) {
  auto alter = statement.as<pg::AlterEnumStmt>();
  if (!alter || !alter.old_val().empty() || !alter.new_val_neighbor().empty() ||
      context.type_created_in_file(qualified_name_from_list(alter.type_name()))) {
    return;
  }
  std::string type = quote_name(display_name_from_list(alter.type_name()));
  out.report(statement.span(),
             fmt::format("adding value '{}' to enum {} without BEFORE or AFTER appends it last in the sort "
                         "order of {}, which changes what ORDER BY, comparisons and min/max return",
                         alter.new_val(), type, type),
             "State the position: `ALTER TYPE ... ADD VALUE '...' BEFORE '...'` or `AFTER '...'` (AFTER the "
             "current last value when appending is intended).");
}

}  // namespace

extern const Rule kRequireEnumValueOrdering{
    .id = "require-enum-value-ordering",
    .severity = Severity::Warning,
    .summary =
        "ALTER TYPE ADD VALUE without BEFORE/AFTER silently puts the new value last in the sort order.",
    .tags = {"correctness"},
    .check = check,
    .kinds = {NodeKind::AlterEnumStmt},
};

}  // namespace miglint
