#include "analyzer/sql/sql_parser.hpp"

#include <fmt/format.h>
#include <malloc.h>
#include <pg_query.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <new>
#include <optional>

#include "analyzer/sql/lexer_cost.hpp"
#include "analyzer/sql/newer_syntax.hpp"
#include "analyzer/text/ascii.hpp"

namespace miglint {

namespace {

// libpg_query's errors that say a limit was reached rather than the SQL is wrong. They are told by
// how the message begins: messages quote the SQL after their fixed part (`syntax error at or near
// "out of memory"`, bison's `memory exhausted at or near "("`), so a search anywhere in them would
// take a quoted identifier for a resource error.
bool is_out_of_memory(std::string_view message) {
  return message.starts_with("out of memory");
}
bool is_resource_error(std::string_view message) {
  return message.starts_with("stack depth limit exceeded") || is_out_of_memory(message) ||
         message.starts_with("memory exhausted");
}

// The most tokens a statement may have to be parsed. libpg_query's parse tree of a statement, its
// JSON and the tree decoded from that take 50 to 90 times the statement's text when the tokens are
// small (`IN (1, 2, ...)`, `ARRAY[...]`, `CASE WHEN id = 1 THEN ...`): a 29 MB UPDATE peaked at
// 2.5 GB, and under a 4 GB address-space limit libpg_query ended the whole process. Half a million
// tokens is about 2 MB of such SQL: an IN list of them peaks at 136 MB, CASE branches (the densest
// measured) at 248 MB. Rows of constants that INSERT ... VALUES
// holds are blanked before this counts (analyzer/sql/bulk_rows.hpp), and a long string is one token.
constexpr std::size_t kMaxStatementTokens = 500'000;

[[noreturn]] void throw_statement_too_large(uint32_t offset) {
  throw ParserLimit(fmt::format("a statement of more than {} tokens is more than miglint parses (its parse "
                                "tree would take 50 to 90 times its text in memory); split it into smaller "
                                "statements, or exclude the file",
                                kMaxStatementTokens),
                    offset);
}

std::string nested_too_deeply(std::string_view detail) {
  return fmt::format("a statement is nested too deeply for the parser ({})", detail);
}

struct ParseAttempt {
  bool ok = false;
  std::string message;
  uint32_t error_offset = 0;  // byte offset in the parsed text
};

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](char c) { return ascii_lower(c); });
  return out;
}

// A document's tape and string buffer sized to what the parse wrote. simdjson sizes both for the
// worst case of the JSON's length (8 bytes of tape and 1.7 bytes of strings per byte of JSON, most
// never written): a file's documents, kept while it is linted, held about ten times their JSON in
// address space. The tape format is simdjson's documented one (doc/tape.md): entry 0 is the root,
// whose payload is the number of entries (one past the closing root); numbers take a second entry; a string
// entry's payload is its offset in the string buffer, where a 32-bit length, the bytes and a NUL follow.
void compact_document(simdjson::dom::document& document) {
  constexpr uint64_t kPayload = simdjson::internal::JSON_VALUE_MASK;
  const uint64_t* tape = document.tape.get();
  std::size_t entries = static_cast<std::size_t>(tape[0] & kPayload);
  std::size_t string_bytes = 0;
  for (std::size_t i = 0; i < entries; ++i) {
    auto type = static_cast<char>(tape[i] >> 56);
    if (type == '"') {
      std::size_t offset = tape[i] & kPayload;
      uint32_t size = 0;
      std::memcpy(&size, document.string_buf.get() + offset, sizeof(size));
      string_bytes = std::max(string_bytes, offset + sizeof(size) + size + 1);
    } else if (type == 'l' || type == 'u' || type == 'd') {
      ++i;  // the number's value is the next entry
    }
  }
  auto compact_tape = std::make_unique_for_overwrite<uint64_t[]>(entries);
  std::memcpy(compact_tape.get(), tape, entries * sizeof(uint64_t));
  auto compact_strings = std::make_unique_for_overwrite<uint8_t[]>(std::max<std::size_t>(string_bytes, 1));
  std::memcpy(compact_strings.get(), document.string_buf.get(), string_bytes);
  document.tape = std::move(compact_tape);
  document.string_buf = std::move(compact_strings);
}

