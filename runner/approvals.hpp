#pragma once

#include <string>
#include <vector>

#include "analyzer/expected.hpp"

namespace miglint::runner {

// One reviewed finding: `rule` may fire in `file` (relative to the migrations directory) as long as
// the file's bytes hash to `sha256`. Editing the file voids the approval.
struct Approval {
  std::string file;
  std::string sha256;
  std::string rule;
  std::string reason;
  std::string by;
  std::string date;  // YYYY-MM-DD
};

inline constexpr const char* kApprovalsFileName = "miglint.approvals.toml";

// Reads `miglint.approvals.toml` ([[approval]] tables). A missing file is no approvals; a malformed
// one is an error naming the file, line and column.
Expected<std::vector<Approval>> load_approvals(const std::string& path);

// Writes the approvals (sorted by file, then rule), replacing the file atomically (a temporary
// file renamed over it, so an interrupted write never leaves half a file).
Expected<bool> save_approvals(const std::string& path, const std::vector<Approval>& approvals);

// Adds `approval`, replacing an earlier one for the same file and rule.
void add_approval(std::vector<Approval>& approvals, Approval approval);

// Whether `rule` is approved in `file` with these contents.
bool is_approved(const std::vector<Approval>& approvals, const std::string& file, const std::string& sha256,
                 const std::string& rule);

// A TOML basic string with its quotes: "a \"b\"\n".
std::string toml_string(const std::string& text);

}  // namespace miglint::runner
