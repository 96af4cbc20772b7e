#include "rules/rule_support.hpp"

namespace miglint {

namespace {

// REFRESH MATERIALIZED VIEW without CONCURRENTLY recomputes the view's query and swaps in the result
// under ACCESS EXCLUSIVE: every SELECT of the view waits for the whole recompute.
void check(const Statement& statement, const MigrationContext& context, RuleOutput& out) {
  auto refresh = statement.as<pg::RefreshMatViewStmt>();
  if (!refresh || refresh.concurrent() || context.created_in_file(statement.relation_name())) {
    return;
  }
  std::string view = quote_name(display_name(refresh.relation()));
  std::string_view lock = lock_mode_name(lock_on(context, statement.relation_name()));
  if (refresh.skip_data()) {
    out.report(
        statement.span(),
        fmt::format("REFRESH MATERIALIZED VIEW {} WITH NO DATA takes an {} lock on {} and empties it: "
                    "every query of {} fails until it is refreshed again",
                    view, lock, view, view),
        "Keep the data: refresh with `REFRESH MATERIALIZED VIEW CONCURRENTLY` instead, or drop the view "
        "once nothing reads it.",
        statement_table(statement));
    return;
  }
  out.report(statement.span(),
             fmt::format("refreshing materialized view {} without CONCURRENTLY takes an {} lock on {}, which "
                         "blocks every read of it for the whole recompute",
                         view, lock, view),
             "Use `REFRESH MATERIALIZED VIEW CONCURRENTLY` (it needs a unique index on the view, without a "
             "WHERE clause, on plain columns); it takes EXCLUSIVE, so reads continue during the refresh.",
             statement_table(statement));
}

}  // namespace

extern const Rule kRefreshMaterializedViewBlocking{
    .id = "refresh-materialized-view-blocking",
    .severity = Severity::Warning,
    .summary =
        "REFRESH MATERIALIZED VIEW without CONCURRENTLY blocks reads of the view for the whole refresh.",
    .tags = {"lock"},
    .check = check,
    .kinds = {NodeKind::RefreshMatViewStmt},
};

}  // namespace miglint
