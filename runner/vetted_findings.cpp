#include "runner/vetted_findings.hpp"

#include <filesystem>
#include <memory>

#include "analyzer/project/alembic_layout.hpp"
#include "analyzer/project/approvals.hpp"
#include "analyzer/project/migration_layout.hpp"
#include "analyzer/text/source_file.hpp"
#include "runner/alembic_execution.hpp"
#include "runner/verdict.hpp"
#include "settings/settings.hpp"

namespace miglint {

namespace fs = std::filesystem;

Expected<FileResult> vetted_findings(const std::string& file, const std::string& bytes,
                                     const runner::RunSettingsResolved& settings,
                                     std::optional<RunExecution> execution) {
  std::error_code error;
  fs::path absolute = fs::absolute(file, error).lexically_normal();
  std::vector<LintInput> inputs;
  KnownExecution known;
  bool alembic_revision = false;
  if (std::optional<AlembicProject> project = alembic_project_of(absolute.string())) {
    // An Alembic revision is vetted as `run` vets it: the revisions before it in the graph linted
    // too (the front end learns their schema facts), Alembic running the whole file.
    alembic_revision = true;
    if (Expected<std::vector<AlembicRevisionFile>> revisions = alembic_revisions(*project)) {
      for (const AlembicRevisionFile& revision : *revisions) {
        if (fs::absolute(revision.header.path, error).lexically_normal() == absolute) {
          break;
        }
        inputs.push_back(LintInput{revision.header.path, revision.header.path, std::nullopt, true});
      }
    }
    known = [&](const std::string& path) -> std::optional<RunExecution> {
      if (path == file) {
        return alembic_run_execution(file, bytes);
      }
      Expected<std::string> earlier = read_file_bytes(path);
      return earlier ? std::optional(alembic_run_execution(path, *earlier)) : std::nullopt;
    };
  }
  // The migrations before this one teach the schema facts vetting knows (a table created earlier).
  // A directory `run` could not read (a duplicate version...) teaches nothing here: `run` refuses it.
  std::string directory = approvals_directory_for(file, settings.directory);
  Expected<MigrationDirectory> migrations = alembic_revision
                                                ? Expected<MigrationDirectory>(Error{"an Alembic project"})
                                                : discover_migrations(directory);
  if (migrations) {
    for (const MigrationFile& migration : migrations->migrations) {
      if (fs::absolute(migration.path, error).lexically_normal() == absolute) {
        break;
      }
      inputs.push_back(LintInput{migration.path, migration.path, std::nullopt, false});
    }
  }
  inputs.push_back(LintInput{file, file, bytes, true});
  if (execution) {
    known = [&, planned = known](const std::string& path) -> std::optional<RunExecution> {
      if (path == file) {
        return execution;
      }
      return planned ? planned(path) : std::nullopt;
    };
  }
  SettingsResolver resolver(settings.config);
  auto approvals = std::make_shared<ApprovalsCache>(settings.directory);
  RunnerTimeouts timeouts = runner_timeouts(settings);
  std::optional<FileResult> linted;
  lint_inputs(
      inputs, 1,
      [&](const std::string& path) {
        FileSettings file_settings = resolver.file_settings(path);
        FileSetup setup =
            vetting_setup(file_settings, file_settings.pg_version, timeouts, approvals, resolver, known);
        if (alembic_revision) {
          setup.options.front_ends = resolver.lint_setup(path).options.front_ends;  // [alembic]
        }
        return setup;
      },
      [&](FileResult&& result) {
        if (!result.context_only && result.path == file) {
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
