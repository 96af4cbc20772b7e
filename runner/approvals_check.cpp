#include "runner/approvals_check.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <map>
#include <optional>
#include <ostream>
#include <set>
#include <sstream>

#include "analyzer/project/approvals.hpp"
#include "analyzer/project/git.hpp"
#include "analyzer/text/hash.hpp"
#include "analyzer/text/source_file.hpp"
#include "runner/vetted_findings.hpp"

namespace miglint {

namespace fs = std::filesystem;

namespace {

std::string short_sha(const std::string& sha256) {
  return sha256.substr(0, 12);
}

// How many commits of a file's history are searched for an approved checksum.
constexpr int kHistoryDepth = 200;

}  // namespace

std::string approval_history(const std::string& file, const std::string& approved_sha256) {
  std::error_code error;
  fs::path absolute = fs::absolute(file, error).lexically_normal();
  std::string directory = absolute.parent_path().string();
  std::string name = "./" + absolute.filename().string();
  Expected<std::string> log =
      run_git({"-C", directory, "log", fmt::format("-{}", kHistoryDepth), "--format=%h %cs", "--", name});
  if (!log || log->empty()) {
    return {};
  }
  // Newest first: the newest commit whose version of the file has the approved checksum, and the
  // commit after it (the one that changed it).
  std::vector<std::pair<std::string, std::string>> commits;  // (short hash, date)
  std::istringstream lines(*log);
  for (std::string line; std::getline(lines, line);) {
    std::size_t space = line.find(' ');
    if (space != std::string::npos) {
      commits.emplace_back(line.substr(0, space), line.substr(space + 1));
    }
  }
  for (std::size_t i = 0; i < commits.size(); ++i) {
    Expected<std::string> blob = run_git({"-C", directory, "show", commits[i].first + ":" + name});
    if (!blob || sha256_hex(*blob) != approved_sha256) {
      continue;
    }
    std::string as_of = fmt::format("approved at checksum {}, which is the file as of commit {} ({})",
                                    short_sha(approved_sha256), commits[i].first, commits[i].second);
    if (i == 0) {
      return as_of + "; changed since by edits not committed yet";
    }
    return as_of + fmt::format("; changed since by {} ({})", commits[i - 1].first, commits[i - 1].second);
  }
  return fmt::format("approved at checksum {}, which no commit of the last {} that changed the file has",
                     short_sha(approved_sha256), kHistoryDepth);
}

Expected<std::vector<ApprovalProblemView>> check_approvals(const std::string& directory,
                                                           const runner::RunSettingsResolved& settings,
                                                           ApprovalsCheckDepth depth) {
  std::string approvals_path = (fs::path(directory) / kApprovalsFileName).string();
  Expected<std::vector<Approval>> approvals = load_approvals(approvals_path);
  if (!approvals) {
    return approvals.error();
  }
  std::vector<ApprovalProblemView> problems;
  std::map<std::string, std::optional<std::set<std::string>>> rules_found;  // per file, when linted
  for (const Approval& approval : *approvals) {
    ApprovalProblemView problem;
    problem.approvals_path = approvals_path;
    problem.file = approval.file;
    problem.rule = approval.rule;
    problem.approved_sha256_short = short_sha(approval.sha256);
    std::string path = (fs::path(directory) / approval.file).string();
    std::error_code error;
    if (!fs::is_regular_file(path, error)) {
      problem.kind = ApprovalProblemView::Kind::FileGone;
      problems.push_back(std::move(problem));
      continue;
    }
    Expected<std::string> bytes = read_file_bytes(path);
    if (!bytes) {
      return Error{fmt::format("{}: {}", path, bytes.error().message)};
    }
    std::string sha256 = sha256_hex(*bytes);
    if (sha256 != approval.sha256) {
      problem.kind = ApprovalProblemView::Kind::Stale;
      problem.current_sha256_short = short_sha(sha256);
      if (depth.git) {
        problem.history = approval_history(path, approval.sha256);
      }
      problems.push_back(std::move(problem));
      continue;
    }
    if (!depth.findings) {
      continue;
    }
    auto [entry, added] = rules_found.try_emplace(path);
    if (added) {
      runner::RunSettingsResolved for_file = settings;
      for_file.directory = directory;
      if (Expected<FileResult> vetted = vetted_findings(path, *bytes, for_file)) {
        entry->second.emplace();
        for (const Finding& finding : vetted->findings) {
          entry->second->insert(finding.rule);
        }
      }
    }
    if (entry->second && !entry->second->contains(approval.rule)) {
      problem.kind = ApprovalProblemView::Kind::NoFinding;
      problems.push_back(std::move(problem));
    }
  }
  return problems;
}

void note_approval_problems(const std::string& directory, const runner::RunSettingsResolved& settings,
                            std::ostream& err) {
  Expected<std::vector<ApprovalProblemView>> problems =
      check_approvals(directory, settings, ApprovalsCheckDepth{false, false});
  if (problems) {
    write_approval_problems(err, "miglint: note: ", *problems);
  }
}

}  // namespace miglint
