#include "runner/history_import.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <set>

#include "analyzer/text/message_text.hpp"

namespace miglint::runner {

namespace {

struct ToolInfo {
  OtherTool tool;
  std::string_view name;
  std::string_view table;
  std::vector<std::string_view> columns;  // the columns the tool's table has (all required)
};

const std::array<ToolInfo, 4>& tools() {
  static const std::array<ToolInfo, 4> kTools{{
      {OtherTool::GolangMigrate, "golang-migrate", "schema_migrations", {"version", "dirty"}},
      {OtherTool::Flyway,
       "flyway",
       "flyway_schema_history",
       {"installed_rank", "version", "type", "script", "installed_on", "execution_time", "success"}},
      {OtherTool::Diesel, "diesel", "__diesel_schema_migrations", {"version", "run_on"}},
      {OtherTool::Dbmate, "dbmate", "schema_migrations", {"version"}},
  }};
  return kTools;
}

const ToolInfo& info_of(OtherTool tool) {
  for (const ToolInfo& info : tools()) {
    if (info.tool == tool) {
      return info;
    }
  }
  return tools()[0];  // not reached: every tool is in the table
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

std::string without_leading_zeros(std::string digits) {
  std::size_t first = digits.find_first_not_of('0');
  return first == std::string::npos ? std::string("0") : digits.substr(first);
}

}  // namespace

std::optional<OtherTool> other_tool_named(std::string_view name) {
  for (const ToolInfo& info : tools()) {
    if (info.name == name) {
      return info.tool;
    }
  }
  return std::nullopt;
}

std::string_view other_tool_name(OtherTool tool) {
  return info_of(tool).name;
}

std::string_view default_history_table(OtherTool tool) {
  return info_of(tool).table;
}

std::vector<std::string> version_key(OtherTool tool, std::string_view version) {
  std::vector<std::string> parts;
  if (tool != OtherTool::Flyway) {
    std::string digits;
    std::copy_if(version.begin(), version.end(), std::back_inserter(digits), is_digit);
    parts.push_back(without_leading_zeros(digits));
    return parts;
  }
  std::string part;
  for (char c : version) {
    if (is_digit(c)) {
      part += c;
    } else if (!part.empty()) {
      parts.push_back(without_leading_zeros(part));
      part.clear();
    }
  }
  if (!part.empty()) {
    parts.push_back(without_leading_zeros(part));
  }
  while (parts.size() > 1 && parts.back() == "0") {
    parts.pop_back();
  }
  return parts;
}

int compare_version_keys(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  for (std::size_t i = 0; i < a.size() && i < b.size(); ++i) {
    if (a[i].size() != b[i].size()) {
      return a[i].size() < b[i].size() ? -1 : 1;
    }
    if (int order = a[i].compare(b[i]); order != 0) {
      return order < 0 ? -1 : 1;
    }
  }
  return a.size() == b.size() ? 0 : (a.size() < b.size() ? -1 : 1);
}

namespace {

// The columns of `table`, or an error naming what is wrong with it.
Expected<std::set<std::string>> columns_of(PgSession& session, const std::string& table,
                                           std::string& qualified, bool& connection_lost) {
  PgOutcome found = session.query(
      "SELECT c.oid::regclass::text, a.attname FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid "
      "WHERE c.oid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped",
      {table});
  if (!found.ok) {
    connection_lost = found.error.connection_lost || !session.alive();
    return Error{fmt::format("cannot read the table {}: {}", escape_for_message(table), found.error.message)};
  }
  std::set<std::string> columns;
  for (const PgRow& row : found.rows) {
    qualified = row[0].value_or("");
    columns.insert(row[1].value_or(""));
  }
  return columns;
}

Expected<std::vector<PgRow>> rows_of(PgSession& session, const std::string& sql, bool& connection_lost) {
  PgOutcome read = session.query(sql);
  if (!read.ok) {
    connection_lost = read.error.connection_lost || !session.alive();
    return Error{read.error.message};
  }
  return std::move(read.rows);
}

Expected<ImportedHistory> read_golang_migrate(PgSession& session, ImportedHistory history,
                                              bool& connection_lost) {
  Expected<std::vector<PgRow>> rows =
      rows_of(session, fmt::format("SELECT version::text, dirty FROM {}", history.table), connection_lost);
  if (!rows) {
    return rows.error();
  }
  if (rows->size() > 1) {
    return Error{fmt::format("{} has {} rows; golang-migrate keeps exactly one (its current version)",
                             escape_for_message(history.table), rows->size())};
  }
  if (rows->empty()) {
    history.notes.push_back(fmt::format("{} is empty: golang-migrate applied nothing", history.table));
    return history;
  }
  std::string version = rows->at(0).at(0).value_or("");
  if (rows->at(0).at(1) == std::optional<std::string>("t")) {
    return Error{fmt::format(
        "golang-migrate left version {} dirty (a failed migration): fix it with `migrate force` first",
        escape_for_message(version))};
  }
  if (!version.empty() && version[0] == '-') {
    history.notes.push_back(fmt::format("golang-migrate's version is {}: it applied nothing", version));
    return history;
  }
  history.applied_up_to = version;
  history.up_to_is_a_migration = true;
  return history;
}

Expected<ImportedHistory> read_flyway(PgSession& session, ImportedHistory history, bool& connection_lost) {
  Expected<std::vector<PgRow>> rows =
      rows_of(session,
              fmt::format("SELECT version, type, script, success, installed_on::timestamptz::text, "
                          "execution_time::text FROM {} ORDER BY installed_rank",
                          history.table),
              connection_lost);
  if (!rows) {
    return rows.error();
  }
  std::size_t repeatable = 0;
  std::vector<ImportedVersion> applied;
  for (const PgRow& row : *rows) {
    std::optional<std::string> version = row[0];
    std::string type = row[1].value_or("");
    std::string script = row[2].value_or("");
    if (row[3] != std::optional<std::string>("t")) {
      return Error{fmt::format(
          "Flyway recorded {} ({}) as failed: fix the database and run `flyway repair` first",
          version ? "version " + escape_for_message(*version) : std::string("a repeatable migration"),
          escape_for_message(script))};
    }
    auto forget = [&](const std::string& gone) {
      std::erase_if(applied, [&](const ImportedVersion& entry) {
        return compare_version_keys(version_key(OtherTool::Flyway, entry.version),
                                    version_key(OtherTool::Flyway, gone)) == 0;
      });
    };
    if (type == "SCHEMA") {
      continue;  // Flyway created the schema: no migration
    }
    if (!version) {
      ++repeatable;
      continue;
    }
    if (type == "BASELINE") {
      history.applied_up_to = *version;
    } else if (type == "DELETE" || type.starts_with("UNDO")) {
      forget(*version);  // `flyway repair` marked it deleted, or an undo migration reverted it
    } else {
      forget(*version);  // applied again after an undo: the latest row counts
      applied.push_back(ImportedVersion{*version, row[4], row[5]});
    }
  }
  if (repeatable > 0) {
    history.notes.push_back(
        fmt::format("{} repeatable migration row{} (R__, no version) not imported: miglint does not run "
                    "repeatable migrations",
                    repeatable, repeatable == 1 ? "" : "s"));
  }
  history.applied = std::move(applied);
  return history;
}

Expected<ImportedHistory> read_versions(PgSession& session, ImportedHistory history, const std::string& sql,
                                        bool& connection_lost) {
  Expected<std::vector<PgRow>> rows = rows_of(session, sql, connection_lost);
  if (!rows) {
    return rows.error();
  }
  for (const PgRow& row : *rows) {
    history.applied.push_back(
        ImportedVersion{row[0].value_or(""), row.size() > 1 ? row[1] : std::nullopt, std::nullopt});
  }
  return history;
}

}  // namespace

Expected<ImportedHistory> read_other_history(PgSession& session, OtherTool tool, const std::string& table,
                                             bool& connection_lost) {
  const ToolInfo& info = info_of(tool);
  ImportedHistory history;
  Expected<std::set<std::string>> columns = columns_of(session, table, history.table, connection_lost);
  if (!columns) {
    return columns.error();
  }
  if (columns->empty()) {
    return Error{fmt::format("no table {} in the database ({}'s history; give its name with --from-table)",
                             escape_for_message(table), info.name)};
  }
  const std::string shown = escape_for_message(history.table);
  // golang-migrate and dbmate both name theirs schema_migrations: the dirty column tells them apart.
  if (tool == OtherTool::Dbmate && columns->contains("dirty")) {
    return Error{fmt::format(
        "{} has a `dirty` column: it is golang-migrate's history, not dbmate's (use --from golang-migrate)",
        shown)};
  }
  for (std::string_view column : info.columns) {
    if (!columns->contains(std::string(column))) {
      std::string hint = tool == OtherTool::GolangMigrate && column == "dirty" && columns->contains("version")
                             ? " (a table with `version` alone is dbmate's: use --from dbmate)"
                             : "";
      return Error{fmt::format("{} has no `{}` column: it is not {}'s history table{}", shown, column,
                               info.name, hint)};
    }
  }
  switch (tool) {
    case OtherTool::GolangMigrate:
      return read_golang_migrate(session, std::move(history), connection_lost);
    case OtherTool::Flyway:
      return read_flyway(session, std::move(history), connection_lost);
    case OtherTool::Diesel: {
      std::string sql = fmt::format("SELECT version, run_on::timestamptz::text FROM {}", history.table);
      return read_versions(session, std::move(history), sql, connection_lost);
    }
    case OtherTool::Dbmate: {
      std::string sql = fmt::format("SELECT version FROM {}", history.table);
      return read_versions(session, std::move(history), sql, connection_lost);
    }
  }
  return history;
}

}  // namespace miglint::runner