// Parses `text` and appends its statements, with offsets shifted by `base`. With `borrow`, the
// tree is decoded into the parser's own document (no allocation once it is warm), which stays valid
// until the parser's next use; otherwise into a document `out` owns.
ParseAttempt parse_into(const char* text, std::size_t length, uint32_t base, simdjson::dom::parser& parser,
                        ParsedSql& out, bool borrow) {
  ParseAttempt attempt;
  PgQueryParseResult result = pg_query_parse(text);
  if (result.error != nullptr) {
    attempt.message = result.error->message;
    // Limits of the parser, not syntax errors: a statement parsed alone (after a split) that hits
    // one is the file's error. (A whole text that hits one is split and parsed statement by
    // statement first: that may fit.)
    if (!borrow && is_resource_error(attempt.message)) {
      pg_query_free_parse_result(result);
      if (is_out_of_memory(attempt.message)) {
        throw std::bad_alloc();
      }
      throw ParserLimit(nested_too_deeply(attempt.message), base);
    }
    uint32_t chars = result.error->cursorpos > 0 ? static_cast<uint32_t>(result.error->cursorpos - 1) : 0;
    attempt.error_offset = byte_offset_of_char(std::string_view(text, length), chars);
    pg_query_free_parse_result(result);
    return attempt;
  }
  if (result.parse_tree == nullptr) {
    // libpg_query reports no error when the allocation of its JSON output fails.
    pg_query_free_parse_result(result);
    throw std::bad_alloc();
  }
  // simdjson reads up to SIMDJSON_PADDING bytes past the end (their contents do not matter). When
  // the allocation holding libpg_query's JSON has that much room it is parsed where it is; otherwise
  // from a padded copy in a buffer reused across calls.
  thread_local std::string padded;
  std::string_view json(result.parse_tree);
  const char* input = result.parse_tree;
  if (malloc_usable_size(result.parse_tree) < json.size() + simdjson::SIMDJSON_PADDING) {
    padded.assign(json);
    padded.append(simdjson::SIMDJSON_PADDING, '\0');
    input = padded.data();
  }
  std::unique_ptr<simdjson::dom::document> document;
  simdjson::dom::element root;
  auto decoded = borrow
                     ? parser.parse(input, json.size(), false)
                     : parser.parse_into_document(*(document = std::make_unique<simdjson::dom::document>()),
                                                  input, json.size(), false);
  if (simdjson::error_code code = decoded.get(root); code != simdjson::SUCCESS) {
    pg_query_free_parse_result(result);
    if (!borrow && code == simdjson::MEMALLOC) {
      throw std::bad_alloc();
    }
    if (!borrow && code == simdjson::DEPTH_ERROR) {
      throw ParserLimit(
          nested_too_deeply(fmt::format("statement nested more than {} levels deep", parser.max_depth())),
          base);
    }
    attempt.message = fmt::format("internal error: cannot decode libpg_query's parse tree ({})",
                                  simdjson::error_message(code));
    return attempt;
  }
  pg_query_free_parse_result(result);
  if (document) {
    compact_document(*document);  // before any Node points into it
    root = document->root();
  }
  Node stmts = Node(root)["stmts"];
  for (Node raw : stmts) {
    auto location = static_cast<uint32_t>(raw["stmt_location"].integer());
    auto stmt_len = static_cast<uint32_t>(raw["stmt_len"].integer());
    // JSON omits a zero stmt_len: the last statement runs to the end of the text.
    uint32_t end = stmt_len != 0 ? location + stmt_len : static_cast<uint32_t>(length);
    out.statements.push_back(ParsedStatement{raw["stmt"], ByteSpan{base + location, base + end}, base});
  }
  if (document) {
    out.documents.push_back(std::move(document));
  }
  attempt.ok = true;
  return attempt;
}

// Statement pieces [begin, end) of the token stream, split at `;` outside BEGIN ATOMIC bodies.
struct Piece {
  std::size_t first_token = 0;
  std::size_t last_token = 0;  // exclusive
  uint32_t end_offset = 0;     // offset of the `;`, or the end of the scanned range
};

std::vector<Piece> split_pieces(const std::vector<Token>& tokens, uint32_t text_end) {
  std::vector<Piece> pieces;
  std::size_t start = 0;
  AtomicBodyTracker atomic;
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    const Token& token = tokens[i];
    if (token.is_comment()) {
      continue;
    }
    atomic.step(token);
    if (!atomic.inside() && token.is(TokenKind::Semicolon)) {
      pieces.push_back(Piece{start, i, token.begin});
      start = i + 1;
    }
  }
  pieces.push_back(Piece{start, tokens.size(), text_end});
  return pieces;
}

