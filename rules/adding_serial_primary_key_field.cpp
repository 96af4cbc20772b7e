#include "rules/alter_table_support.hpp"

namespace miglint {

namespace {

// ALTER TABLE t ADD PRIMARY KEY (id), or ADD COLUMN id ... PRIMARY KEY: the primary key's unique
// index is built under ACCESS EXCLUSIVE (and nullable key columns are scanned to set them NOT
// NULL). `PRIMARY KEY USING INDEX` adopts an index built CONCURRENTLY beforehand.
void check(const Statement& statement, const MigrationContext& context, RuleOutput& out) {
  auto alter = altered_existing_table(statement, context);
  std::string table = quote_name(display_name(alter.relation()));
  std::string_view lock = lock_mode_name(lock_on(context, statement.relation_name()));
  for (const AlterCommand& command : alter_commands(statement, alter)) {
    auto constraint = command.def().as<pg::Constraint>();
    auto def = command.def().as<pg::ColumnDef>();
    if (command.subtype() == pg::AlterTableType::AT_AddConstraint &&
        constraint.contype() == pg::ConstrType::CONSTR_PRIMARY && constraint.indexname().empty()) {
      out.report(
          command.span(),
          fmt::format("adding a primary key to table {} builds its unique index under an {} lock, "
                      "blocking every read and write of {} for the whole build (and for a scan of each "
                      "nullable key column, which becomes NOT NULL)",
                      table, lock, table),
          "Make the key columns NOT NULL first (a validated `CHECK (c IS NOT NULL)`, then SET NOT "
          "NULL), build the index with `CREATE UNIQUE INDEX CONCURRENTLY i ON t (id)` outside a "
          "transaction, then attach it with `ALTER TABLE t ADD CONSTRAINT t_pkey PRIMARY KEY USING "
          "INDEX i`.",
          statement_table(statement));
    } else if (command.subtype() == pg::AlterTableType::AT_AddColumn &&
               column_constraint(def, pg::ConstrType::CONSTR_PRIMARY)) {
      std::string_view serial = serial_type(def);
      out.report(
          command.span(),
          fmt::format("adding column {} to table {} as its PRIMARY KEY builds a unique index under the "
                      "{} lock of ADD COLUMN, blocking every read and write of {} for the whole build{}",
                      quote_name(def.colname()), table, lock, table,
                      serial.empty()
                          ? std::string()
                          : fmt::format(", after rewriting the table to fill the {} column", serial)),
          "Add the column without PRIMARY KEY (nullable, filled in batches), make it NOT NULL through "
          "a validated CHECK, build a unique index with CREATE UNIQUE INDEX CONCURRENTLY, then "
          "`ADD CONSTRAINT t_pkey PRIMARY KEY USING INDEX i`.",
          statement_table(statement));
    }
  }
}

}  // namespace

extern const Rule kAddingSerialPrimaryKeyField{
    .id = "adding-serial-primary-key-field",
    .severity = Severity::Warning,
    .summary = "Adding a primary key builds its index under ACCESS EXCLUSIVE.",
    .tags = {"lock", "index"},
    .check = check,
    .kinds = {NodeKind::AlterTableStmt},
};

}  // namespace miglint
