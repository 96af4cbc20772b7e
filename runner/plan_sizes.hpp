#pragma once

// `miglint plan` with table sizes (docs/table-sizes.md): the sizes of the relations the planned
// statements lock and of the tables the unapproved findings name, read in one catalog query
// (table_stats.hpp) from the database the plan is for; the locks ordered by risk.
#include <deque>
#include <ostream>

#include "analyzer/report/runner_report.hpp"
#include "settings/run_settings.hpp"

namespace miglint::runner {

// Fills `plan.risks` and adds the sizes to the unapproved findings' messages (copies kept in
// `findings`, which must outlive the plan). When the sizes cannot be read the plan is shown
// without them, after one warning line on `err`.
void add_plan_sizes(const RunSettingsResolved& settings, PlanView& plan, std::deque<Finding>& findings,
                    std::ostream& err);

}  // namespace miglint::runner
