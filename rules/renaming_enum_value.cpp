#include "rules/rule_support.hpp"
#include "rules/type_names.hpp"

namespace miglint {

namespace {

// ALTER TYPE e RENAME VALUE 'a' TO 'b' is instant, but from its commit on every client that still
// writes or compares the old label fails with "invalid input value for enum".
void check(const Statement& statement, const MigrationContext& context, RuleOutput& out) {
  auto alter_enum = statement.as<pg::AlterEnumStmt>();
  if (!alter_enum || alter_enum.old_val().empty() ||
      context.type_created_in_file(qualified_name_from_list(alter_enum.type_name()))) {
    return;
  }
  out.report(statement.span(),
             fmt::format("renaming value '{}' of enum {} to '{}' breaks every client that still writes or "
                         "compares the old label: PostgreSQL rejects it as invalid input for the enum",
                         alter_enum.old_val(), quote_name(display_name_from_list(alter_enum.type_name())),
                         alter_enum.new_val()),
             "Expand and contract: add the new value (`ADD VALUE ... AFTER 'old'`), move writers to it, "
             "update the stored rows in batches, and stop using the old label; an enum value cannot be "
             "dropped, so keep it (or switch to a lookup table).");
}

}  // namespace

extern const Rule kRenamingEnumValue{
    .id = "renaming-enum-value",
    .severity = Severity::Warning,
    .summary = "Renaming an enum value breaks clients that still use the old label.",
    .tags = {"compatibility"},
    .check = check,
    .kinds = {NodeKind::AlterEnumStmt},
};

}  // namespace miglint
