#include "analyzer/model/volatility.hpp"

#include <algorithm>

namespace miglint {

bool is_non_volatile_function(std::string_view name) {
  auto names = non_volatile_functions();
  return std::binary_search(names.begin(), names.end(), name);
}

namespace {

bool all_non_volatile(Node list) {
  for (Node item : list) {
    if (!is_non_volatile_expression(item)) {
      return false;
    }
  }
  return true;
}

}  // namespace

bool is_non_volatile_expression(Node expr) {
  if (!expr) {
    return true;
  }
  std::string_view kind = expr.kind();
  if (kind == "A_Const" || kind == "ParamRef" || kind == "SQLValueFunction" || kind == "ColumnRef") {
    return true;  // CURRENT_TIMESTAMP, CURRENT_USER... are STABLE
  }
  Node body = expr.body();
  if (kind == "TypeCast") {
    return is_non_volatile_expression(body["arg"]);
  }
  if (kind == "A_ArrayExpr") {
    return all_non_volatile(body["elements"]);
  }
  if (kind == "A_Expr") {
    return is_non_volatile_expression(body["lexpr"]) && is_non_volatile_expression(body["rexpr"]);
  }
  if (kind == "BoolExpr" || kind == "CoalesceExpr" || kind == "MinMaxExpr") {
    return all_non_volatile(body["args"]);
  }
  if (kind == "List") {
    return all_non_volatile(body["items"]);
  }
  if (kind == "NullTest" || kind == "BooleanTest") {
    return is_non_volatile_expression(body["arg"]);
  }
  if (kind == "CaseExpr") {
    for (Node when : body["args"]) {
      Node w = when.as("CaseWhen");
      if (!is_non_volatile_expression(w["expr"]) || !is_non_volatile_expression(w["result"])) {
        return false;
      }
    }
    return is_non_volatile_expression(body["arg"]) && is_non_volatile_expression(body["defresult"]);
  }
  if (kind == "FuncCall") {
    Node names = body["funcname"];
    std::string_view schema = names.size() >= 2 ? names.at(names.size() - 2).string_value() : "pg_catalog";
    std::string_view name = names.at(names.size() - 1).string_value();
    return schema == "pg_catalog" && is_non_volatile_function(name) && all_non_volatile(body["args"]);
  }
  return false;
}

}  // namespace miglint
