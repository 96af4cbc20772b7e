#include "cli/stats_from.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "analyzer/text/child_process.hpp"
#include "cli/command_line.hpp"

namespace miglint {

namespace {

using Json = nlohmann::json;

std::string runner_program() {
  return companion_program("miglint-runner", "miglint").string();
}

// The helper's error line without its "miglint: error: " (the caller adds its own).
std::string first_line_of(std::string text) {
  text = text.substr(0, text.find('\n'));
  constexpr std::string_view kPrefix = "miglint: error: ";
  return text.starts_with(kPrefix) ? text.substr(kPrefix.size()) : text;
}

}  // namespace

Expected<TableSizes> fetch_table_sizes(const std::string& database_url, const std::vector<TableRef>& tables) {
  Json request = Json{{"database_url", database_url}, {"tables", Json::array()}};
  for (const TableRef& table : tables) {
    request["tables"].push_back(Json{{"schema", table.schema}, {"name", table.name}});
  }
  // The helper reads the whole request before it answers; the URL goes over stdin, not into `ps`.
  Expected<ChildOutput> run = run_child({runner_program(), "table-sizes"}, request.dump());
  if (!run) {
    return Error{fmt::format("cannot start {}: {} (it is installed beside miglint)", runner_program(),
                             run.error().message)};
  }
  if (run->exit_status != 0) {
    std::string why = first_line_of(run->err);
    return Error{why.empty() ? fmt::format("--stats-from: the table-sizes helper exited with status {}",
                                           run->exit_status)
                             : why};
  }
  Json answer = Json::parse(run->out, nullptr, false);
  if (answer.is_discarded() || !answer.is_array()) {
    return Error{"--stats-from: the table-sizes helper answered something that is not JSON"};
  }
  TableSizes sizes;
  for (const Json& entry : answer) {
    TableSize size;
    size.exists = entry.value("exists", false);
    size.relation = entry.value("relation", "");
    if (entry.contains("rows") && entry["rows"].is_number_integer()) {
      size.rows = entry["rows"].get<int64_t>();
    }
    if (entry.contains("bytes") && entry["bytes"].is_number_integer()) {
      size.bytes = entry["bytes"].get<int64_t>();
    }
    sizes[TableKey{entry.value("schema", ""), entry.value("name", "")}] = std::move(size);
  }
  return sizes;
}

}  // namespace miglint
