#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace miglint {

// A duration as users write it for timeouts: `500ms`, `2s`, `1.5s`, `5min`, `1h`, or a bare number
// of milliseconds; `0`, `none` and `off` mean no limit (returned as zero). nullopt: not a duration.
std::optional<std::chrono::milliseconds> parse_duration(std::string_view text);

// `1500ms` -> "1500ms", as PostgreSQL's SET accepts it ("0" for no limit).
std::string postgres_duration(std::chrono::milliseconds duration);

}  // namespace miglint
