#pragma once

#include <optional>
#include <string_view>

namespace miglint {

// PostgreSQL's keyword categories (common/keywords.h), which decide where a word may stand: an
// unreserved keyword may name anything, a column-name keyword a column but not a function or a type
// (bar the few with their own syntax), a type-or-function-name keyword a function or a type, a
// reserved keyword nothing.
enum class KeywordCategory { Unreserved = 0, ColumnName = 1, TypeOrFunctionName = 2, Reserved = 3 };

// The category of `word` (any case) in the grammar miglint parses with, read from libpg_query's
// own keyword table; nullopt when it is not a keyword.
std::optional<KeywordCategory> keyword_category(std::string_view word);

}  // namespace miglint
