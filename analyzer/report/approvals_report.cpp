#include "analyzer/report/approvals_report.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "analyzer/text/message_text.hpp"

namespace miglint {

void write_approved(std::ostream& out, const ApprovedView& view) {
  out << fmt::format("approved {} in {} (sha256 {}) by {}: written to {}\n", fmt::join(view.rules, ", "),
                     escape_for_message(view.file), view.sha256_short, escape_for_message(view.by),
                     escape_for_message(view.approvals_path));
}

void write_approval_problems(std::ostream& out, std::string_view prefix,
                             const std::vector<ApprovalProblemView>& problems) {
  for (const ApprovalProblemView& problem : problems) {
    std::string where = fmt::format("{}: approval of {} in {}", escape_for_message(problem.approvals_path),
                                    problem.rule, escape_for_message(problem.file));
    switch (problem.kind) {
      case ApprovalProblemView::Kind::FileGone:
        out << fmt::format("{}{} matches nothing: the file is gone (remove the approval)\n", prefix, where);
        break;
      case ApprovalProblemView::Kind::NoFinding:
        out << fmt::format(
            "{}{} matches nothing: {} has no finding of {} any more, as `miglint run` vets it (remove the "
            "approval)\n",
            prefix, where, escape_for_message(problem.file), problem.rule);
        break;
      case ApprovalProblemView::Kind::Stale:
        out << fmt::format(
            "{}{} is stale: approved at checksum {}, the file is now {}{}; review the change and re-approve "
            "with `miglint approve`\n",
            prefix, where, problem.approved_sha256_short, problem.current_sha256_short,
            problem.history.empty() ? "" : " (" + escape_for_message(problem.history) + ")");
        break;
    }
  }
}

}  // namespace miglint
