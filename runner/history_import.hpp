#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "analyzer/text/expected.hpp"
#include "runner/database.hpp"

// Other migration tools' history tables, read for `miglint baseline --from TOOL` (docs/runner.md,
// "Adopting a database migrated by another tool"). Reads only: nothing here writes.
namespace miglint::runner {

enum class OtherTool { GolangMigrate, Flyway, Diesel, Dbmate };

std::optional<OtherTool> other_tool_named(std::string_view name);  // "golang-migrate", "flyway", ...
std::string_view other_tool_name(OtherTool tool);
// The table the tool creates by default: schema_migrations, flyway_schema_history, ...
std::string_view default_history_table(OtherTool tool);

// A version the tool recorded as applied, with its time (timestamptz text) and duration when kept.
struct ImportedVersion {
  std::string version;
  std::optional<std::string> applied_at;
  std::optional<std::string> duration_ms;
};

struct ImportedHistory {
  std::string table;  // as found: schema-qualified
  std::vector<ImportedVersion> applied;
  // Every version up to this one is applied: golang-migrate's current version, Flyway's baseline.
  std::optional<std::string> applied_up_to;
  bool up_to_is_a_migration = false;  // golang-migrate's version is a file; Flyway's baseline need not be
  std::vector<std::string> notes;     // what was read but not imported, one line each
};

// Reads the tool's history from `table` (as given: `schema_migrations`, `app.schema_migrations`). An
// error is a refusal: no such table, a table of another tool, a dirty or failed entry. Sets
// `connection_lost` when the server went away.
Expected<ImportedHistory> read_other_history(PgSession& session, OtherTool tool, const std::string& table,
                                             bool& connection_lost);

// A version in the tool's terms, as numbers (leading zeros dropped): one number for golang-migrate,
// diesel and dbmate (diesel's `2024-01-15-100000` is `20240115100000`), Flyway's dotted parts
// (`1_1` and `1.1` alike, trailing zero parts dropped: `1.0` is `1`).
std::vector<std::string> version_key(OtherTool tool, std::string_view version);
// <0, 0, >0: the order of two keys (numbers compared as numbers).
int compare_version_keys(const std::vector<std::string>& a, const std::vector<std::string>& b);

}  // namespace miglint::runner
