#pragma once

#include <vector>

#include "analyzer/sql/directives.hpp"
#include "analyzer/sql/sql_parser.hpp"
#include "analyzer/sql/statement.hpp"
#include "analyzer/text/source_file.hpp"

namespace miglint {

struct EmbeddedPlan;

// A file's statements in order, with the pieces around them that the lint driver and the runner
// need: parse problems, directives (ignores, dbmate sections, `-- miglint-no-transaction`).
struct FileModel {
  const SourceFile* source = nullptr;
  ParsedSql parsed;
  std::vector<Statement> statements;
  FileDirectives directives;
  bool directives_read = false;            // false: the text cannot hold a directive (none were looked for)
  const EmbeddedPlan* embedded = nullptr;  // set for SQL assembled from a program's calls (C++)
};

// Parses `source` (which must outlive the model) with the SQL front end. With `condense_bulk_rows`
// (analyzer/sql/bulk_rows.hpp), constant rows of INSERT ... VALUES are not put in the parse tree.
FileModel build_model(const SourceFile& source, bool condense_bulk_rows = true);

}  // namespace miglint
