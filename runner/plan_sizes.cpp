#include "runner/plan_sizes.hpp"

#include <fmt/format.h>

#include <set>

#include "analyzer/text/message_text.hpp"
#include "runner/table_stats.hpp"

namespace miglint::runner {

void add_plan_sizes(const RunSettingsResolved& settings, PlanView& plan, std::deque<Finding>& findings,
                    std::ostream& err) {
  std::vector<TableRef> tables;
  std::set<TableKey> seen;
  auto want = [&](const TableRef& table) {
    if (!table.empty() && !table.created_in_migration && seen.insert(table_key(table)).second) {
      tables.push_back(table);
    }
  };
  for (PlanMigrationView& migration : plan.migrations) {
    for (const PlanSegmentView& segment : migration.segments) {
      for (const PlanStatementView& statement : segment.statements) {
        if (statement.locks == nullptr) {
          continue;
        }
        for (const RelationEffect& effect : statement.locks->relations) {
          if (effect.lock != LockMode::None) {
            want(table_ref_of_relation(effect.relation));
          }
        }
      }
    }
    for (UnapprovedView& item : migration.unapproved) {
      findings.push_back(*item.finding);
      item.finding = &findings.back();
      want(findings.back().table);
    }
  }
  if (tables.empty()) {
    return;
  }
  Expected<TableSizes> sizes = read_table_sizes(settings.database_url, tables);
  if (!sizes) {
    err << fmt::format("miglint: warning: the plan is shown without table sizes: {}\n",
                       escape_for_message(sizes.error().message));
    return;
  }
  for (Finding& finding : findings) {
    apply_table_size(finding, *sizes, 0, false);  // an approval is needed whatever the size
  }
  plan.table_sizes = std::move(*sizes);
  // Counted first: a file of 400,000 INSERTs has as many risks, and a growing vector would hold up
  // to three times their size at once.
  std::size_t count = 0;
  auto each_risk = [&](auto&& add) {
    for (PlanMigrationView& migration : plan.migrations) {
      for (const PlanSegmentView& segment : migration.segments) {
        for (const PlanStatementView& statement : segment.statements) {
          if (statement.locks == nullptr) {
            continue;
          }
          for (const RelationEffect& effect : statement.locks->relations) {
            auto found = plan.table_sizes.find(table_key(table_ref_of_relation(effect.relation)));
            if (effect.lock != LockMode::None && found != plan.table_sizes.end()) {
              add(migration, statement, effect, found->second);
            }
          }
        }
      }
    }
  };
  each_risk([&](auto&&...) { ++count; });
  plan.risks.reserve(count);
  each_risk([&](const PlanMigrationView& migration, const PlanStatementView& statement,
                const RelationEffect& effect, const TableSize& size) {
    plan.risks.push_back(PlanRiskView{migration.display_path, statement.start, &effect, &size});
  });
  order_by_risk(plan.risks);
}

}  // namespace miglint::runner