// A lexer error that blanking the offending characters recovers from: PostgreSQL 16+ integer
// literals (`0x1F`, `1_000`) are "trailing junk" to the 15 lexer, and nothing after them would scan.
bool is_recoverable_lexer_error(std::string_view message) {
  return message.find("trailing junk after") != std::string_view::npos;
}

// The offending literal at `offset`: digits, letters and underscores.
uint32_t literal_end(std::string_view text, uint32_t offset) {
  uint32_t end = offset;
  while (end < text.size() && (is_ascii_alnum(text[end]) || text[end] == '_')) {
    ++end;
  }
  return end;
}

// Parses the PostgreSQL 17 stand-in of a statement of newer syntax (newer_syntax_stand_in) into
// `out` as the statement at `begin`. Returns what it was checked as, or "" when there is no stand-in
// or it does not parse either.
std::string parse_stand_in(const std::string& statement, uint32_t begin, const std::vector<Token>& code,
                           simdjson::dom::parser& parser, ParsedSql& out) {
  std::optional<StandIn> stand_in = newer_syntax_stand_in(statement, begin, code);
  if (!stand_in) {
    return {};
  }
  std::size_t before = out.statements.size();
  // Locations in the stand-in plus the shift are offsets in the statement; unsigned arithmetic
  // wraps, so a negative shift before the first statement of a file adds up too.
  auto base = static_cast<uint32_t>(begin + stand_in->location_shift);
  ParseAttempt attempt = parse_into(stand_in->text.c_str(), stand_in->text.size(), base, parser, out, false);
  if (!attempt.ok || out.statements.size() != before + 1) {
    out.statements.resize(before);
    return {};
  }
  ParsedStatement& parsed = out.statements.back();
  parsed.raw = ByteSpan{begin, begin + static_cast<uint32_t>(statement.size())};
  parsed.location_base = base;
  parsed.stand_in = true;
  return std::move(stand_in->checked_as);
}

