#include "runner/vetted_findings.hpp"

#include <filesystem>
#include <memory>

#include "analyzer/project/approvals.hpp"
#include "analyzer/project/migration_layout.hpp"
#include "runner/verdict.hpp"
#include "settings/settings.hpp"

namespace miglint {

namespace fs = std::filesystem;

Expected<FileResult> vetted_findings(const std::string& file, const std::string& bytes,
                                     const runner::RunSettingsResolved& settings) {
  std::error_code error;
  fs::path absolute = fs::absolute(file, error).lexically_normal();
  std::vector<LintInput> inputs;
  // The migrations before this one teach the schema facts vetting knows (a table created earlier).
  // A directory `run` could not read (a duplicate version...) teaches nothing here: `run` refuses it.
  std::string directory = approvals_directory_for(file, settings.directory);
  if (Expected<MigrationDirectory> migrations = discover_migrations(directory)) {
    for (const MigrationFile& migration : migrations->migrations) {
      if (fs::absolute(migration.path, error).lexically_normal() == absolute) {
        break;
      }
      inputs.push_back(LintInput{migration.path, migration.path, std::nullopt, false});
    }
  }
  inputs.push_back(LintInput{file, file, bytes, true});
  SettingsResolver resolver(settings.config);
  auto approvals = std::make_shared<ApprovalsCache>(settings.directory);
  RunnerTimeouts timeouts = runner_timeouts(settings);
  std::optional<FileResult> linted;
  lint_inputs(
      inputs, 1,
      [&](const std::string& path) {
        FileSettings file_settings = resolver.file_settings(path);
        return vetting_setup(file_settings, file_settings.pg_version, timeouts, approvals, resolver);
      },
      [&](FileResult&& result) {
        if (!result.context_only) {
          linted = std::move(result);
        }
      });
  if (!linted) {
    return Error{file + ": could not be linted"};
  }
  if (!linted->errors.empty()) {
    return Error{linted->errors.front().message};
  }
  return std::move(*linted);
}

}  // namespace miglint
