#pragma once

#include <span>
#include <string_view>

#include "analyzer/sql/ast.hpp"
#include "analyzer/sql/pg_view_support.hpp"

namespace miglint {

// Built-in functions whose every overload is IMMUTABLE or STABLE, sorted (analyzer/model/data/, generated
// from a real server's pg_proc by analyzer/model/data/generate-non-volatile-functions).
std::span<const std::string_view> non_volatile_functions();
bool is_non_volatile_function(std::string_view name);

// Whether an expression is evaluated once per statement: constants, casts, ARRAY[...], operators,
// CURRENT_TIMESTAMP and friends, and calls of non-volatile built-in functions with such arguments.
// An unknown function counts as volatile (it may be a user function declared VOLATILE).
bool is_non_volatile_expression(Node expr);
inline bool is_non_volatile_expression(pg::AnyNode expr) {
  return is_non_volatile_expression(expr.node());
}

}  // namespace miglint
