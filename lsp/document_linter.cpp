#include "lsp/document_linter.hpp"

#include <fmt/format.h>

#include <chrono>

#include "analyzer/engine/down_migrations.hpp"
#include "analyzer/frontend/embedded_sql.hpp"
#include "analyzer/frontend/front_end.hpp"
#include "analyzer/project/discover.hpp"
#include "analyzer/project/migration_layout.hpp"
#include "cli/config_loading.hpp"
#include "fixes/file_fixes.hpp"
#include "rules/registry.hpp"
#include "settings/run_table.hpp"

namespace miglint::lsp {

namespace fs = std::filesystem;

namespace {

// An interval as the runner's settings print it ("2s", "1min", "500ms"); empty for none.
std::string interval_text(std::chrono::milliseconds value) {
  long long ms = value.count();
  if (ms == 0) {
    return {};
  }
  return ms % 60000 == 0  ? fmt::format("{}min", ms / 60000)
         : ms % 1000 == 0 ? fmt::format("{}s", ms / 1000)
                          : fmt::format("{}ms", ms);
}

// The values fixes write: the [run] table's timeouts, else the runner's defaults (as `lint --fix`).
FixSettings fix_settings_of(const Config* config) {
  runner::RunSettingsResolved settings;
  if (config != nullptr && run_settings_of(*config).present) {
    Expected<runner::RunSettingsResolved> run = resolve_run_settings(RunFlags{}, config);
    if (run) {
      settings = *run;
    }
  }
  FixSettings fix;
  fix.lock_timeout = interval_text(settings.lock_timeout);
  fix.statement_timeout = interval_text(settings.statement_timeout);
  return fix;
}

// Keeps the options and the text the lint read the file with, for fixes found later.
class KeepSource final : public FileReview {
 public:
  KeepSource(std::shared_ptr<FileReview> inner, LintedDocument& document)
      : inner_(std::move(inner)), document_(document) {}
  void before(const SourceFile& source, LintOptions& options) override {
    if (inner_) {
      inner_->before(source, options);
    }
    document_.options = options;
  }
  void after(const SourceFile& source, FileResult& result) override {
    if (inner_) {
      inner_->after(source, result);
    }
    document_.source = std::make_shared<const SourceFile>(source);
  }

 private:
  std::shared_ptr<FileReview> inner_;
  LintedDocument& document_;
};

}  // namespace

void attach_document_fixes(LintedDocument& document) {
  if (document.fixes_attached || !document.sql || document.source == nullptr ||
      !document.result.errors.empty()) {
    return;
  }
  attach_fixes(*document.source, document.result, document.options, document.fix_settings);
  document.fixes_attached = true;
}

void DocumentLinter::find_calls(LintedDocument& document) {
  if (document.calls) {
    return;
  }
  document.calls.emplace();
  if (document.sql || document.source == nullptr) {
    return;
  }
  LoadedConfig& loaded = config_for(document.path);
  const FrontEnd& front_end = registered_front_ends().for_path(document.path, loaded.front_ends);
  Expected<EmbeddedSource> embedded = front_end.extract(
      *document.source, document.path, settings_of(document.options.front_ends, front_end.name()));
  if (!embedded) {
    return;
  }
  for (const EmbeddedCall& call : embedded->calls) {
    document.calls->push_back(ByteSpan{call.call_begin, call.call_end});
  }
}

DocumentLinter::LoadedConfig& DocumentLinter::config_for(const std::string& path) {
  std::optional<std::string> found = find_config_file(fs::path(path).parent_path().string());
  std::string key = found.value_or("");
  std::error_code error;
  fs::file_time_type modified{};
  uintmax_t size = 0;
  if (found) {
    modified = fs::last_write_time(*found, error);
    size = fs::file_size(*found, error);
  }
  auto it = configs_.find(key);
  if (it != configs_.end() && it->second->modified == modified && it->second->size == size) {
    return *it->second;
  }
  auto loaded = std::make_unique<LoadedConfig>();
  loaded->modified = modified;
  loaded->size = size;
  if (found) {
    Expected<Config> config = load_config(*found, rule_ids(), config_tables());
    if (config) {
      loaded->config = std::move(*config);
    } else {
      loaded->error = config.error().message;
    }
  }
  const Config* config = loaded->config ? &*loaded->config : nullptr;
  loaded->front_ends = front_end_settings(config);
  loaded->resolver = std::make_unique<SettingsResolver>(config, LintFlagValues{}, loaded->front_ends);
  loaded->fix_settings = fix_settings_of(config);
  loaded->down_migrations = down_migration_policy(config);
  LoadedConfig& kept = *loaded;
  configs_[key] = std::move(loaded);
  return kept;
}

std::vector<LintInput> DocumentLinter::inputs_with_history(const std::string& path, std::string text) {
  DiscoveredInputs discovered;
  discovered.inputs.push_back(LintInput{path, path, std::move(text), true});
  add_history(discovered);
  return std::move(discovered.inputs);
}

LintedDocument DocumentLinter::lint(const std::string& path, std::string text) {
  LintedDocument document;
  document.path = path;
  LoadedConfig& loaded = config_for(path);
  document.config_error = loaded.error;
  document.fix_settings = loaded.fix_settings;
  const FrontEnd& front_end = registered_front_ends().for_path(path, loaded.front_ends);
  document.sql = front_end.sql_as_written();
  document.comment_prefix = front_end.name() == "cpp" ? "//" : front_end.name() == "alembic" ? "#" : "--";
  if (loaded.config && excluded_by_config(*loaded.config, path)) {
    document.excluded = true;
    return document;
  }
  std::vector<LintInput> inputs = inputs_with_history(path, std::move(text));
  SetupForPath setup_for = [&](const std::string& display_path) {
    FileSetup setup = loaded.resolver->lint_setup(display_path);
    setup.review = with_down_migration_policy(std::move(setup.review), loaded.down_migrations);
    if (display_path == path) {
      setup.review = std::make_shared<KeepSource>(std::move(setup.review), document);
    }
    return setup;
  };
  // One job: the server answers one request at a time, and a buffer's history is a few files.
  lint_inputs(inputs, 1, setup_for, [&](FileResult&& result) {
    if (!result.context_only && result.path == path) {
      document.result = std::move(result);
    }
  });
  return document;
}

Expected<FileLocks> DocumentLinter::locks(const std::string& path, std::string text) {
  LoadedConfig& loaded = config_for(path);
  if (!registered_front_ends().for_path(path, loaded.front_ends).sql_as_written()) {
    return Error{"the locks view reads SQL files"};
  }
  std::vector<LintInput> inputs = inputs_with_history(path, std::move(text));
  RuleSet rules(all_rules(), {}, {});
  std::optional<Expected<FileLocks>> found;
  explain_locks_in_order(
      inputs, rules,
      [&](const std::string& display_path) { return loaded.resolver->lint_setup(display_path).options; },
      [&](const std::string& display_path, Expected<FileLocks>&& explained) {
        if (display_path == path) {
          found.emplace(std::move(explained));
        }
      });
  if (!found) {
    return Error{"the file was not read"};
  }
  return std::move(*found);
}

}  // namespace miglint::lsp
