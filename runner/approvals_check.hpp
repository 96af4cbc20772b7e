#pragma once

// `miglint approvals --check`: approvals of miglint.approvals.toml that approve nothing today —
// the file is gone, the rule has no finding there any more (as `miglint run` vets it), or the
// approval is stale (bound to an older checksum of the file), with the file's history from git.
// `lint` and `plan` run the cheap part (gone, stale) and print it as notes. Free of libpq.
#include <iosfwd>
#include <string>
#include <vector>

#include "analyzer/report/approvals_report.hpp"
#include "analyzer/text/expected.hpp"
#include "runner/runner.hpp"

namespace miglint {

struct ApprovalsCheckDepth {
  bool findings = true;  // lint each approved file to find approvals whose rule fires no more
  bool git = true;       // tell where a stale approval's checksum is in the file's git history
};

// The problems of the approvals file of migrations directory `directory` (none without one). A
// malformed approvals file is an error.
Expected<std::vector<ApprovalProblemView>> check_approvals(const std::string& directory,
                                                           const runner::RunSettingsResolved& settings,
                                                           ApprovalsCheckDepth depth);

// Where `approved_sha256` is in the git history of `file`: "approved at checksum abc123, which is
// the file as of commit 1a2b3c4 (2026-11-02); changed since by 4d5e6f7 (2026-11-05)". Empty when
// git cannot tell (not a repository, git missing).
std::string approval_history(const std::string& file, const std::string& approved_sha256);

// `plan` (and `run`): the stale approvals and approvals of gone files of `directory`, as notes on
// `err` ("miglint: note: ..."); nothing when there are none or no approvals file.
void note_approval_problems(const std::string& directory, const runner::RunSettingsResolved& settings,
                            std::ostream& err);

}  // namespace miglint
