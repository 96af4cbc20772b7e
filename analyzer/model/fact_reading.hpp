#pragma once

#include <optional>

#include "analyzer/text/source_file.hpp"

namespace miglint {

// A lighter reading of a migration that is read for its schema facts only (an applied migration
// before a pending one, `--with-history`): only statements that start with CREATE, ALTER or DROP can
// teach a fact (analyzer/model/schema.cpp), so the others (the INSERTs and COPY data of a large seed
// file) are left out before parsing. Returns a source of the same path holding those statements, or
// nullopt when the whole file must be parsed: it has dbmate sections or BEGIN ATOMIC bodies, the
// lexer stops on it, or nothing would be left out.
std::optional<SourceFile> fact_statements_only(const SourceFile& source);

}  // namespace miglint
