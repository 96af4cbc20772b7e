#include <cctype>
#include <vector>

#include "analyzer/text/ascii.hpp"
#include "rules/rule_support.hpp"

namespace miglint {

namespace {

constexpr std::string_view kHelp =
    "Avoid rewriting a busy table in a migration: use pg_repack (or pg_squeeze), which rebuild the table "
    "online and take ACCESS EXCLUSIVE only briefly at the end; otherwise schedule a maintenance window.";

// A DefElem's boolean value as PostgreSQL reads it: no argument means true.
bool option_enabled(Node option) {
  Node arg = option["arg"];
  if (!arg) {
    return true;
  }
  if (Node integer = arg.as("Integer")) {
    return integer["ival"].integer() != 0;
  }
  std::string value(arg.as("String")["sval"].str());
  for (char& c : value) {
    c = ascii_lower(c);
  }
  return value != "false" && value != "off" && value != "0" && value != "no";
}

bool vacuum_full(Node stmt) {
  bool full = false;
  for (Node option : stmt["options"]) {
    Node def = option.as("DefElem");
    if (def["defname"].str() == "full") {
      full = option_enabled(def);
    }
  }
  return full && stmt["is_vacuumcmd"].boolean();
}

void check_vacuum(const Statement& statement, const MigrationContext& context, RuleOutput& out) {
  Node stmt = statement.body();
  if (!vacuum_full(stmt)) {
    return;
  }
  if (stmt["rels"].size() == 0) {
    out.report(statement.span(),
               "VACUUM FULL without a table list rewrites every table of the database, one after the "
               "other, each under an ACCESS EXCLUSIVE lock that blocks all reads and writes of it",
               std::string(kHelp));
    return;
  }
  std::vector<std::string> tables;
  for (Node relation : stmt["rels"]) {
    Node range_var = relation.as("VacuumRelation")["relation"];
    if (!context.created_in_file(qualified_name(range_var))) {
      tables.push_back(quote_name(display_name(range_var)));
    }
  }
  if (tables.empty()) {
    return;
  }
  out.report(statement.span(),
             fmt::format("VACUUM FULL rewrites {} and all {} indexes under an ACCESS EXCLUSIVE lock, which "
                         "blocks every read and write for the whole rewrite",
                         fmt::join(tables, ", "), tables.size() == 1 ? "its" : "their"),
             std::string(kHelp));
}

void check_cluster(const Statement& statement, const MigrationContext& context, RuleOutput& out) {
  Node stmt = statement.body();
  Node relation = stmt["relation"];
  if (!relation) {
    out.report(statement.span(),
               "CLUSTER without a table rewrites every table that was clustered before, one after the "
               "other, each under an ACCESS EXCLUSIVE lock that blocks all reads and writes of it",
               std::string(kHelp));
    return;
  }
  if (context.created_in_file(qualified_name(relation))) {
    return;
  }
  std::string table = quote_name(display_name(relation));
  out.report(
      statement.span(),
      fmt::format("CLUSTER rewrites {} in index order, with all its indexes, under an ACCESS EXCLUSIVE "
                  "lock on {}, which blocks every read and write for the whole rewrite",
                  table, table),
      std::string(kHelp));
}

// The finding's message for a sub-command that rewrites or copies the table, "" for others.
std::string rewrite_message(std::string_view subtype, const std::string& table) {
  if (subtype == "AT_SetTableSpace") {
    return fmt::format(
        "moving {} to another tablespace copies all its data under an ACCESS EXCLUSIVE lock on {}, which "
        "blocks every read and write until the copy is done",
        table, table);
  }
  if (subtype == "AT_SetLogged" || subtype == "AT_SetUnLogged") {
    return fmt::format(
        "{} rewrites {} and rebuilds its indexes under an ACCESS EXCLUSIVE lock on {}, which blocks every "
        "read and write for the whole rewrite{}",
        subtype == "AT_SetLogged" ? "SET LOGGED" : "SET UNLOGGED", table, table,
        subtype == "AT_SetLogged" ? " (and writes all of it to the write-ahead log)" : "");
  }
  return {};
}

void check_alter_table(const Statement& statement, const MigrationContext& context, RuleOutput& out) {
  Node stmt = statement.body();
  std::string_view objtype = stmt["objtype"].str();
  if ((objtype != "OBJECT_TABLE" && objtype != "OBJECT_MATVIEW") ||
      context.created_in_file(statement.relation_name())) {
    return;
  }
  std::string table = quote_name(display_name(stmt["relation"]));
  std::size_t index = 0;
  for (Node item : stmt["cmds"]) {
    std::string message = rewrite_message(item.as("AlterTableCmd")["subtype"].str(), table);
    if (!message.empty()) {
      out.report(statement.subcommand_span(index), std::move(message), std::string(kHelp));
    }
    ++index;
  }
}

// VACUUM FULL, CLUSTER, SET TABLESPACE and SET LOGGED/UNLOGGED copy the whole table and rebuild its
// indexes while holding ACCESS EXCLUSIVE: nobody can read or write it until they finish.
void check(const Statement& statement, const MigrationContext& context, RuleOutput& out) {
  std::string_view kind = statement.kind();
  if (kind == "VacuumStmt") {
    check_vacuum(statement, context, out);
  } else if (kind == "ClusterStmt") {
    check_cluster(statement, context, out);
  } else if (kind == "AlterTableStmt") {
    check_alter_table(statement, context, out);
  } else if (kind == "AlterTableMoveAllStmt") {
    std::string_view objtype = statement.body()["objtype"].str();
    if (objtype == "OBJECT_TABLE" || objtype == "OBJECT_MATVIEW") {
      out.report(statement.span(),
                 fmt::format("moving every {} of tablespace {} copies each of them under an ACCESS EXCLUSIVE "
                             "lock, which blocks every read and write of it while it is copied",
                             objtype == "OBJECT_TABLE" ? "table" : "materialized view",
                             quote_name(statement.body()["orig_tablespacename"].str())),
                 std::string(kHelp));
    }
  }
}

}  // namespace

extern const Rule kTableRewrite{
    .id = "table-rewrite",
    .severity = Severity::Warning,
    .summary =
        "VACUUM FULL, CLUSTER, SET TABLESPACE and SET LOGGED/UNLOGGED rewrite the table under ACCESS "
        "EXCLUSIVE.",
    .tags = {"lock"},
    .check = check,
};

}  // namespace miglint
