#include "analyzer/sql/file_model.hpp"

#include <simdjson.h>

#include "analyzer/sql/bulk_rows.hpp"
#include "analyzer/sql/tokens.hpp"

namespace miglint {

FileModel build_model(const SourceFile& source, bool condense_bulk_rows) {
  FileModel model;
  model.source = &source;
  thread_local simdjson::dom::parser json_parser;
  // Rows of data no rule reads are blanked before parsing (same offsets): a seed file's large
  // INSERT costs a copy of its text rather than a parse tree many times its size.
  std::optional<std::string> condensed = condense_bulk_rows ? without_bulk_rows(source.text()) : std::nullopt;
  std::string_view text = condensed ? std::string_view(*condensed) : source.text();
  model.parsed = parse_sql(text.data(), text.size(), json_parser, source.text());
  model.statements.reserve(model.parsed.statements.size());
  for (const ParsedStatement& raw : model.parsed.statements) {
    model.statements.emplace_back(source, raw.ast, raw.raw, raw.location_base,
                                  static_cast<uint32_t>(model.statements.size()));
  }
  if (may_contain_directives(source.text())) {
    const std::vector<Token>* tokens = &model.parsed.tokens;
    std::vector<Token> scanned;
    if (model.parsed.tokens.empty()) {
      scanned = scan_tokens(text, 0, nullptr);  // the comments are where they are in the source
      tokens = &scanned;
    }
    uint32_t first_statement =
        model.statements.empty() ? static_cast<uint32_t>(source.size()) : model.statements.front().begin();
    model.directives = read_directives(source.text(), *tokens, first_statement);
    model.directives_read = true;
  }
  return model;
}

}  // namespace miglint
