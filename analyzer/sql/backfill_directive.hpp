#pragma once

// `-- miglint-backfill batch=5000 sleep=100ms key=id` before an UPDATE or DELETE: `miglint run`
// executes that statement in key-range batches after the migration's schema part has committed
// (docs/runner.md, "Managed backfills"), and the linter counts it as batched.
#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "analyzer/text/source_file.hpp"

namespace miglint {

struct BackfillDirective {
  ByteSpan span;  // the comment
  std::size_t batch = 1000;
  std::chrono::milliseconds sleep{0};
  std::string key = "id";  // the key column, as PostgreSQL names it (unquoted names folded to lower case)
  // Non-empty: the comment is malformed (what is wrong, for the `malformed-backfill` finding); it
  // backfills nothing.
  std::string problem;
};

// The largest batch a directive may ask for: a batch is one transaction holding its rows' locks.
inline constexpr std::size_t kMaxBackfillBatch = 1'000'000;

// Reads a comment body (without `--` or `/* */`, trimmed). nullopt: not a backfill directive at all;
// otherwise the directive, with `problem` set when it is malformed (another case, `:` after the
// keyword, an unknown or repeated parameter, a value that is not valid).
std::optional<BackfillDirective> read_backfill_directive(std::string_view body, ByteSpan span);

}  // namespace miglint
