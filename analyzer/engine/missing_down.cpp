#include "analyzer/engine/missing_down.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <map>
#include <mutex>

#include "analyzer/engine/driver_findings.hpp"

namespace miglint {

namespace fs = std::filesystem;

namespace {

// Whether a Flyway directory holds undo migrations (U<version>__x.sql): then every versioned
// migration is expected to have one. Listed once per directory and process.
bool holds_undo_migrations(const fs::path& directory) {
  static std::mutex guard;
  static std::map<fs::path, bool> known;
  std::lock_guard<std::mutex> lock(guard);
  auto found = known.find(directory);
  if (found != known.end()) {
    return found->second;
  }
  bool any = false;
  std::error_code error;
  for (const fs::directory_entry& entry : fs::directory_iterator(directory, error)) {
    std::string name = entry.path().filename().string();
    if (name.size() > 4 && name[0] == 'U' && name.find("__") != std::string::npos && name.ends_with(".sql")) {
      any = true;
      break;
    }
  }
  known[directory] = any;
  return any;
}

// The version of a Flyway file name (`V3.1__x.sql`: "3.1"), or "" when it is not one.
std::string flyway_version(const std::string& name) {
  std::size_t separator = name.find("__");
  if (name.size() < 5 || name[0] != 'V' || separator == std::string::npos || separator < 2) {
    return {};
  }
  return name.substr(1, separator - 1);
}

// Whether a line of `text` starts with `-- migrate:<section>` (dbmate's section markers).
bool has_dbmate_marker(std::string_view text, std::string_view section) {
  const std::string marker = fmt::format("migrate:{}", section);
  for (std::size_t at = text.find(marker); at != std::string_view::npos; at = text.find(marker, at + 1)) {
    std::size_t line_start = text.rfind('\n', at);
    line_start = line_start == std::string_view::npos ? 0 : line_start + 1;
    std::string_view before = text.substr(line_start, at - line_start);
    std::size_t dashes = before.find("--");
    if (dashes != std::string_view::npos && before.find_first_not_of(" \t") == dashes &&
        before.find_first_not_of(" \t", dashes + 2) == std::string_view::npos) {
      return true;
    }
  }
  return false;
}

// What is expected and missing, or "" when the file has its down migration or its layout has none.
// Without a path, what the text shows (a dbmate file); with one, the files beside it.
std::string missing_down(const fs::path& path, std::string_view text) {
  if (path.empty()) {
    return has_dbmate_marker(text, "up") && !has_dbmate_marker(text, "down")
               ? std::string("a `-- migrate:down` section")
               : std::string();
  }
  const std::string name = path.filename().string();
  std::error_code error;
  if (name.ends_with(".up.sql")) {
    fs::path down = path.parent_path() / (name.substr(0, name.size() - 7) + ".down.sql");
    return fs::exists(down, error) ? std::string() : down.filename().string();
  }
  if (name == "up.sql") {
    return fs::exists(path.parent_path() / "down.sql", error) ? std::string()
                                                              : std::string("down.sql beside it");
  }
  if (std::string version = flyway_version(name); !version.empty()) {
    if (!holds_undo_migrations(path.parent_path())) {
      return {};
    }
    for (const fs::directory_entry& entry : fs::directory_iterator(path.parent_path(), error)) {
      if (entry.path().filename().string().starts_with("U" + version + "__")) {
        return {};
      }
    }
    return fmt::format("an undo migration U{}__<description>.sql", version);
  }
  return {};
}

}  // namespace

void report_missing_down_migration(const std::string& filesystem_path, const SourceFile& source,
                                   const RuleSet& rules, FileResult& result) {
  if (!rules.enabled(kMissingDownMigrationRule) ||
      (!filesystem_path.empty() && !filesystem_path.ends_with(".sql"))) {
    return;
  }
  std::string expected = missing_down(fs::path(filesystem_path), source.text());
  if (expected.empty()) {
    return;
  }
  const Rule* rule = rules.find(kMissingDownMigrationRule);
  std::string_view text = source.text();
  std::size_t first_line_end = text.find('\n');
  auto end = static_cast<uint32_t>(first_line_end == std::string_view::npos ? text.size() : first_line_end);
  Finding finding = make_finding(
      source, *rule, ByteSpan{0, end},
      fmt::format("this migration has no down migration (expected {}): `miglint rollback` cannot revert it "
                  "and `miglint test` cannot test it",
                  expected),
      "Write the down migration that undoes this one (check it with `miglint test --ephemeral`), or switch "
      "the rule off for migrations that are irreversible on purpose.",
      -1);
  finding.severity = rules.severity_of(kMissingDownMigrationRule);
  result.findings.push_back(std::move(finding));
  sort_findings(result.findings);
}

}  // namespace miglint
