#pragma once

// Lints an editor's buffer as `miglint lint --with-history` lints the file on disk: the settings
// of the miglint.toml found walking up from the file (reloaded when it changes), the earlier
// migrations of its directory read for their schema facts, and the front end its name selects (SQL,
// C++, Alembic). Fixes are found only when a code action asks for them.
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "analyzer/engine/linter.hpp"
#include "analyzer/project/config.hpp"
#include "fixes/fixer.hpp"
#include "settings/settings.hpp"

namespace miglint::lsp {

// One lint of one buffer.
struct LintedDocument {
  std::string path;                          // absolute filesystem path
  std::shared_ptr<const SourceFile> source;  // the text as linted (null: not linted)
  FileResult result;
  LintOptions options;
  FixSettings fix_settings;
  bool sql = false;       // read by the SQL front end: fixes apply (C++ and Alembic: none)
  bool excluded = false;  // the config's exclude covers it
  bool fixes_attached = false;
  std::string config_error;           // miglint.toml could not be read (the lint used the defaults)
  std::string comment_prefix = "--";  // how an ignore comment starts in this language
  // A program's calls that send SQL (C++, Alembic), where they are in the buffer: an ignore comment
  // goes above the call. Found when a code action first asks (DocumentLinter::find_calls).
  std::optional<std::vector<ByteSpan>> calls;
};

// Sets Finding::fix on the document's findings (once): code actions need them, diagnostics not.
void attach_document_fixes(LintedDocument& document);

class DocumentLinter {
 public:
  LintedDocument lint(const std::string& path, std::string text);
  // The lock model's view of the buffer (an SQL file), with the facts of its earlier migrations.
  Expected<FileLocks> locks(const std::string& path, std::string text);
  // Sets document.calls (once): the spans of the calls the front end reads in a program (C++,
  // Alembic), read again from the text the lint read (empty for SQL, or when it cannot be read).
  void find_calls(LintedDocument& document);
  // Forgets the loaded config files: the next lint reads them again (a watched file changed).
  void forget_configs() { configs_.clear(); }

 private:
  // A config file as loaded, with what it was loaded from (its size and time: reloaded when
  // either changes) and the settings made of it.
  struct LoadedConfig {
    std::optional<Config> config;
    std::filesystem::file_time_type modified;
    uintmax_t size = 0;
    std::string error;
    FrontEndSettingsByName front_ends;
    std::unique_ptr<SettingsResolver> resolver;
    FixSettings fix_settings;
    DownMigrations down_migrations = DownMigrations::Note;
  };
  LoadedConfig& config_for(const std::string& path);
  std::vector<LintInput> inputs_with_history(const std::string& path, std::string text);

  std::map<std::string, std::unique_ptr<LoadedConfig>> configs_;  // by config path ("": none)
};

}  // namespace miglint::lsp
