#pragma once

// `miglint approve`: records reviewed findings of one migration in miglint.approvals.toml, bound to
// the file's SHA-256. Needs no database.
#include <iosfwd>
#include <string>
#include <vector>

#include "runner/runner.hpp"

namespace miglint::runner {

struct ApproveRequest {
  std::string file;
  std::vector<std::string> rules;  // --rule A --rule B, --rule A,B
  bool all_findings = false;       // every finding of the file that needs an approval
  std::string reason;
  std::string by;                // empty: git's user.name, else the login name
  RunSettingsResolved settings;  // the migrations directory and the config vetting reads
  // The file's `-- migrate:down` section (dbmate) as `miglint rollback` vets it, approved as a section
  // of its own (Approval::section); else the migration `run` applies.
  bool down = false;
};

// Approves the rules (or every finding that needs an approval) all at once, or none: a rule with
// no finding in the file as `run` vets it is refused (exit 1) naming the rule and the file, and
// nothing is written. Usage errors (no reason, an unknown rule id, neither --rule nor
// --all-findings) exit 2.
int approve(const ApproveRequest& request, std::ostream& out, std::ostream& err);

}  // namespace miglint::runner
