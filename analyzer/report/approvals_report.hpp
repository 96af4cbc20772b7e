#pragma once

// What `miglint approve` and `miglint approvals --check` print, from plain views.
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace miglint {

// `approved A, B in FILE (sha256 X) by BY: written to PATH`
struct ApprovedView {
  std::vector<std::string> rules;
  std::string file;  // relative to the migrations directory
  std::string sha256_short;
  std::string by;
  std::string approvals_path;
};
void write_approved(std::ostream& out, const ApprovedView& view);

// One approval of miglint.approvals.toml that approves nothing today.
struct ApprovalProblemView {
  enum class Kind { FileGone, NoFinding, Stale } kind = Kind::Stale;
  std::string approvals_path;  // the approvals file
  std::string file;            // as the approval names it
  std::string rule;
  std::string approved_sha256_short;
  std::string current_sha256_short;  // Stale
  std::string history;               // Stale: what git says, "" without git
};

// One line per problem, `PREFIX` before each ("miglint: warning: ", "  "), and how to fix it.
void write_approval_problems(std::ostream& out, std::string_view prefix,
                             const std::vector<ApprovalProblemView>& problems);

}  // namespace miglint
