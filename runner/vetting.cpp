// Vetting before `run`: see state.hpp.
#include <fmt/format.h>

#include <map>
#include <memory>
#include <set>

#include "analyzer/linter.hpp"
#include "rules/registry.hpp"
#include "runner/state.hpp"

namespace miglint::runner {

namespace {

bool is_destructive(const Rule& rule) {
  return rule.has_tag("destructive");
}

class VettingSetup {
 public:
  VettingSetup(const RunSettingsResolved& settings, int server_major)
      : settings_(settings), server_major_(server_major) {}

  FileSetup operator()(const std::string& path) {
    ConfigSettings config =
        settings_.config != nullptr ? settings_for(*settings_.config, path) : ConfigSettings{};
    FileSetup setup;
    setup.options.pg_version = server_major_;
    // The lint plans each file's transactions exactly as the runner executes it (the same planner,
    // plan_transactions in ExecutionMode::Runner): statements the runner runs together in one
    // transaction are linted together.
    setup.options.execution = ExecutionMode::Runner;
    setup.fail_on = config.fail_on.value_or(Severity::Warning);
    std::set<std::string> select = config.select.value_or(std::set<std::string>{});
    std::set<std::string> ignore = config.ignore.value_or(std::set<std::string>{});
    // The runner sets lock_timeout and statement_timeout itself.
    ignore_timeout_rules(ignore);
    std::map<std::string, Severity> severities = rule_severities(config, ignore);
    // Destructive rules always run: their findings need an approval whatever the config says.
    for (const Rule& rule : all_rules()) {
      if (is_destructive(rule)) {
        ignore.erase(std::string(rule.id));
        if (!select.empty()) {
          select.insert(std::string(rule.id));
        }
      }
    }
    setup.rules = std::make_shared<const RuleSet>(all_rules(), select, ignore, severities);
    return setup;
  }

 private:
  const RunSettingsResolved& settings_;
  int server_major_;
};

}  // namespace

void vet(SetState& state, const RunSettingsResolved& settings, const std::vector<Approval>& approvals) {
  std::vector<LintInput> inputs;
  std::map<std::string, MigrationState*> by_path;
  for (MigrationState& migration : state.migrations) {
    bool runs = migration.status == MigrationState::Status::Pending ||
                migration.status == MigrationState::Status::Partial;
    // Applied migrations are read for the schema facts they teach (a table created earlier...).
    inputs.push_back(LintInput{migration.display_path, migration.file.path, migration.bytes, runs});
    by_path[migration.display_path] = &migration;
  }
  VettingSetup setup(settings, state.server_major);
  std::map<std::string, Severity> fail_on;
  const RuleSet catalog(all_rules(), {}, {});  // every rule, to look findings' rules up
  lint_inputs(inputs, 0, std::ref(setup), [&](FileResult&& result) {
    if (result.context_only) {
      return;
    }
    MigrationState& migration = *by_path.at(result.path);
    Severity threshold = result.fail_on;
    for (Finding& finding : result.findings) {
      if (migration.script && (finding.span.begin < migration.script->executed.begin ||
                               finding.span.begin >= migration.script->executed.end)) {
        continue;  // a dbmate down section: not run
      }
      const Rule* rule = catalog.find(finding.rule);
      bool destructive = rule != nullptr && is_destructive(*rule);
      if (finding.severity < threshold && !destructive) {
        continue;
      }
      if (finding.suppressed && !finding.suppression_reason.empty()) {
        continue;  // approved in the file, with a reason
      }
      if (is_approved(approvals, migration.file.relative_path, migration.sha256, finding.rule)) {
        continue;
      }
      std::string why = destructive ? "destructive: always needs an approval"
                                    : fmt::format("{} at or above fail_on", severity_name(finding.severity));
      if (finding.suppressed) {
        why += "; its ignore comment gives no reason, which silences the linter but approves nothing";
      }
      migration.unapproved.push_back(Unapproved{std::move(finding), std::move(why)});
    }
    for (const InputError& error : result.errors) {
      state.refusals.push_back(fmt::format("{}: {}", error.path, error.message));
    }
  });
  for (const MigrationState& migration : state.migrations) {
    if (!migration.unapproved.empty()) {
      state.refusals.push_back(fmt::format(
          "{}: {} finding{} need{} approval", migration.display_path, migration.unapproved.size(),
          migration.unapproved.size() == 1 ? "" : "s", migration.unapproved.size() == 1 ? "s" : ""));
    }
  }
}

}  // namespace miglint::runner
