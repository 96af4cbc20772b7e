#include "rules/alter_table_support.hpp"

namespace miglint {

namespace {

// ALTER TABLE t ALTER COLUMN c DROP NOT NULL: instant under ACCESS EXCLUSIVE, but code and reports
// written against the column's promise that it is never NULL start seeing NULLs.
void check(const Statement& statement, const MigrationContext& context, RuleOutput& out) {
  auto alter = altered_existing_table(statement, context);
  for (const AlterCommand& command : alter_commands(statement, alter)) {
    if (command.subtype() == pg::AlterTableType::AT_DropNotNull) {
      out.report(
          command.span(),
          fmt::format("dropping NOT NULL from column {} of table {} takes an {} lock, and clients that "
                      "rely on the column never being NULL may break once NULLs appear",
                      quote_name(command.name()), quote_name(display_name(alter.relation())),
                      lock_mode_name(lock_on(context, statement.relation_name()))),
          "Make sure every reader handles NULL before the constraint goes (or keep it and write a "
          "sentinel value instead), then approve the change with "
          "`-- miglint-ignore ban-drop-not-null -- reason`.",
          statement_table(statement, false));
    }
  }
}

}  // namespace

extern const Rule kBanDropNotNull{
    .id = "ban-drop-not-null",
    .severity = Severity::Warning,
    .summary = "Dropping NOT NULL lets NULLs reach clients that assume there are none.",
    .tags = {"compatibility", "lock"},
    .check = check,
    .kinds = {NodeKind::AlterTableStmt},
};

}  // namespace miglint
