#pragma once

#include "fixes/fixer.hpp"

namespace miglint {

// constraint-missing-not-valid, adding-foreign-key-constraint.
std::optional<Fix> fix_not_valid(const Finding& finding, const Statement& statement,
                                 const FileFixContext& context);

}  // namespace miglint
