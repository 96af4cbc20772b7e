#pragma once

#include "fixes/fixer.hpp"

namespace miglint {

// require-concurrent-index-creation, require-concurrent-index-deletion, require-concurrent-reindex.
std::optional<Fix> fix_concurrently(const Finding& finding, const Statement& statement,
                                    const FileFixContext& context);

}  // namespace miglint
