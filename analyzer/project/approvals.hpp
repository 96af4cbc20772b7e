#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "analyzer/text/expected.hpp"

// The approvals model: reviewed findings of `miglint.approvals.toml`, bound to a file's contents.
// `miglint run` needs them before it applies a finding; `miglint lint` reports an approved finding
// as suppressed. Kept free of libpq so that linting can read them.
namespace miglint {

// One reviewed finding: `rule` may fire in `file` (relative to the migrations directory) as long as
// the file's bytes hash to `sha256`. Editing the file voids the approval.
struct Approval {
  std::string file;
  std::string sha256;
  std::string rule;
  std::string reason;
  std::string by;
  std::string date;  // YYYY-MM-DD
  // The part of the file it approves: "" the migration `run` applies, kDownSection a dbmate file's
  // `-- migrate:down` section (`miglint rollback` runs it; `miglint approve --down` approves it), so
  // that approving the way back's DROP TABLE approves no DROP TABLE of the way up.
  std::string section;
};

inline constexpr const char* kDownSection = "down";

inline constexpr const char* kApprovalsFileName = "miglint.approvals.toml";

// Reads `miglint.approvals.toml` ([[approval]] tables). A missing file is no approvals; a malformed
// one is an error naming the file, line and column.
Expected<std::vector<Approval>> load_approvals(const std::string& path);

// Writes the approvals (sorted by file, then rule), replacing the file atomically (a temporary
// file renamed over it, so an interrupted write never leaves half a file).
Expected<bool> save_approvals(const std::string& path, const std::vector<Approval>& approvals);

// Adds `approval`, replacing an earlier one for the same file, rule and section.
void add_approval(std::vector<Approval>& approvals, Approval approval);

// Whether `rule` is approved in `file` (its `section`) with these contents.
bool is_approved(const std::vector<Approval>& approvals, const std::string& file, const std::string& sha256,
                 const std::string& rule, const std::string& section = "");

// The approval of `rule` in `file` (its `section`) with these contents, or null.
const Approval* find_approval(const std::vector<Approval>& approvals, const std::string& file,
                              const std::string& sha256, const std::string& rule,
                              const std::string& section = "");

// An approval of `rule` in `file` (its `section`) given for other contents (the file was edited
// since), or null. It approves nothing; messages mention it so that the reviewer knows what to look
// at again.
const Approval* find_stale_approval(const std::vector<Approval>& approvals, const std::string& file,
                                    const std::string& sha256, const std::string& rule,
                                    const std::string& section = "");

// The migrations directory whose approvals file covers `file` (the rule `miglint approve` and
// `miglint run` share): `run_directory` (the configured migrations directory) when the file is
// inside it, else the file's own directory, or for diesel's `<version>/up.sql` the one above. An
// Alembic revision file's is its project's root (where alembic.ini is).
std::string approvals_directory_for(const std::string& file, const std::optional<std::string>& run_directory);

// The approvals of one file, as `lint` and vetting look them up: the file's path relative to its
// migrations directory and the approvals of that directory.
struct FileApprovals {
  std::string relative_path;                          // '/'-separated, as approvals name files
  std::shared_ptr<const std::vector<Approval>> list;  // never null
};

// Reads each directory's approvals file once, for files linted in parallel.
class ApprovalsCache {
 public:
  explicit ApprovalsCache(std::optional<std::string> run_directory = std::nullopt)
      : run_directory_(std::move(run_directory)) {}

  // The approvals covering `file`. A malformed approvals file is an error, returned for the first
  // file of its directory only (the error names the approvals file; the others get no approvals).
  Expected<FileApprovals> for_file(const std::string& file);

  // The migrations directories read so far whose approvals file holds approvals.
  std::vector<std::string> directories_with_approvals();

 private:
  std::optional<std::string> run_directory_;
  std::mutex mutex_;
  std::unordered_map<std::string, std::shared_ptr<const std::vector<Approval>>> loaded_;
};

// A TOML basic string with its quotes: "a \"b\"\n".
std::string toml_string(const std::string& text);

}  // namespace miglint