void parse_split(const char* text, std::size_t length, simdjson::dom::parser& parser, ParsedSql& out,
                 std::string_view original) {
  std::string_view whole(text, length);
  // Spans of failed statements are the source's (its blanked rows included).
  std::string_view source = original.size() == length ? original : whole;
  // Scan, blanking out literals the 15 lexer rejects (their statements are reported, not parsed).
  std::string blanked;
  std::string_view scannable = whole;
  std::vector<ScanError> blanked_errors;
  ScanError lexer_error;
  while (true) {
    lexer_error = ScanError{};
    out.tokens = scan_tokens(scannable, 0, &lexer_error, LexerCost::CheckedByCaller);
    if (lexer_error.message.empty() || !is_recoverable_lexer_error(lexer_error.message) ||
        blanked_errors.size() >= 1000) {
      break;
    }
    if (blanked.empty()) {
      blanked = std::string(whole);
    }
    uint32_t end = std::max(literal_end(blanked, lexer_error.offset), lexer_error.offset + 1);
    std::fill(blanked.begin() + lexer_error.offset,
              blanked.begin() + std::min<std::size_t>(end, blanked.size()), ' ');
    blanked_errors.push_back(lexer_error);
    scannable = blanked;
  }
  out.tokens_complete = lexer_error.message.empty();
  uint32_t scanned_end = static_cast<uint32_t>(length);
  if (!out.tokens_complete) {
    // Everything before the lexer error still scans; the statement holding it cannot be parsed.
    scanned_end = lexer_error.offset;
    out.tokens = scan_tokens(scannable.substr(0, scanned_end), 0, nullptr, LexerCost::CheckedByCaller);
  }
  std::vector<Piece> pieces = split_pieces(out.tokens, scanned_end);
  for (std::size_t p = 0; p < pieces.size(); ++p) {
    const Piece& piece = pieces[p];
    std::vector<Token> code;
    for (std::size_t i = piece.first_token; i < piece.last_token; ++i) {
      if (!out.tokens[i].is_comment()) {
        code.push_back(out.tokens[i]);
      }
    }
    if (code.size() > kMaxStatementTokens) {
      throw_statement_too_large(code.front().begin);
    }
    bool holds_lexer_error = !out.tokens_complete && p + 1 == pieces.size();
    if (holds_lexer_error) {
      uint32_t begin = code.empty() ? lexer_error.offset : code.front().begin;
      uint32_t end = static_cast<uint32_t>(length);
      while (end > begin && is_ascii_space(source[end - 1])) {
        --end;
      }
      out.problems.push_back(
          ParseProblem{lexer_error.offset,
                       ByteSpan{begin, end},
                       lexer_error.message,
                       classify_newer_syntax(whole, {}, lexer_error.offset, lexer_error.message),
                       {}});
      continue;
    }
    if (code.empty()) {
      continue;
    }
    uint32_t begin = code.front().begin;
    uint32_t end = code.back().end;
    if (source.data() != whole.data()) {
      // Rows blanked after the last token left: the statement ends where the source's does.
      uint32_t source_end = end_of_code(source, end, piece.end_offset);
      if (source_end > end && source.substr(end, source_end - end) != whole.substr(end, source_end - end)) {
        end = source_end;
      }
    }
    auto blanked_here = std::find_if(blanked_errors.begin(), blanked_errors.end(), [&](const ScanError& e) {
      return e.offset >= begin && e.offset < piece.end_offset;
    });
    if (blanked_here != blanked_errors.end()) {
      out.problems.push_back(
          ParseProblem{blanked_here->offset,
                       ByteSpan{begin, end},
                       blanked_here->message,
                       classify_newer_syntax(whole, {}, blanked_here->offset, blanked_here->message),
                       {}});
      continue;
    }
    std::string statement_text(whole.substr(begin, piece.end_offset - begin));
    ParseAttempt attempt =
        parse_into(statement_text.c_str(), statement_text.size(), begin, parser, out, false);
    if (!attempt.ok) {
      uint32_t offset = begin + attempt.error_offset;
      ParseProblem problem{offset,
                           ByteSpan{begin, end},
                           attempt.message,
                           classify_newer_syntax(whole, code, offset, attempt.message),
                           {}};
      if (!problem.newer_construct.empty()) {
        problem.checked_as = parse_stand_in(statement_text, begin, code, parser, out);
      }
      out.problems.push_back(std::move(problem));
    }
  }
}

// Large texts are parsed in pieces (Chunking): libpg_query's parse tree and JSON of one text take
// about 35 times the text while it parses, so a 12 MB file of small statements peaked at 440 MB; in
// pieces of 256 KB the peak is the pieces'.
// Parses `text` in pieces, each decoded into a document of its own. Returns nothing when a piece
// does not parse (a syntax error, a limit, or a cut the small lexer got wrong): the caller parses
// the text as a whole then, as if it were small.
std::optional<ParsedSql> parse_in_chunks(const char* text, std::size_t length, simdjson::dom::parser& parser,
                                         Chunking chunking) {
  std::string_view whole(text, length);
  ParsedSql out;
  std::string piece;
  uint32_t begin = 0;
  for (uint32_t end : piece_ends(whole, chunking)) {
    piece.assign(whole.substr(begin, end - begin));  // NUL-terminated for libpg_query
    try {
      if (!parse_into(piece.c_str(), piece.size(), begin, parser, out, false).ok) {
        return std::nullopt;
      }
    } catch (const ParserLimit&) {
      return std::nullopt;  // the whole-text path finds the statement and reports it
    }
    begin = end;
  }
  return out;
}

}  // namespace

ParsedSql parse_sql(const char* text, std::size_t length, simdjson::dom::parser& parser,
                    std::string_view original, Chunking chunking) {
  // Once for the text: what is parsed below are its pieces and statements (blanking literals, cutting
  // pieces and standing in for newer syntax make no run of operator characters longer).
  require_bounded_lexing(std::string_view(text, length), 0);
  if (length >= chunking.minimum) {
    if (std::optional<ParsedSql> chunked = parse_in_chunks(text, length, parser, chunking)) {
      return std::move(*chunked);
    }
  }
  ParsedSql out;
  ParseAttempt attempt = parse_into(text, length, 0, parser, out, true);
  if (!attempt.ok && is_out_of_memory(attempt.message)) {
    // Splitting scans the whole text with pg_query_scan, which does not survive running out of
    // memory (it crashes): the file is the error.
    throw std::bad_alloc();
  }
  if (!attempt.ok) {
    out.statements.clear();
    out.documents.clear();
    parse_split(text, length, parser, out, original);
  }
  return out;
}

