#pragma once

#include <chrono>
#include <iosfwd>
#include <optional>
#include <string>

#include "analyzer/project/config.hpp"
#include "analyzer/text/source_file.hpp"

namespace miglint::runner {

inline constexpr int kExitDone = 0;
inline constexpr int kExitRefused = 1;  // unvetted, drift, tampered or missing files, a failed migration
inline constexpr int kExitError = 2;    // usage errors, the database unreachable or lost
inline constexpr int kExitPending = 3;  // `status --exit-code`: migrations are waiting to be applied

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

// `miglint run`: vets, then applies pending migrations one statement at a time (see runner/README.md).
int run_migrations(const RunSettingsResolved& settings, std::ostream& out, std::ostream& err);
// `miglint status`: applied, pending and partial migrations, drift, approvals missing. No writes.
int show_status(const RunSettingsResolved& settings, std::ostream& out, std::ostream& err);
// `miglint plan`: what `run` would do: segments, statements, their locks, approvals missing. No writes.
int show_plan(const RunSettingsResolved& settings, std::ostream& out, std::ostream& err);

// `miglint approve`: runner/approve.hpp.

}  // namespace miglint::runner
