#pragma once

// The one settings resolver: command-line flags, miglint.toml (its top level and the [[overrides]]
// matching a path, its [run] table), the environment and the defaults become the settings of every
// command: `lint`, `locks`, `run`, `status`, `plan` and `approve` (and the runner's vetting). Flags
// win over the environment, the environment over the file, the file over the defaults.
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>

#include "analyzer/engine/linter.hpp"
#include "analyzer/model/finding.hpp"
#include "analyzer/project/config.hpp"
#include "analyzer/text/expected.hpp"
#include "settings/run_settings.hpp"

namespace miglint {

// Rule and target flags of `lint` and `locks`: only the ones given are set.
struct LintFlagValues {
  std::optional<int> pg_version;
  bool assume_in_transaction = false;  // the flag can only switch wrapping on
  std::optional<Severity> fail_on;
  std::optional<std::set<std::string>> select;
  std::optional<std::set<std::string>> ignore;
};

// The settings in force for one file.
struct FileSettings {
  int pg_version = 15;
  bool assume_in_transaction = false;
  Severity fail_on = Severity::Warning;
  std::set<std::string> select;  // empty: every rule
  std::set<std::string> ignore;  // rules set to "off" in [rules.<id>] included
  std::map<std::string, Severity> severities;
  bool timeouts_set_by_runner = false;
};

class SettingsResolver {
 public:
  // `config` (may be null) must outlive the resolver.
  explicit SettingsResolver(const Config* config, LintFlagValues flags = {},
                            FrontEndSettingsByName front_ends = {});

  const Config* config() const { return config_; }

  // The flags, else the config's settings for `path` (overrides applied), else the defaults.
  FileSettings file_settings(const std::string& path) const;

  // How `lint` and `locks` read `path`: its options, rules and fail_on (timeouts_set_by_runner
  // switches the rules tagged `timeout` off).
  FileSetup lint_setup(const std::string& path);

  // Files larger than this are not read: [lint] max_file_size, else the default.
  uint64_t max_file_size() const;

  // A rule set for this selection, shared by every file that has the same one.
  std::shared_ptr<const RuleSet> rule_set(const std::set<std::string>& select,
                                          const std::set<std::string>& ignore,
                                          const std::map<std::string, Severity>& severities);

 private:
  const Config* config_;
  LintFlagValues flags_;
  FrontEndSettingsByName front_ends_;
  std::mutex mutex_;
  std::map<std::string, std::shared_ptr<const RuleSet>> rule_sets_;
};

// Front ends' settings: each front end's miglint.toml table (none: its defaults), with the
// command-line flags applied.
FrontEndSettingsByName front_end_settings(const Config* config, const FrontEndFlags& flags = {});

// Adds to `ignore` the rules that ask for lock_timeout and statement_timeout (tagged `timeout`), for
// migrations whose runner sets them (`timeouts_set_by_runner`, and miglint's own runner).
void ignore_timeout_rules(std::set<std::string>& ignore);

// `run`, `status`, `plan` and `approve`: each flag, else (for the database) MIGLINT_DATABASE_URL,
// else the config's [run] table, else the defaults. A flag that is not a duration is an error.
Expected<runner::RunSettingsResolved> resolve_run_settings(const RunFlags& flags, const Config* config);

}  // namespace miglint
