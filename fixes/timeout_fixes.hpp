#pragma once

#include "fixes/fixer.hpp"

namespace miglint {

std::optional<Fix> fix_lock_timeout(const Finding& finding, const Statement& statement,
                                    const FileFixContext& context);
std::optional<Fix> fix_statement_timeout(const Finding& finding, const Statement& statement,
                                         const FileFixContext& context);

}  // namespace miglint
