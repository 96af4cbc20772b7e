#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "analyzer/sql/directives.hpp"
#include "analyzer/sql/sql_parser.hpp"
#include "analyzer/sql/statement.hpp"
#include "analyzer/text/source_file.hpp"

namespace miglint {

struct EmbeddedPlan;

// Where a statement is and what kind it is, without its parse tree: what ignore comments,
// fingerprints and the transaction plan need of every statement of a file.
struct StatementPlace {
  ByteSpan raw;        // as ParsedStatement::raw
  uint32_t begin = 0;  // Statement::begin()
  pg::NodeKind kind{};
  // Statement::span(): from the first token to just past the last.
  ByteSpan span(std::string_view text) const { return ByteSpan{begin, end_of_code(text, begin, raw.end)}; }
};

// A large file's statements parsed again, a piece at a time (see FileModel::streamed).
struct StatementPieces {
  std::optional<std::string> condensed;   // the text parsed, when it is not the source's
  std::vector<uint32_t> ends;             // piece_ends() of that text
  std::vector<uint32_t> first_statement;  // per piece, the index of its first statement
};

// A file's statements in order, with the pieces around them that the lint driver and the runner
// need: parse problems, directives (ignores, dbmate sections, `-- miglint-no-transaction`).
struct FileModel {
  const SourceFile* source = nullptr;
  ParsedSql parsed;
  // Every statement with its parse tree; empty when streamed (StatementCursor hands them out).
  std::vector<Statement> statements;
  std::vector<StatementPlace> places;  // every statement, streamed or not
  FileDirectives directives;
  bool directives_read = false;            // false: the text cannot hold a directive (none were looked for)
  const EmbeddedPlan* embedded = nullptr;  // set for SQL assembled from a program's calls (C++)
  // A large file whose statements' parse trees are not kept (they took 25-35 times the file):
  // StatementCursor parses its pieces again, one at a time.
  std::shared_ptr<const StatementPieces> pieces;
  bool streamed() const { return pieces != nullptr; }
  std::size_t statement_count() const { return places.size(); }
};

// Parses `source` (which must outlive the model) with the SQL front end. The model keeps its parse
// tree alive: models built one after another on one thread are all valid. With `condense_bulk_rows`
// (analyzer/sql/bulk_rows.hpp), constant rows of INSERT ... VALUES are not put in the parse tree.
FileModel build_model(const SourceFile& source, bool condense_bulk_rows = true);

// The same for the lint driver, which needs each statement's tree twice (for the transaction plan
// and the facts before the walk, for the rules in it): `visit` sees every statement, in order, while
// its tree is alive. A file parsed in pieces (Chunking) gives a streamed model, whose trees are
// dropped piece by piece, a statement that does not parse a problem of its piece; any other file
// (or one whose pieces cannot be trusted, see parse_piece) the model of build_model. The rows of
// COPY ... FROM STDIN are never parsed, in either model (analyzer/sql/copy_data.hpp).
FileModel build_model_visiting(const SourceFile& source, bool condense_bulk_rows,
                               const std::function<void(const Statement&)>& visit);
// The same with other pieces (tests cut after every statement).
FileModel build_model_visiting(const SourceFile& source, bool condense_bulk_rows,
                               const std::function<void(const Statement&)>& visit, Chunking chunking);

// Hands out a model's statements with their parse trees, by index, in non-decreasing order: a
// streamed model's are parsed again a piece at a time, valid until a statement of a later piece is
// asked for.
class StatementCursor {
 public:
  explicit StatementCursor(const FileModel& model);
  ~StatementCursor();
  StatementCursor(const StatementCursor&) = delete;
  StatementCursor& operator=(const StatementCursor&) = delete;
  const Statement& at(std::size_t index);

 private:
  struct Piece;
  const FileModel& model_;
  std::unique_ptr<Piece> piece_;
};

}  // namespace miglint
