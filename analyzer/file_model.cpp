#include "analyzer/file_model.hpp"

#include <simdjson.h>

#include "analyzer/tokens.hpp"

namespace miglint {

FileModel build_model(const SourceFile& source) {
  FileModel model;
  model.source = &source;
  thread_local simdjson::dom::parser json_parser;
  model.parsed = parse_sql(source.c_str(), source.size(), json_parser);
  model.statements.reserve(model.parsed.statements.size());
  for (const ParsedStatement& raw : model.parsed.statements) {
    model.statements.emplace_back(source, raw.ast, raw.raw, raw.location_base,
                                  static_cast<uint32_t>(model.statements.size()));
  }
  if (may_contain_directives(source.text())) {
    const std::vector<Token>* tokens = &model.parsed.tokens;
    std::vector<Token> scanned;
    if (model.parsed.tokens.empty()) {
      scanned = scan_tokens(source.text(), 0, nullptr);
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
