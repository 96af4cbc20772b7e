#include "analyzer/text/ascii.hpp"
#include "rules/alter_table_support.hpp"

namespace miglint {

namespace {

constexpr std::string_view kHelpWithCheck =
    "First add `CHECK (c IS NOT NULL) NOT VALID` (instant), VALIDATE it in a separate transaction (SHARE "
    "UPDATE EXCLUSIVE: reads and writes go on), then SET NOT NULL, which uses the check instead of "
    "scanning; the check can be dropped afterwards.";
constexpr std::string_view kHelpBefore12 =
    "Before PostgreSQL 12 the scan cannot be avoided: keep a validated `CHECK (c IS NOT NULL)` constraint "
    "(added NOT VALID, validated separately) instead of SET NOT NULL, or run it off-peak with a short "
    "lock_timeout.";

constexpr std::string_view kHelpNotValid =
    "Add the constraint NOT VALID (PostgreSQL 18+: instant, no scan), then `ALTER TABLE ... VALIDATE "
    "CONSTRAINT` in a separate transaction, which scans under SHARE UPDATE EXCLUSIVE while reads and "
    "writes go on.";

// Whether the source text at `span` begins with ADD (the sub-command as written, not as read).
bool starts_with_add(const Statement& statement, ByteSpan span) {
  std::string_view text = statement.file().text().substr(span.begin, 4);
  return text.size() >= 3 && ascii_lower(text[0]) == 'a' && ascii_lower(text[1]) == 'd' &&
         ascii_lower(text[2]) == 'd' && (text.size() == 3 || !is_ascii_alnum(text[3]));
}

// ALTER TABLE t ALTER COLUMN c SET NOT NULL reads the whole table to prove no row holds NULL, under
// ACCESS EXCLUSIVE. From PostgreSQL 12 on the scan is skipped when a validated
// `CHECK (c IS NOT NULL)` already proves it, which the schema facts of this and earlier files show.
void check(const Statement& statement, const MigrationContext& context, RuleOutput& out) {
  auto alter = altered_existing_table(statement, context);
  std::string table = qualified_name(alter.relation());
  bool check_can_prove = context.pg_version() >= 12;
  for (const AlterCommand& command : alter_commands(statement, alter)) {
    std::string column(command.name());
    if (command.subtype() == pg::AlterTableType::AT_SetNotNull &&
        set_not_null_scans(table, column, context.pg_version(), &context)) {
      std::string why =
          check_can_prove
              ? fmt::format("no validated CHECK ({} IS NOT NULL) is known that would let PostgreSQL skip it",
                            column)
              : fmt::format("PostgreSQL {} cannot use a CHECK constraint to skip it", context.pg_version());
      if (statement.stand_in() && starts_with_add(statement, command.span())) {
        // PostgreSQL 18's ADD CONSTRAINT name NOT NULL column, read as SET NOT NULL
        // (analyzer/sql/newer_syntax.hpp): the same scan, and NOT VALID avoids it.
        out.report(command.span(),
                   fmt::format("adding a NOT NULL constraint on column {} of table {} scans the whole table "
                               "under an {} lock, blocking every read and write of it until the scan ends "
                               "(as SET NOT NULL does); {}",
                               quote_name(column), quote_name(display_name(alter.relation())),
                               lock_mode_name(lock_on(context, table)), why),
                   std::string(kHelpNotValid), statement_table(statement));
        continue;
      }
      out.report(command.span(),
                 fmt::format("setting column {} of table {} NOT NULL scans the whole table under an {} lock, "
                             "blocking every read and write of it until the scan ends; {}",
                             quote_name(column), quote_name(display_name(alter.relation())),
                             lock_mode_name(lock_on(context, table)), why),
                 std::string(check_can_prove ? kHelpWithCheck : kHelpBefore12), statement_table(statement));
    }
  }
}

}  // namespace

extern const Rule kAddingNotNullableField{
    .id = "adding-not-nullable-field",
    .severity = Severity::Warning,
    .summary =
        "SET NOT NULL scans the whole table under ACCESS EXCLUSIVE unless a validated CHECK proves it.",
    .tags = {"lock", "scan"},
    .check = check,
    .kinds = {NodeKind::AlterTableStmt},
    .version_dependent = true,
};

}  // namespace miglint
