#include "analyzer/report/table_size_json.hpp"

#include <nlohmann/json.hpp>

namespace miglint {

std::string table_size_json(const Finding& finding) {
  if (!finding.table_size) {
    return {};
  }
  using Json = nlohmann::ordered_json;
  const TableRef& table = finding.table;
  const TableSize& size = *finding.table_size;
  auto number = [](const std::optional<int64_t>& value) { return value ? Json(*value) : Json(nullptr); };
  Json object{{"name", table.name},
              {"schema", table.schema.empty() ? Json(nullptr) : Json(table.schema)},
              {"relation", size.relation.empty() ? Json(nullptr) : Json(size.relation)},
              {"exists", size.exists},
              {"new", !size.exists},
              {"rows", number(size.rows)},
              {"bytes", number(size.bytes)},
              {"lowered", size.lowered}};
  return object.dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace miglint
