#include "rules/rule_support.hpp"

namespace miglint {

namespace {

// CREATE INDEX without CONCURRENTLY holds SHARE on the table for the whole build: every INSERT,
// UPDATE and DELETE waits, for minutes to hours on a large table.
void check(const Statement& statement, const MigrationContext& context, RuleOutput& out) {
  Node stmt = statement.body();
  if (statement.kind() != "IndexStmt" || stmt["concurrent"].boolean()) {
    return;
  }
  std::string table = statement.relation_name();
  if (context.created_in_file(table)) {
    return;
  }
  std::string_view index = stmt["idxname"].str();
  out.report(
      statement.span(),
      fmt::format(
          "creating {}index {}on table {} without CONCURRENTLY takes a SHARE lock on {}, which blocks "
          "INSERT, UPDATE and DELETE for the whole index build",
          stmt["unique"].boolean() ? "unique " : "", index.empty() ? std::string() : quote_name(index) + " ",
          quote_name(display_name(stmt["relation"])), quote_name(display_name(stmt["relation"]))),
      "Use `CREATE INDEX CONCURRENTLY` in a migration that runs outside a transaction; afterwards check "
      "`pg_index.indisvalid`, and drop and rebuild an index a failed build left INVALID.");
}

}  // namespace

extern const Rule kRequireConcurrentIndexCreation{
    .id = "require-concurrent-index-creation",
    .severity = Severity::Warning,
    .summary = "CREATE INDEX without CONCURRENTLY blocks writes to the table for the whole build.",
    .tags = {"lock"},
    .check = check,
};

}  // namespace miglint
