#pragma once

// The settings of `run`, `status`, `plan` and the other runner commands: the flags given on the
// command line (RunFlags) and the settings in force once they are resolved against miglint.toml's
// [run] table, the environment and the defaults (RunSettingsResolved, by resolve_run_settings in
// settings/settings.hpp). Plain data, below both the command line (cli/) and the runner (runner/).
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "analyzer/project/config.hpp"
#include "analyzer/text/source_file.hpp"

namespace miglint {

// Flags of `run`, `status` and `plan`; unset ones come from the config's [run] table.
struct RunFlags {
  std::string config;
  std::string directory;
  std::string database_url;
  std::string lock_timeout;
  std::string statement_timeout;
  std::string concurrent_statement_timeout;
  std::string concurrent_lock_timeout;
  std::string lock_wait;
  std::optional<int> retries;
  std::string schema;
  std::string target;      // run, plan
  std::string format;      // run, status, plan: text (default) or json
  bool exit_code = false;  // status
};

}  // namespace miglint

namespace miglint::runner {

// How `run`, `status` and `plan` write their result: text for people, or one JSON document
// (docs/runner.md, "Machine-readable output").
enum class RunnerFormat { Text, Json };

// Settings of `run`, `status` and `plan`: flags, else the config's [run] table, else defaults.
struct RunSettingsResolved {
  std::string directory = "migrations";
  std::string database_url;
  std::string database_url_source = "--db";  // where database_url came from, for messages
  std::chrono::milliseconds lock_timeout{2000};
  // Statements other than CONCURRENTLY ones: a statement that holds a lock blocking writes (or
  // reads) for longer than a minute is an outage; it is cancelled and its transaction rolled back
  // instead. 0: none.
  std::chrono::milliseconds statement_timeout{60000};
  std::chrono::milliseconds concurrent_statement_timeout{0};
  std::chrono::milliseconds concurrent_lock_timeout{0};  // 0: wait (see docs/runner.md)
  std::chrono::milliseconds lock_wait{60000};
  int retries = 5;
  std::string schema = "public";
  const Config* config = nullptr;  // for vetting: rules, severities, fail_on per file
  // `run --target V`, `plan --target V`: only the pending migrations up to and including V run,
  // and only they are vetted.
  std::optional<std::string> target;
  RunnerFormat format = RunnerFormat::Text;
  bool exit_code = false;  // `status --exit-code`: exit 3 when migrations are pending
};

// Migrations larger than this are refused unread, as `lint` refuses them ([lint] max_file_size).
inline uint64_t max_file_size(const RunSettingsResolved& settings) {
  return settings.config != nullptr && settings.config->lint.max_file_size
             ? *settings.config->lint.max_file_size
             : kDefaultMaxFileSize;
}

}  // namespace miglint::runner
