#include "analyzer/sql/file_model.hpp"

#include <simdjson.h>

#include <algorithm>
#include <atomic>
#include <iterator>
#include <memory>
#include <stdexcept>

#include "analyzer/sql/bulk_rows.hpp"
#include "analyzer/sql/copy_data.hpp"
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
    // parse_sql checked the lexer's cost of the whole text; a window starts where a statement does.
    for (const Token& token :
         scan_tokens(text.substr(begin, end - begin), begin, nullptr, LexerCost::CheckedByCaller)) {
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

namespace {

// The text the front end parses instead of the source's, when it differs (same length: every offset
// and line where it was), and the COPY data blocks blanked in it.
struct TextToParse {
  std::optional<std::string> condensed;
  std::vector<ByteSpan> copy_data;
};

TextToParse text_to_parse(const SourceFile& source, bool condense_bulk_rows) {
  TextToParse out;
  // Rows of COPY ... FROM STDIN are data, never SQL: blanked, whatever the options.
  if (std::optional<WithoutCopyData> without = without_copy_data(source.text())) {
    out.condensed = std::move(without->text);
    out.copy_data = std::move(without->blocks);
  }
  // Rows of data no rule reads are blanked before parsing (same offsets): a seed file's large
  // INSERT costs a copy of its text rather than a parse tree many times its size.
  if (condense_bulk_rows) {
    if (std::optional<std::string> rows = without_bulk_rows(out.condensed ? *out.condensed : source.text())) {
      out.condensed = std::move(rows);
    }
  }
  return out;
}

// The model of build_model, from the text it parses.
FileModel build_whole_model(const SourceFile& source, TextToParse parse) {
  FileModel model;
  model.source = &source;
  std::optional<std::string>& condensed = parse.condensed;
  std::shared_ptr<simdjson::dom::parser> json_parser = parser_for_model();
  std::string_view text = condensed ? std::string_view(*condensed) : source.text();
  model.parsed = parse_sql(text.data(), text.size(), *json_parser, source.text());
  if (model.parsed.documents.empty() && !model.parsed.statements.empty()) {
    model.parsed.document_parser = std::move(json_parser);  // parsed whole: the Nodes are in its document
  }
  model.statements.reserve(model.parsed.statements.size());
  model.places.reserve(model.parsed.statements.size());
  for (ParsedStatement& raw : model.parsed.statements) {
    raw.raw = raw_after_copy_data(text, raw.raw, parse.copy_data);
    const Statement& statement =
        model.statements.emplace_back(source, raw.ast, raw.raw, raw.location_base,
                                      static_cast<uint32_t>(model.statements.size()), raw.stand_in);
    model.places.push_back(StatementPlace{raw.raw, statement.begin(), statement.node_kind()});
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

// The tokens of `parsed` (a piece that had to be split) that its problems' findings read (the
// offending token, a newer construct's tokens): those inside its failing statements.
void keep_problem_tokens(const ParsedSql& parsed, std::vector<Token>& kept) {
  std::size_t t = 0;
  for (const ParseProblem& problem : parsed.problems) {
    while (t < parsed.tokens.size() && parsed.tokens[t].begin < problem.statement.begin) {
      ++t;
    }
    for (; t < parsed.tokens.size() &&
           parsed.tokens[t].begin < std::max(problem.statement.end, problem.offset + 1);
         ++t) {
      kept.push_back(parsed.tokens[t]);
    }
  }
}

// The streamed model of a text parsed in pieces, or nothing when a piece cannot be trusted
// (parse_piece).
std::optional<FileModel> build_streamed_model(const SourceFile& source, TextToParse& parse,
                                              const std::function<void(const Statement&)>& visit,
                                              Chunking chunking) {
  std::string_view text = parse.condensed ? std::string_view(*parse.condensed) : source.text();
  auto pieces = std::make_shared<StatementPieces>();
  pieces->ends = piece_ends(text, chunking);
  FileModel model;
  model.source = &source;
  std::shared_ptr<simdjson::dom::parser> json_parser = parser_for_model();
  const bool directives = may_contain_directives(source.text());
  std::vector<Token> comments;  // those that may be directives
  uint32_t begin = 0;
  for (uint32_t end : pieces->ends) {
    std::optional<ParsedSql> parsed = parse_piece(text, begin, end, *json_parser);
    if (!parsed) {
      return std::nullopt;
    }
    pieces->first_statement.push_back(static_cast<uint32_t>(model.places.size()));
    for (const ParsedStatement& raw : parsed->statements) {
      ByteSpan span = raw_after_copy_data(text, raw.raw, parse.copy_data);
      Statement statement(source, raw.ast, span, raw.location_base,
                          static_cast<uint32_t>(model.places.size()));
      model.places.push_back(StatementPlace{span, statement.begin(), statement.node_kind()});
      visit(statement);
    }
    // A statement that does not parse is its piece's problem, not the file's: the other pieces
    // stay streamed (a whole-file parse of 20 MB took 20 times the file).
    if (!parsed->problems.empty()) {
      keep_problem_tokens(*parsed, model.parsed.tokens);
      std::move(parsed->problems.begin(), parsed->problems.end(), std::back_inserter(model.parsed.problems));
    }
    if (directives) {
      // A piece begins where a statement does (right after a `;`): scanned alone, its tokens are
      // those of the whole text.
      // parse_piece checked the lexer's cost of this piece.
      for (const Token& token :
           scan_tokens(text.substr(begin, end - begin), begin, nullptr, LexerCost::CheckedByCaller)) {
        if (token.is_comment() &&
            may_contain_directives(source.text().substr(token.begin, token.end - token.begin))) {
          comments.push_back(token);
        }
      }
    }
    begin = end;
  }
  if (directives) {
    uint32_t first_statement =
        model.places.empty() ? static_cast<uint32_t>(source.size()) : model.places.front().begin;
    model.directives = read_directives(source.text(), comments, first_statement);
    model.directives_read = true;
  }
  pieces->condensed = std::move(parse.condensed);
  model.pieces = std::move(pieces);
  return model;
}

}  // namespace

FileModel build_model(const SourceFile& source, bool condense_bulk_rows) {
  return build_whole_model(source, text_to_parse(source, condense_bulk_rows));
}

FileModel build_model_visiting(const SourceFile& source, bool condense_bulk_rows,
                               const std::function<void(const Statement&)>& visit, Chunking chunking) {
  TextToParse parse = text_to_parse(source, condense_bulk_rows);
  std::size_t length = parse.condensed ? parse.condensed->size() : source.size();
  if (length >= chunking.minimum) {
    if (std::optional<FileModel> streamed = build_streamed_model(source, parse, visit, chunking)) {
      return std::move(*streamed);
    }
    // A piece could not be trusted: the file is parsed whole (and split where it fails), as a small
    // one; `visit` sees its statements again from the first.
  }
  FileModel model = build_whole_model(source, std::move(parse));
  for (const Statement& statement : model.statements) {
    visit(statement);
  }
  return model;
}

FileModel build_model_visiting(const SourceFile& source, bool condense_bulk_rows,
                               const std::function<void(const Statement&)>& visit) {
  return build_model_visiting(source, condense_bulk_rows, visit, Chunking{});
}

struct StatementCursor::Piece {
  std::size_t index = 0;  // of the piece in StatementPieces
  std::shared_ptr<simdjson::dom::parser> parser;
  std::optional<ParsedSql> parsed;
  std::vector<Statement> statements;
  std::size_t first = 0;  // index of statements[0] in the file
  // The COPY data blocks of the source: a statement after one begins after it (as the model's).
  std::vector<ByteSpan> copy_data;
};

StatementCursor::StatementCursor(const FileModel& model) : model_(model) {}
StatementCursor::~StatementCursor() = default;

const Statement& StatementCursor::at(std::size_t index) {
  if (!model_.streamed()) {
    return model_.statements[index];
  }
  const StatementPieces& pieces = *model_.pieces;
  if (!piece_) {
    piece_ = std::make_unique<Piece>();
    piece_->parser = parser_for_model();
    if (pieces.condensed) {
      piece_->copy_data = copy_data_blocks(model_.source->text());
    }
  }
  Piece& piece = *piece_;
  while (!piece.parsed || index >= piece.first + piece.statements.size()) {
    std::size_t next = piece.parsed ? piece.index + 1 : 0;
    if (next >= pieces.ends.size()) {
      throw std::out_of_range("statement index past the file's statements");
    }
    // Statements of no piece before `index` are wanted again: skip to the piece that holds it.
    while (next + 1 < pieces.ends.size() && pieces.first_statement[next + 1] <= index) {
      ++next;
    }
    const SourceFile& source = *model_.source;
    std::string_view text = pieces.condensed ? std::string_view(*pieces.condensed) : source.text();
    uint32_t begin = next == 0 ? 0 : pieces.ends[next - 1];
    piece.statements.clear();
    piece.parsed = parse_piece(text, begin, pieces.ends[next], *piece.parser);
    if (!piece.parsed) {
      throw std::runtime_error("a piece of the file that parsed before does not parse again");
    }
    piece.index = next;
    piece.first = pieces.first_statement[next];
    piece.statements.reserve(piece.parsed->statements.size());
    for (const ParsedStatement& raw : piece.parsed->statements) {
      piece.statements.emplace_back(source, raw.ast, raw_after_copy_data(text, raw.raw, piece.copy_data),
                                    raw.location_base,
                                    static_cast<uint32_t>(piece.first + piece.statements.size()));
    }
  }
  return piece.statements[index - piece.first];
}

}  // namespace miglint
