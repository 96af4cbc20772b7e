// Vetting before `run`: see state.hpp. The setup and the judgement are runner/verdict's, which
// `miglint lint` uses too.
#include <fmt/format.h>

#include <map>
#include <memory>

#include "analyzer/engine/linter.hpp"
#include "analyzer/project/approvals.hpp"
#include "analyzer/text/message_text.hpp"
#include "runner/state.hpp"
#include "runner/verdict.hpp"
#include "settings/settings.hpp"

namespace miglint::runner {

namespace {

// "approvals exist for an earlier version of this file (checksum …): re-approve with `miglint
// approve`" when miglint.approvals.toml approves this file for other contents; else "".
std::string earlier_approvals_note(const MigrationState& migration, const RunSettingsResolved& settings) {
  ApprovalsCache approvals(settings.directory);
  Expected<FileApprovals> found = approvals.for_file(migration.file.path);
  if (!found) {
    return {};
  }
  for (const Approval& approval : *found->list) {
    if (approval.file == found->relative_path && approval.sha256 != migration.sha256) {
      return fmt::format(
          "approvals exist for an earlier version of this file (checksum {}): re-approve with `miglint "
          "approve`",
          short_hash(approval.sha256));
    }
  }
  return {};
}

}  // namespace

void vet(SetState& state, const RunSettingsResolved& settings) {
  std::vector<LintInput> inputs;
  std::map<std::string, MigrationState*> by_path;
  std::size_t last_to_run = 0;
  for (std::size_t i = 0; i < state.migrations.size(); ++i) {
    MigrationState& migration = state.migrations[i];
    if ((migration.status == MigrationState::Status::Pending ||
         migration.status == MigrationState::Status::Partial) &&
        migration.in_scope) {
      last_to_run = i + 1;  // beyond --target nothing runs, so nothing is vetted
    }
  }
  // Only migrations up to the last one that runs are read: later applied ones teach nothing that is
  // needed, and with nothing to run nothing is read at all.
  for (std::size_t i = 0; i < last_to_run; ++i) {
    MigrationState& migration = state.migrations[i];
    bool runs = (migration.status == MigrationState::Status::Pending ||
                 migration.status == MigrationState::Status::Partial) &&
                migration.in_scope;
    // Applied migrations are read for the schema facts they teach (a table created earlier...).
    inputs.push_back(
        LintInput{migration.display_path, migration.file.path, std::nullopt, runs, migration.bytes});
    by_path[migration.display_path] = &migration;
  }
  if (inputs.empty()) {
    return;
  }
  SettingsResolver resolver(settings.config);
  auto approvals = std::make_shared<ApprovalsCache>(settings.directory);
  RunnerTimeouts timeouts = runner_timeouts(settings);
  KnownExecution planned = [&](const std::string& path) -> std::optional<RunExecution> {
    const MigrationState& migration = *by_path.at(path);
    return migration.script ? std::optional(run_execution(*migration.script)) : std::nullopt;
  };
  lint_inputs(
      inputs, 0,
      [&](const std::string& path) {
        return vetting_setup(resolver.file_settings(path), state.server_major, timeouts, approvals, resolver,
                             planned);
      },
      [&](FileResult&& result) {
        if (result.context_only) {
          return;
        }
        MigrationState& migration = *by_path.at(result.path);
        for (Finding& finding : result.findings) {
          if (finding.needs_approval) {
            std::string why = finding.vetting_note;
            migration.unapproved.push_back(Unapproved{std::move(finding), std::move(why)});
          }
        }
        for (const InputError& error : result.errors) {
          state.refuse_file(migration.order, migration.file.version, migration.display_path,
                            fmt::format("{}: {}", error.path, escape_for_message(error.message)));
        }
      });
  for (const MigrationState& migration : state.migrations) {
    if (!migration.unapproved.empty()) {
      state.refuse_file(migration.order, migration.file.version, migration.display_path,
                        fmt::format("{}: {} finding{} need{} approval", migration.display_path,
                                    migration.unapproved.size(), migration.unapproved.size() == 1 ? "" : "s",
                                    migration.unapproved.size() == 1 ? "s" : ""));
      // A line of its own: scripts read the line above as it has always been written.
      if (std::string earlier = earlier_approvals_note(migration, settings); !earlier.empty()) {
        state.refusals.push_back(fmt::format("{}: {}", migration.display_path, earlier));
      }
    }
  }
}

}  // namespace miglint::runner
