#pragma once

#include <string>
#include <string_view>

namespace miglint {

// Migration order, shared by `lint` and the runner. A leading timestamp written with dashes
// (diesel's `2017-08-31-143022_x`) compares as its digits; otherwise runs of digits compare as
// numbers (`v1.2` before `v1.10`, `9_x` before `10_x`); ties are broken by the bytes.
bool migration_order_less(std::string_view a, std::string_view b);

// Down migrations (`down.sql`, `*.down.sql`, `*_down.sql`) are linted but teach no schema facts.
bool is_down_migration_path(std::string_view path);

}  // namespace miglint
