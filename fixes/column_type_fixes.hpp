#pragma once

#include "fixes/fixer.hpp"

namespace miglint {

// ban-char-field, prefer-text-field, prefer-bigint-over-int, prefer-bigint-over-smallint,
// prefer-timestamptz, prefer-identity.
std::optional<Fix> fix_column_type(const Finding& finding, const Statement& statement,
                                   const FileFixContext& context);

}  // namespace miglint
