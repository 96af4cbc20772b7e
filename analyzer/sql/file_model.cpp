#include "analyzer/sql/file_model.hpp"

#include <simdjson.h>

#include <atomic>
#include <memory>

#include "analyzer/sql/bulk_rows.hpp"
#include "analyzer/sql/tokens.hpp"

namespace miglint {

namespace {

// A parser for one model to decode its parse tree into and keep. The thread's warm parser (its
// buffers grown once, no allocation per file) when no live model holds it, as in a lint run that
// drops each model before building the next; a fresh one when an earlier model built on this thread
// still reads its document, which parsing into it again would overwrite.
std::shared_ptr<simdjson::dom::parser> parser_for_model() {
  thread_local std::shared_ptr<simdjson::dom::parser> warm = std::make_shared<simdjson::dom::parser>();
  if (warm.use_count() == 1) {
    // The last model that held it may have been dropped on another thread: see its reads first.
    std::atomic_thread_fence(std::memory_order_acquire);
    return warm;
  }
  return std::make_shared<simdjson::dom::parser>();
}

// The comment tokens of `text`, for the directives. A large text is scanned in windows that begin
// where statements begin (right after a `;`), so that PostgreSQL's scanner and its token list never
// hold the whole file at once: scanning a 12 MB file of small statements whole took 265 MB.
std::vector<Token> comment_tokens(std::string_view text, const std::vector<ParsedStatement>& statements) {
  constexpr std::size_t kWindowBytes = std::size_t{256} << 10;
  std::vector<Token> comments;
  auto scan_window = [&](uint32_t begin, uint32_t end) {
    for (const Token& token : scan_tokens(text.substr(begin, end - begin), begin, nullptr)) {
      if (token.is_comment()) {
        comments.push_back(token);
      }
    }
  };
  uint32_t window_begin = 0;
  for (const ParsedStatement& statement : statements) {
    if (statement.raw.begin - window_begin >= kWindowBytes) {
      scan_window(window_begin, statement.raw.begin);
      window_begin = statement.raw.begin;
    }
  }
  scan_window(window_begin, static_cast<uint32_t>(text.size()));
  return comments;
}

}  // namespace

FileModel build_model(const SourceFile& source, bool condense_bulk_rows) {
  FileModel model;
  model.source = &source;
  std::shared_ptr<simdjson::dom::parser> json_parser = parser_for_model();
  // Rows of data no rule reads are blanked before parsing (same offsets): a seed file's large
  // INSERT costs a copy of its text rather than a parse tree many times its size.
  std::optional<std::string> condensed = condense_bulk_rows ? without_bulk_rows(source.text()) : std::nullopt;
  std::string_view text = condensed ? std::string_view(*condensed) : source.text();
  model.parsed = parse_sql(text.data(), text.size(), *json_parser, source.text());
  if (model.parsed.documents.empty() && !model.parsed.statements.empty()) {
    model.parsed.document_parser = std::move(json_parser);  // parsed whole: the Nodes are in its document
  }
  model.statements.reserve(model.parsed.statements.size());
  for (const ParsedStatement& raw : model.parsed.statements) {
    model.statements.emplace_back(source, raw.ast, raw.raw, raw.location_base,
                                  static_cast<uint32_t>(model.statements.size()));
  }
  if (may_contain_directives(source.text())) {
    const std::vector<Token>* tokens = &model.parsed.tokens;
    std::vector<Token> scanned;
    if (model.parsed.tokens.empty()) {
      scanned = comment_tokens(text, model.parsed.statements);  // where they are in the source
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
