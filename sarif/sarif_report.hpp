#pragma once

#include <filesystem>
#include <memory>
#include <ostream>
#include <string>

#include "analyzer/engine/linter.hpp"
#include "analyzer/report/reporter.hpp"

namespace miglint {

struct SarifOptions {
  // Result URIs are relative to this directory (`%SRCROOT%`); it must be absolute.
  std::filesystem::path repo_root;
  // Also write findings silenced by ignore comments (kind "inSource") or approved in
  // miglint.approvals.toml (kind "external"), with a `suppressions` entry.
  bool include_suppressed = false;
};

// Writes one SARIF 2.1.0 run when the run finishes (SARIF is one JSON document): a rule descriptor
// for every enabled rule, with its doc page as help, and a result per finding.
std::unique_ptr<Reporter> make_sarif_reporter(std::ostream& out, const RuleSet& rules, SarifOptions options);

// The repository root for `%SRCROOT%`: `git rev-parse --show-toplevel` run in the current directory,
// or the current directory outside a git work tree.
std::filesystem::path find_repository_root();

// `path` (absolute, or relative to the current directory) as a URI reference relative to `root`,
// percent-encoded: "db/migrations/001%20init.sql". Paths outside `root` start with "../".
std::string relative_uri(const std::string& path, const std::filesystem::path& root);
// `directory` as an absolute `file://` URI ending in "/".
std::string directory_file_uri(const std::filesystem::path& directory);

}  // namespace miglint