std::vector<uint32_t> piece_ends(std::string_view text, Chunking chunking) {
  std::vector<uint32_t> cuts;  // the end of each piece but the last
  if (text.size() >= chunking.minimum) {
    // Cut with the small lexer (analyzer/sql/tokens.hpp) after a `;` outside parentheses and BEGIN
    // ATOMIC bodies.
    uint32_t piece_begin = 0;
    int depth = 0;
    AtomicBodyTracker atomic;
    std::size_t statement_tokens = 0;  // since the statement's first token
    uint32_t statement_begin = 0;
    visit_lite_tokens(text, 0, static_cast<uint32_t>(text.size()), [&](const Token& token) {
      if (statement_tokens++ == 0) {
        statement_begin = token.begin;
      } else if (statement_tokens > kMaxStatementTokens) {
        throw_statement_too_large(statement_begin);
      }
      atomic.step(token);
      if (token.is(TokenKind::OpenParen)) {
        ++depth;
      } else if (token.is(TokenKind::CloseParen)) {
        depth = std::max(0, depth - 1);
      } else if (token.is(TokenKind::Semicolon) && depth == 0 && !atomic.inside()) {
        statement_tokens = 0;
        if (token.end - piece_begin >= chunking.piece) {
          cuts.push_back(token.end);
          piece_begin = token.end;
        }
      }
      return true;
    });
  }
  cuts.push_back(static_cast<uint32_t>(text.size()));
  return cuts;
}

std::optional<ParsedSql> parse_piece(std::string_view text, uint32_t begin, uint32_t end,
                                     simdjson::dom::parser& parser) {
  std::string piece(text.substr(begin, end - begin));  // NUL-terminated for libpg_query
  require_bounded_lexing(piece, begin);
  ParsedSql out;
  ParseAttempt attempt = parse_into(piece.c_str(), piece.size(), begin, parser, out, true);
  if (attempt.ok) {
    return out;
  }
  if (is_out_of_memory(attempt.message)) {
    throw std::bad_alloc();  // as parse_sql: the scan of the split would not survive it
  }
  // A statement of the piece does not parse: its statements one by one, as parse_sql splits a
  // text, with offsets in the piece and then moved to the text's.
  out = ParsedSql{};
  try {
    parse_split(piece.c_str(), piece.size(), parser, out, {});
  } catch (const ParserLimit& limit) {
    throw ParserLimit(limit.what(), limit.offset() + begin);
  }
  if (!out.tokens_complete && end != text.size()) {
    // A lexer error (an unterminated string, say) runs to the end of the text, where the small
    // lexer that cut the pieces saw none: the cut cannot be trusted.
    return std::nullopt;
  }
  for (ParsedStatement& statement : out.statements) {
    statement.raw = ByteSpan{statement.raw.begin + begin, statement.raw.end + begin};
    statement.location_base += begin;
  }
  for (ParseProblem& problem : out.problems) {
    problem.offset += begin;
    problem.statement = ByteSpan{problem.statement.begin + begin, problem.statement.end + begin};
  }
  for (Token& token : out.tokens) {
    token.begin += begin;
    token.end += begin;
  }
  return out;
}

