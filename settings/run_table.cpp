#include "settings/run_table.hpp"

#include <fmt/format.h>

#include "analyzer/text/duration.hpp"

namespace miglint {

namespace {

void read_run_table(const ConfigTableReader& reader, const toml::node& value, RunSettings& run) {
  const toml::table* table = value.as_table();
  if (table == nullptr) {
    reader.fail(value, "`run` must be a table ([run])");
  }
  run.present = true;
  for (const auto& [key, setting] : *table) {
    std::string name(key.str());
    auto text = [&]() {
      if (!setting.is_string()) {
        reader.fail(setting, fmt::format("`run.{}` must be a string", name));
      }
      return *setting.value<std::string>();
    };
    auto duration = [&]() {
      std::string written = text();
      std::optional<std::chrono::milliseconds> parsed = parse_duration(written);
      if (!parsed) {
        reader.fail(setting,
                    fmt::format("`run.{}`: `{}` is not a duration (like \"2s\", \"500ms\", \"none\")", name,
                                written));
      }
      return *parsed;
    };
    if (name == "migrations") {
      run.migrations = text();
    } else if (name == "database_url") {
      run.database_url = text();
    } else if (name == "schema") {
      run.schema = text();
    } else if (name == "lock_timeout") {
      run.lock_timeout = duration();
    } else if (name == "statement_timeout") {
      run.statement_timeout = duration();
    } else if (name == "concurrent_statement_timeout") {
      run.concurrent_statement_timeout = duration();
    } else if (name == "concurrent_lock_timeout") {
      run.concurrent_lock_timeout = duration();
    } else if (name == "lock_wait") {
      run.lock_wait = duration();
    } else if (name == "retries") {
      auto retries = setting.value<int64_t>();
      if (!setting.is_integer() || !retries || *retries < 0 || *retries > 100) {
        reader.fail(setting, "`run.retries` must be an integer from 0 to 100");
      }
      run.retries = static_cast<int>(*retries);
    } else {
      reader.fail_key(key, fmt::format("unknown key `run.{}` (known: migrations, database_url, schema, "
                                       "lock_timeout, statement_timeout, concurrent_statement_timeout, "
                                       "concurrent_lock_timeout, lock_wait, retries)",
                                       name));
    }
  }
}

}  // namespace

ConfigTable run_config_table() {
  return ConfigTable{"run", [](const ConfigTableReader& reader, const toml::node& value) {
                       RunSettings run;
                       read_run_table(reader, value, run);
                       return std::any(std::move(run));
                     }};
}

const RunSettings& run_settings_of(const Config& config) {
  static const RunSettings kNone;
  const RunSettings* run = config.table<RunSettings>("run");
  return run != nullptr ? *run : kNone;
}

}  // namespace miglint
