#include <cctype>
#include <vector>

#include "analyzer/text/ascii.hpp"
#include "rules/alter_table_support.hpp"

namespace miglint {

namespace {

constexpr std::string_view kHelp =
    "Avoid rewriting a busy table in a migration: use pg_repack (or pg_squeeze), which rebuild the table "
    "online and take ACCESS EXCLUSIVE only briefly at the end; otherwise schedule a maintenance window.";

// From PostgreSQL 19 on, REPACK (CONCURRENTLY) rewrites a table in core while reads and writes go on.
constexpr std::string_view kRepackHelp =
    "Use REPACK (CONCURRENTLY) (PostgreSQL 19+), which copies the table while reads and writes go on and "
    "takes ACCESS EXCLUSIVE only briefly to swap in the copy; otherwise schedule a maintenance window.";

// The help for REPACK itself (the target is PostgreSQL 19 or later).
constexpr std::string_view kRepackOwnHelp =
    "Use REPACK (CONCURRENTLY), which copies the table while reads and writes go on and takes ACCESS "
    "EXCLUSIVE only briefly to swap in the copy; otherwise schedule a maintenance window.";

// The help for VACUUM FULL and CLUSTER, which REPACK replaces on the target version.
std::string vacuum_cluster_help(const MigrationContext& context) {
  return std::string(context.pg_version() >= 19 ? kRepackHelp : kHelp);
}

// A DefElem's boolean value as PostgreSQL reads it: no argument means true.
bool option_enabled(pg::DefElem option) {
  pg::AnyNode arg = option.arg();
  if (!arg) {
    return true;
  }
  if (auto integer = arg.as<pg::Integer>()) {
    return integer.ival() != 0;
  }
  std::string value(arg.as<pg::String>().sval());
  for (char& c : value) {
    c = ascii_lower(c);
  }
  return value != "false" && value != "off" && value != "0" && value != "no";
}

bool vacuum_full(pg::VacuumStmt vacuum) {
  bool full = false;
  for (pg::AnyNode option : vacuum.options()) {
    auto def = option.as<pg::DefElem>();
    if (def.defname() == "full") {
      full = option_enabled(def);
    }
  }
  return full && vacuum.is_vacuumcmd();
}

void check_vacuum(const Statement& statement, const MigrationContext& context, RuleOutput& out) {
  auto vacuum = statement.as<pg::VacuumStmt>();
  if (!vacuum_full(vacuum)) {
    return;
  }
  if (vacuum.rels().empty()) {
    out.report(statement.span(),
               "VACUUM FULL without a table list rewrites every table of the database, one after the "
               "other, each under an ACCESS EXCLUSIVE lock that blocks all reads and writes of it",
               vacuum_cluster_help(context));
    return;
  }
  std::vector<std::string> tables;
  TableRef only_table;  // the finding's table when it rewrites one (sizes: TableRef)
  for (pg::AnyNode relation : vacuum.rels()) {
    pg::RangeVar range_var = relation.as<pg::VacuumRelation>().relation();
    if (!context.created_in_file(qualified_name(range_var))) {
      tables.push_back(quote_name(display_name(range_var)));
      only_table = tables.size() == 1 ? table_ref(range_var) : TableRef{};
    }
  }
  if (tables.empty()) {
    return;
  }
  // The lock stays written out: the lock model reads the first FULL option of the list, PostgreSQL
  // (and vacuum_full()) the last, so for `(FULL false, FULL)` the model's lock is not this one.
  out.report(statement.span(),
             fmt::format("VACUUM FULL rewrites {} and all {} indexes under an ACCESS EXCLUSIVE lock, which "
                         "blocks every read and write for the whole rewrite",
                         fmt::join(tables, ", "), tables.size() == 1 ? "its" : "their"),
             vacuum_cluster_help(context), only_table);
}

// REPACK (PostgreSQL 19) without CONCURRENTLY, read through its stand-in CLUSTER (analyzer/sql/
// newer_syntax.hpp): the same lock and rewrite, but every table when no table is named.
bool is_repack(const Statement& statement) {
  std::string_view text = statement.text();
  if (!statement.stand_in() || text.size() < 6) {
    return false;
  }
  std::string first;
  for (char c : text.substr(0, 6)) {
    first += ascii_lower(c);
  }
  return first == "repack";
}

void check_repack(const Statement& statement, const MigrationContext& context, RuleOutput& out) {
  pg::RangeVar relation = statement.as<pg::ClusterStmt>().relation();
  if (!relation) {
    out.report(statement.span(),
               "REPACK without a table rewrites every table of the database, one after the other, each "
               "under an ACCESS EXCLUSIVE lock that blocks all reads and writes of it",
               std::string(kRepackOwnHelp));
    return;
  }
  if (context.created_in_file(statement.relation_name())) {
    return;
  }
  out.report(
      statement.span(),
      fmt::format("REPACK rewrites {} and all its indexes under an {} lock, which blocks every read and "
                  "write for the whole rewrite",
                  quote_name(display_name(relation)),
                  lock_mode_name(lock_on(context, statement.relation_name()))),
      std::string(kRepackOwnHelp), statement_table(statement));
}

void check_cluster(const Statement& statement, const MigrationContext& context, RuleOutput& out) {
  if (is_repack(statement)) {
    check_repack(statement, context, out);
    return;
  }
  pg::RangeVar relation = statement.as<pg::ClusterStmt>().relation();
  if (!relation) {
    out.report(statement.span(),
               "CLUSTER without a table rewrites every table that was clustered before, one after the "
               "other, each under an ACCESS EXCLUSIVE lock that blocks all reads and writes of it",
               vacuum_cluster_help(context));
    return;
  }
  if (context.created_in_file(statement.relation_name())) {
    return;
  }
  std::string table = quote_name(display_name(relation));
  out.report(statement.span(),
             fmt::format("CLUSTER rewrites {} in index order, with all its indexes, under an {} lock on {}, "
                         "which blocks every read and write for the whole rewrite",
                         table, lock_mode_name(lock_on(context, statement.relation_name())), table),
             vacuum_cluster_help(context), statement_table(statement));
}

// The finding's message for a sub-command that rewrites or copies the table, "" for others. `lock`
// is the statement's lock on the table: these commands take the strongest there is.
std::string rewrite_message(pg::Enum<pg::AlterTableType> subtype, const std::string& table,
                            std::string_view lock) {
  if (subtype == pg::AlterTableType::AT_SetTableSpace) {
    return fmt::format(
        "moving {} to another tablespace copies all its data under an {} lock on {}, which blocks every "
        "read and write until the copy is done",
        table, lock, table);
  }
  bool logged = subtype == pg::AlterTableType::AT_SetLogged;
  if (logged || subtype == pg::AlterTableType::AT_SetUnLogged) {
    return fmt::format(
        "{} rewrites {} and rebuilds its indexes under an {} lock on {}, which blocks every read and write "
        "for the whole rewrite{}",
        logged ? "SET LOGGED" : "SET UNLOGGED", table, lock, table,
        logged ? " (and writes all of it to the write-ahead log)" : "");
  }
  if (subtype == pg::AlterTableType::AT_SetExpression) {
    return fmt::format(
        "SET EXPRESSION recomputes the generated column and rewrites {} under an {} lock on {}, which "
        "blocks every read and write for the whole rewrite",
        table, lock, table);
  }
  return {};
}

void check_alter_table(const Statement& statement, const MigrationContext& context, RuleOutput& out) {
  auto alter = statement.as<pg::AlterTableStmt>();
  auto objtype = alter.objtype();
  if ((objtype != pg::ObjectType::OBJECT_TABLE && objtype != pg::ObjectType::OBJECT_MATVIEW) ||
      context.created_in_file(statement.relation_name())) {
    return;
  }
  std::string table = quote_name(display_name(alter.relation()));
  std::string_view lock = lock_mode_name(lock_on(context, statement.relation_name()));
  for (const AlterCommand& command : alter_commands(statement, alter)) {
    std::string message = rewrite_message(command.subtype(), table, lock);
    if (!message.empty()) {
      out.report(command.span(), std::move(message), std::string(kHelp), statement_table(statement));
    }
  }
}

// VACUUM FULL, CLUSTER, SET TABLESPACE and SET LOGGED/UNLOGGED copy the whole table and rebuild its
// indexes while holding ACCESS EXCLUSIVE: nobody can read or write it until they finish.
void check(const Statement& statement, const MigrationContext& context, RuleOutput& out) {
  switch (statement.node_kind()) {
    case NodeKind::VacuumStmt:
      check_vacuum(statement, context, out);
      break;
    case NodeKind::ClusterStmt:
      check_cluster(statement, context, out);
      break;
    case NodeKind::AlterTableStmt:
      check_alter_table(statement, context, out);
      break;
    case NodeKind::AlterTableMoveAllStmt: {
      auto move = statement.as<pg::AlterTableMoveAllStmt>();
      auto objtype = move.objtype();
      if (objtype == pg::ObjectType::OBJECT_TABLE || objtype == pg::ObjectType::OBJECT_MATVIEW) {
        out.report(statement.span(),
                   fmt::format("moving every {} of tablespace {} copies each of them under an ACCESS "
                               "EXCLUSIVE lock, which blocks every read and write of it while it is copied",
                               objtype == pg::ObjectType::OBJECT_TABLE ? "table" : "materialized view",
                               quote_name(move.orig_tablespacename())),
                   std::string(kHelp));
      }
      break;
    }
    default:
      break;
  }
}

}  // namespace

extern const Rule kTableRewrite{
    .id = "table-rewrite",
    .severity = Severity::Warning,
    .summary =
        "VACUUM FULL, CLUSTER, REPACK, SET TABLESPACE, SET LOGGED/UNLOGGED and SET EXPRESSION rewrite the "
        "table under ACCESS EXCLUSIVE.",
    .tags = {"lock"},
    .check = check,
    .kinds = {NodeKind::VacuumStmt, NodeKind::ClusterStmt, NodeKind::AlterTableStmt,
              NodeKind::AlterTableMoveAllStmt},
    // From PostgreSQL 19 on the help for VACUUM FULL and CLUSTER names REPACK (CONCURRENTLY).
    .version_dependent = true,
};

}  // namespace miglint
