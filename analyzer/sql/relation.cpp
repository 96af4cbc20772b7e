#include "analyzer/sql/relation.hpp"

#include "analyzer/sql/pg_nodes.hpp"

namespace miglint {

std::string qualified_name(std::string_view schema, std::string_view name) {
  // Built by hand: this runs for every relation every statement names.
  std::string_view prefix = schema.empty() ? std::string_view("public") : schema;
  std::string out;
  out.reserve(prefix.size() + 1 + name.size());
  out.append(prefix).append(1, '.').append(name);
  return out;
}

std::string qualified_name(Node range_var) {
  return qualified_name(range_var["schemaname"].str(), range_var["relname"].str());
}

std::string qualified_name_from_list(Node names) {
  std::size_t count = names.size();
  if (count == 0) {
    return {};
  }
  std::string_view name = names.at(count - 1).string_value();
  std::string_view schema = count >= 2 ? names.at(count - 2).string_value() : std::string_view();
  return qualified_name(schema, name);
}

std::string display_name(Node range_var) {
  std::string_view schema = range_var["schemaname"].str();
  std::string_view name = range_var["relname"].str();
  return schema.empty() ? std::string(name) : qualified_name(schema, name);
}

std::string qualified_name(pg::RangeVar range_var) {
  return qualified_name(range_var.node());
}

std::string qualified_name_from_list(pg::Repeated<pg::AnyNode> names) {
  return qualified_name_from_list(names.node());
}

std::string display_name(pg::RangeVar range_var) {
  return display_name(range_var.node());
}

}  // namespace miglint
