#include <optional>

#include "analyzer/model/schema.hpp"
#include "analyzer/model/type_change.hpp"
#include "rules/alter_table_support.hpp"

namespace miglint {

namespace {

// Whether a change that keeps the stored bytes still rebuilds the column's indexes: citext and text
// values are ordered by different operator classes.
bool rebuilds_indexes(const std::string& old_type, const std::string& new_type) {
  return old_type.starts_with("citext") != new_type.starts_with("citext");
}

// One `ALTER COLUMN c TYPE x`, classified by the analyzer's table of binary-coercible changes
// against the column's type known from the schema facts.
void report_type_change(const MigrationContext& context, pg::AlterTableStmt alter,
                        const AlterCommand& command, RuleOutput& out) {
  std::string table = qualified_name(alter.relation());
  std::string shown_table = quote_name(display_name(alter.relation()));
  auto def = command.def().as<pg::ColumnDef>();
  std::string column(command.name());
  std::string new_type = normalized_type_name(def.type_name());
  // Schema facts store serial columns as their integer type, so `serial` to `int` changes nothing.
  std::optional<std::string> old_type = context.table_facts(table).column_type(column);
  bool has_using = static_cast<bool>(def.raw_default());
  std::string_view lock = lock_mode_name(lock_on(context, table));
  std::string effect = fmt::format("rewrites the table and rebuilds its indexes under an {} lock", lock);
  std::string change;
  switch (classify_type_change(old_type, new_type, has_using)) {
    case TypeChange::Rewrite:
      change = has_using
                   ? fmt::format("changing the type of column {} of table {} to {} with a USING expression",
                                 quote_name(column), shown_table, new_type)
                   : fmt::format("changing column {} of table {} from {} to {}", quote_name(column),
                                 shown_table, *old_type, new_type);
      break;
    case TypeChange::UnknownOld:
      change = fmt::format(
          "changing the type of column {} of table {} to {} (its current type is unknown to miglint, so "
          "the change is assumed not to be binary-coercible)",
          quote_name(column), shown_table, new_type);
      break;
    case TypeChange::NoRewrite:
      // The bytes stay, but a new collation or operator class changes the order every index on the
      // column relies on.
      if (rebuilds_indexes(*old_type, new_type)) {
        change = fmt::format("changing column {} of table {} from {} to {}", quote_name(column), shown_table,
                             *old_type, new_type);
        effect = fmt::format("keeps the rows but rebuilds every index on the column under an {} lock", lock);
      } else if (def.coll_clause()) {
        change = fmt::format("changing column {} of table {} to {} with a COLLATE clause", quote_name(column),
                             shown_table, new_type);
        effect =
            fmt::format("rebuilds every index on the column under an {} lock if the collation changes", lock);
      }
      break;
  }
  if (!change.empty()) {
    out.report(command.span(),
               fmt::format("{} {}, blocking every read and write of {} until it finishes", change, effect,
                           shown_table),
               "Expand and contract instead: add a column of the new type, write both, backfill it in "
               "batches, move readers over, then drop the old column. Changes that keep the stored bytes "
               "need no rewrite: varchar(n) to a larger n, to varchar or to text; numeric(p,s) to a larger "
               "p with the same s; cidr to inet.",
               table_ref(alter.relation()));
  }
}

// ALTER TABLE t ALTER COLUMN c TYPE x: unless the old stored bytes are valid as the new type,
// PostgreSQL rewrites the table and rebuilds its indexes under ACCESS EXCLUSIVE. The old type comes
// from the schema facts of earlier files and of this file up to here; unknown, it counts as a rewrite.
void check(const Statement& statement, const MigrationContext& context, RuleOutput& out) {
  auto alter = altered_existing_table(statement, context);
  for (const AlterCommand& command : alter_commands(statement, alter)) {
    if (command.subtype() == pg::AlterTableType::AT_AlterColumnType) {
      report_type_change(context, alter, command, out);
    }
  }
}

}  // namespace

extern const Rule kChangingColumnType{
    .id = "changing-column-type",
    .severity = Severity::Warning,
    .summary = "Changing a column's type rewrites the table unless the change is binary-coercible.",
    .tags = {"lock", "rewrite"},
    .check = check,
    .kinds = {NodeKind::AlterTableStmt},
};

}  // namespace miglint
