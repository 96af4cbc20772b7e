#include "settings/settings.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cstdlib>
#include <filesystem>
#include <ranges>

#include "analyzer/text/duration.hpp"
#include "rules/registry.hpp"
#include "settings/run_table.hpp"

namespace miglint {

SettingsResolver::SettingsResolver(const Config* config, LintFlagValues flags,
                                   FrontEndSettingsByName front_ends)
    : config_(config), flags_(std::move(flags)), front_ends_(std::move(front_ends)) {}

FrontEndSettingsByName front_end_settings(const Config* config, const FrontEndFlags& flags) {
  FrontEndSettingsByName settings;
  for (const FrontEnd* front_end : registered_front_ends().others()) {
    std::string name(front_end->name());
    const std::shared_ptr<const FrontEndSettings>* configured =
        config != nullptr ? config->table<std::shared_ptr<const FrontEndSettings>>(name) : nullptr;
    std::shared_ptr<const FrontEndSettings> in_force = configured != nullptr ? *configured : nullptr;
    if (std::shared_ptr<const FrontEndSettings> adjusted = front_end->with_flags(in_force.get(), flags)) {
      in_force = std::move(adjusted);
    }
    if (in_force) {
      settings.emplace(std::move(name), std::move(in_force));
    }
  }
  return settings;
}

void ignore_timeout_rules(std::set<std::string>& ignore) {
  for (const Rule& rule : all_rules()) {
    if (rule.has_tag("timeout")) {
      ignore.emplace(rule.id);
    }
  }
}

FileSettings SettingsResolver::file_settings(const std::string& path) const {
  ConfigSettings configured = config_ != nullptr ? settings_for(*config_, path) : ConfigSettings{};
  FileSettings settings;
  settings.pg_version = flags_.pg_version.value_or(configured.pg_version.value_or(15));
  settings.assume_in_transaction =
      flags_.assume_in_transaction || configured.assume_in_transaction.value_or(false);
  settings.fail_on = flags_.fail_on.value_or(configured.fail_on.value_or(Severity::Warning));
  settings.select = flags_.select.value_or(configured.select.value_or(std::set<std::string>{}));
  settings.ignore = flags_.ignore.value_or(configured.ignore.value_or(std::set<std::string>{}));
  settings.severities = rule_severities(configured, settings.ignore);
  settings.timeouts_set_by_runner = configured.timeouts_set_by_runner.value_or(false);
  return settings;
}

std::shared_ptr<const RuleSet> SettingsResolver::rule_set(const std::set<std::string>& select,
                                                          const std::set<std::string>& ignore,
                                                          const std::map<std::string, Severity>& severities) {
  std::string key =
      fmt::format("{}|{}|{}", fmt::join(select, ","), fmt::join(ignore, ","),
                  fmt::join(severities | std::views::transform([](const auto& entry) {
                              return entry.first + "=" + std::string(severity_name(entry.second));
                            }),
                            ","));
  std::lock_guard lock(mutex_);
  std::shared_ptr<const RuleSet>& rules = rule_sets_[key];
  if (!rules) {
    rules = std::make_shared<const RuleSet>(all_rules(), select, ignore, severities);
  }
  return rules;
}

FileSetup SettingsResolver::lint_setup(const std::string& path) {
  FileSettings settings = file_settings(path);
  if (settings.timeouts_set_by_runner) {
    ignore_timeout_rules(settings.ignore);
  }
  FileSetup setup;
  setup.options.pg_version = settings.pg_version;
  setup.options.assume_in_transaction = settings.assume_in_transaction;
  setup.options.front_ends = front_ends_;
  setup.fail_on = settings.fail_on;
  setup.rules = rule_set(settings.select, settings.ignore, settings.severities);
  setup.options.max_file_size = max_file_size();
  return setup;
}

uint64_t SettingsResolver::max_file_size() const {
  return config_ != nullptr && config_->lint.max_file_size ? *config_->lint.max_file_size
                                                           : kDefaultMaxFileSize;
}

Expected<runner::RunSettingsResolved> resolve_run_settings(const RunFlags& flags, const Config* config) {
  const RunSettings run = config != nullptr ? run_settings_of(*config) : RunSettings{};
  runner::RunSettingsResolved settings;
  settings.config = config;
  if (!flags.directory.empty()) {
    settings.directory = flags.directory;
  } else if (run.migrations) {
    settings.directory =
        (std::filesystem::path(config->directory) / *run.migrations).lexically_normal().string();
    std::error_code error;
    std::string relative = std::filesystem::relative(settings.directory, error).string();
    if (!error && !relative.empty()) {
      settings.directory = relative;
    }
  }
  const char* from_environment = std::getenv("MIGLINT_DATABASE_URL");
  settings.database_url = !flags.database_url.empty() ? flags.database_url
                          : from_environment != nullptr && *from_environment != '\0'
                              ? from_environment
                              : run.database_url.value_or("");
  // Named in messages about the URL (never the URL itself: it may hold a password).
  settings.database_url_source =
      !flags.database_url.empty() ? "--db"
      : from_environment != nullptr && *from_environment != '\0'
          ? "MIGLINT_DATABASE_URL"
          : fmt::format("[run] database_url in {}", config != nullptr ? config->path : "miglint.toml");
  std::optional<Error> problem;
  auto duration = [&](const std::string& flag, const std::string& text,
                      std::optional<std::chrono::milliseconds> from_config, std::chrono::milliseconds& into) {
    if (problem) {
      return;
    }
    if (text.empty()) {
      into = from_config.value_or(into);
      return;
    }
    std::optional<std::chrono::milliseconds> parsed = parse_duration(text);
    if (!parsed) {
      problem = Error{fmt::format("{} `{}` is not a duration (like 2s, 500ms, 1min, none)", flag, text)};
      return;
    }
    into = *parsed;
  };
  duration("--lock-timeout", flags.lock_timeout, run.lock_timeout, settings.lock_timeout);
  duration("--statement-timeout", flags.statement_timeout, run.statement_timeout, settings.statement_timeout);
  duration("--concurrent-statement-timeout", flags.concurrent_statement_timeout,
           run.concurrent_statement_timeout, settings.concurrent_statement_timeout);
  duration("--concurrent-lock-timeout", flags.concurrent_lock_timeout, run.concurrent_lock_timeout,
           settings.concurrent_lock_timeout);
  duration("--lock-wait", flags.lock_wait, run.lock_wait, settings.lock_wait);
  if (problem) {
    return *problem;
  }
  settings.retries = flags.retries.value_or(run.retries.value_or(settings.retries));
  settings.schema = !flags.schema.empty() ? flags.schema : run.schema.value_or(settings.schema);
  if (!flags.target.empty()) {
    settings.target = flags.target;
  }
  settings.format = flags.format == "json" ? runner::RunnerFormat::Json : runner::RunnerFormat::Text;
  settings.exit_code = flags.exit_code;
  return settings;
}

}  // namespace miglint