std::string classify_newer_syntax(std::string_view text, const std::vector<Token>& tokens,
                                  uint32_t error_offset, std::string_view message) {
  if (message.find("must have an alias") != std::string_view::npos) {
    return "a subquery or VALUES list in FROM without an alias (PostgreSQL 16+)";
  }
  if (message.find("trailing junk after numeric literal") != std::string_view::npos) {
    std::string literal = lower(text.substr(error_offset, literal_end(text, error_offset) - error_offset));
    if (literal.starts_with("0x") || literal.starts_with("0o") || literal.starts_with("0b") ||
        literal.find('_') != std::string::npos) {
      return "a non-decimal or underscore-separated integer literal (PostgreSQL 16+)";
    }
    return {};
  }
  auto at =
      std::find_if(tokens.begin(), tokens.end(), [&](const Token& t) { return t.begin == error_offset; });
  std::size_t index = tokens.size();
  if (at != tokens.end()) {
    index = static_cast<std::size_t>(at - tokens.begin());
  } else if (tokens.empty() || error_offset < tokens.back().end) {
    return {};
  }
  // Otherwise the error is "at end of input", after the last token (a virtual generated column at
  // the end of a statement): `current` is empty there.
  auto word = [&](std::size_t i) {
    return i < tokens.size() ? lower(text.substr(tokens[i].begin, tokens[i].end - tokens[i].begin))
                             : std::string();
  };
  std::string current = word(index);
  std::string prev1 = index >= 1 ? word(index - 1) : std::string();
  std::string prev2 = index >= 2 ? word(index - 2) : std::string();
  std::string next1 = index + 1 < tokens.size() ? word(index + 1) : std::string();
  if (current == "repack" && index == 0) {
    return "REPACK (PostgreSQL 19+)";
  }
  if (current == "not" && next1 == "null" && prev2 == "constraint") {
    for (std::size_t i = index + 2; i + 1 < tokens.size(); ++i) {
      if (word(i) == "not" && word(i + 1) == "valid") {
        return "a named NOT NULL constraint added NOT VALID (PostgreSQL 18+)";
      }
    }
    return "a named NOT NULL constraint (PostgreSQL 18+)";
  }
  bool alters_or_creates_table =
      tokens.size() >= 2 && (word(0) == "alter" || word(0) == "create") && word(1) == "table";
  if (current == "not" && next1 == "null" && alters_or_creates_table &&
      (prev1 == "add" || prev1 == "," || prev1 == "(")) {
    return "a NOT NULL table constraint (PostgreSQL 18+)";
  }
  if (alters_or_creates_table &&
      ((current == "merge" && next1 == "partitions") || (prev1 == "merge" && current == "partitions"))) {
    return "ALTER TABLE ... MERGE PARTITIONS (PostgreSQL 19+)";
  }
  if (alters_or_creates_table &&
      ((current == "split" && next1 == "partition") || (prev1 == "split" && current == "partition"))) {
    return "ALTER TABLE ... SPLIT PARTITION (PostgreSQL 19+)";
  }
  if (current == "virtual" && prev1 == ")") {
    return "a virtual generated column (PostgreSQL 18+)";
  }
  if (current == "enforced" && prev1 == "not") {
    return "a NOT ENFORCED constraint (PostgreSQL 18+)";
  }
  if (current == "expression" && prev1 == "set") {
    return "ALTER COLUMN ... SET EXPRESSION (PostgreSQL 17+)";
  }
  if (current == "json" && (prev1 == "is" || prev1 == "not")) {
    return "an IS JSON predicate (PostgreSQL 16+)";
  }
  if (current == "returning" && !tokens.empty() && word(0) == "merge") {
    return "MERGE ... RETURNING (PostgreSQL 17+)";
  }
  if (current == "without" && next1 == "overlaps") {
    return "a WITHOUT OVERLAPS constraint (PostgreSQL 18+)";
  }
  // GENERATED ALWAYS AS (expr) without STORED: a virtual generated column (PostgreSQL 18+).
  if (index >= 1 && prev1 == ")") {
    int depth = 0;
    std::size_t open = index - 1;
    for (std::size_t i = index; i-- > 0;) {
      std::string w = word(i);
      depth += w == ")" ? 1 : w == "(" ? -1 : 0;
      if (depth == 0) {
        open = i;
        break;
      }
    }
    if (open >= 3 && word(open - 1) == "as" && word(open - 2) == "always" && word(open - 3) == "generated") {
      return "a virtual generated column (PostgreSQL 18+)";
    }
  }
  // SQL/JSON constructors and query functions: the error is inside their parentheses.
  static constexpr std::string_view kJsonFunctions[] = {
      "json_object", "json_array", "json_objectagg", "json_arrayagg", "json_table",
      "json_query",  "json_value", "json_exists",    "json_scalar",   "json_serialize"};
  int depth = 0;
  for (std::size_t i = index; i-- > 0;) {
    std::string w = word(i);
    if (w == ")") {
      ++depth;
    } else if (w == "(") {
      if (depth == 0 && i >= 1) {
        std::string function = word(i - 1);
        for (std::string_view name : kJsonFunctions) {
          if (function == name) {
            return "an SQL/JSON " + function + "(...) call (PostgreSQL 16+)";
          }
        }
      }
      depth = std::max(0, depth - 1);
    }
  }
  return {};
}

}  // namespace miglint
