// `miglint plan` with table sizes: the planned locks, riskiest first (docs/table-sizes.md).
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <ostream>

#include "analyzer/report/runner_report.hpp"
#include "analyzer/text/message_text.hpp"

namespace miglint {

double plan_risk(const PlanRiskView& risk) {
  if (risk.effect == nullptr || !risk.size->exists || !risk.size->bytes) {
    return 0;
  }
  return static_cast<double>(static_cast<int>(risk.effect->lock)) * static_cast<double>(*risk.size->bytes);
}

void order_by_risk(std::vector<PlanRiskView>& risks) {
  std::stable_sort(risks.begin(), risks.end(), [](const PlanRiskView& a, const PlanRiskView& b) {
    double risk_a = plan_risk(a);
    double risk_b = plan_risk(b);
    if (risk_a != risk_b) {
      return risk_a > risk_b;
    }
    return a.size->rows.value_or(0) > b.size->rows.value_or(0);
  });
}

void write_plan_risks(std::ostream& out, const std::vector<PlanRiskView>& risks, std::size_t limit) {
  if (risks.empty()) {
    return;
  }
  out << "riskiest first (lock level x table size):\n";
  std::size_t shown = 0;
  for (const PlanRiskView& risk : risks) {
    if (shown == limit) {
      break;
    }
    ++shown;
    std::vector<std::string_view> what;
    if (risk.effect->rewrite) {
      what.push_back("rewrite");
    }
    if (risk.effect->scan) {
      what.push_back("scan");
    }
    out << fmt::format(
        "  {}:{}:{}  {} {}{}: {}\n", escape_for_message(risk.display_path), risk.start.line,
        risk.start.column, lock_mode_name(risk.effect->lock), escape_for_message(risk.effect->relation),
        what.empty() ? "" : fmt::format(" ({})", fmt::join(what, ", ")), describe_table_size(*risk.size));
  }
  if (risks.size() > shown) {
    out << fmt::format("  ... and {} more\n", risks.size() - shown);
  }
}

}  // namespace miglint
