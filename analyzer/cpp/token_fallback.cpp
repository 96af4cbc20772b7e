// The token fallback of the C++ front end (see token_fallback.hpp). Part of miglint-cpp-front-end.
#include "analyzer/cpp/token_fallback.hpp"

#include <clang/Basic/SourceManager.h>
#include <clang/Basic/TokenKinds.h>
#include <clang/Lex/Lexer.h>

#include <algorithm>
#include <functional>
#include <optional>
#include <set>

#include "analyzer/cpp/cpp_text.hpp"

namespace miglint::cpp {

namespace {

struct RawToken {
  clang::tok::TokenKind kind;
  uint32_t begin;
  uint32_t end;
  std::string text;  // identifiers only
  bool line_start = false;
};

std::vector<RawToken> raw_tokens(const clang::SourceManager& sm, const clang::LangOptions& options) {
  std::vector<RawToken> tokens;
  llvm::StringRef text = sm.getBufferData(sm.getMainFileID());
  clang::Lexer lexer(sm.getLocForStartOfFile(sm.getMainFileID()), options, text.begin(), text.begin(),
                     text.end());
  lexer.SetCommentRetentionState(false);
  clang::Token token;
  while (true) {
    lexer.LexFromRawLexer(token);
    if (token.is(clang::tok::eof)) {
      break;
    }
    uint32_t begin = sm.getFileOffset(token.getLocation());
    uint32_t end = begin + token.getLength();
    if (token.is(clang::tok::raw_identifier) || token.is(clang::tok::hash)) {
      tokens.push_back({token.getKind(), begin, end, std::string(text.substr(begin, end - begin)),
                        token.isAtStartOfLine()});
    } else {
      tokens.push_back({token.getKind(), begin, end, {}, token.isAtStartOfLine()});
    }
  }
  return tokens;
}

bool is_string_token(const RawToken& token) {
  return clang::tok::isStringLiteral(token.kind);
}

// Whether the object named `name` was declared (lexically, before `before`) with a libpqxx
// transaction type: `pqxx::work txn{c}`, `pqxx::transaction<> t(c)`, `pqxx::nontransaction n(c)`.
struct LexicalObject {
  bool transactional = true;  // unknown objects are taken to be transactions of their own
  std::size_t declaration = 0;
};
LexicalObject object_declared_transactional(const std::vector<RawToken>& tokens, std::size_t before,
                                            const std::string& name) {
  for (std::size_t i = before; i-- > 1;) {
    if (tokens[i].kind != clang::tok::raw_identifier || tokens[i].text != name) {
      continue;
    }
    std::size_t type = i - 1;
    if (tokens[type].kind == clang::tok::amp || tokens[type].kind == clang::tok::star) {
      type = type > 0 ? type - 1 : type;
    }
    if (tokens[type].kind == clang::tok::greater) {
      while (type > 0 && tokens[type].kind != clang::tok::less) {
        --type;
      }
      type = type > 0 ? type - 1 : type;
    }
    if (tokens[type].kind != clang::tok::raw_identifier) {
      continue;
    }
    const std::string& type_name = tokens[type].text;
    if (type_name == "nontransaction" || type_name == "connection") {
      return LexicalObject{false, i};
    }
    if (type_name == "work" || type_name == "transaction" || type_name == "subtransaction" ||
        type_name == "robusttransaction" || type_name == "dbtransaction" || type_name == "transaction_base" ||
        type_name == "read_transaction") {
      return LexicalObject{true, i};
    }
  }
  return LexicalObject{};
}

// The string tokens that define `name` as a constant in the main file, read from the tokens:
// `#define NAME "..."`, or `NAME = "..." "...";` / `NAME{"..."}` / `NAME("...")` in a declaration
// that is never assigned again. [first, last) into `tokens`, or nullopt.
std::optional<std::pair<std::size_t, std::size_t>> literal_definition(const std::vector<RawToken>& tokens,
                                                                      const std::string& name,
                                                                      std::size_t before) {
  auto strings_from = [&](std::size_t first, bool same_line) {
    std::size_t last = first;
    while (last < tokens.size() && is_string_token(tokens[last]) && !(same_line && tokens[last].line_start)) {
      ++last;
    }
    return last;
  };
  std::optional<std::pair<std::size_t, std::size_t>> found;
  int assignments = 0;
  for (std::size_t i = 0; i + 2 < tokens.size(); ++i) {
    if (tokens[i].kind != clang::tok::raw_identifier || tokens[i].text != name) {
      continue;
    }
    clang::tok::TokenKind next = tokens[i + 1].kind;
    if (next == clang::tok::equal || next == clang::tok::plusequal) {
      ++assignments;
    }
    if (i >= before || found) {
      continue;
    }
    bool define = i >= 2 && tokens[i - 1].text == "define" && tokens[i - 2].kind == clang::tok::hash;
    if (define) {
      std::size_t last = strings_from(i + 1, true);
      if (last > i + 1 && (last == tokens.size() || tokens[last].line_start)) {
        found = std::pair{i + 1, last};
      }
      continue;
    }
    if (next == clang::tok::equal || next == clang::tok::l_brace || next == clang::tok::l_paren) {
      std::size_t last = strings_from(i + 2, false);
      clang::tok::TokenKind closing = last < tokens.size() ? tokens[last].kind : clang::tok::eof;
      bool declared =
          i > 0 && (tokens[i - 1].kind == clang::tok::raw_identifier ||
                    tokens[i - 1].kind == clang::tok::star || tokens[i - 1].kind == clang::tok::greater);
      if (declared && last > i + 2 &&
          (closing == clang::tok::semi || closing == clang::tok::r_brace || closing == clang::tok::r_paren)) {
        found = std::pair{i + 2, last};
        --assignments;  // the initialisation itself
      }
    }
  }
  if (found && assignments <= 0) {
    return found;
  }
  return std::nullopt;
}

}  // namespace

void find_calls_lexically(const clang::SourceManager& sm, const clang::LangOptions& options,
                          const CppSettings& settings, std::vector<ExtractedCall>& calls) {
  llvm::StringRef text = sm.getBufferData(sm.getMainFileID());
  std::vector<RawToken> tokens = raw_tokens(sm, options);
  std::string_view file(text.data(), text.size());
  std::size_t found_by_ast = calls.size();
  // The call the AST already has at `offset`, if any.
  auto covering = [&](uint32_t offset) -> ExtractedCall* {
    for (std::size_t k = 0; k < found_by_ast; ++k) {
      if (calls[k].call_begin <= offset && offset < calls[k].call_end) {
        return &calls[k];
      }
    }
    return nullptr;
  };
  // Preprocessor directives (a #define's body is not a call) are skipped.
  std::vector<bool> in_directive(tokens.size(), false);
  for (std::size_t i = 0, directive = 0; i < tokens.size(); ++i) {
    if (tokens[i].line_start) {
      directive = tokens[i].kind == clang::tok::hash ? 1 : 0;
    }
    in_directive[i] = directive != 0;
  }
  // A declaration `PGresult* PQexec(PGconn*, const char*)` or `void Db::run(...)` is not a call:
  // the name (with its qualifiers) follows a type.
  auto declared_here = [&](std::size_t name) {
    std::size_t k = name;
    while (k >= 2 && tokens[k - 1].kind == clang::tok::coloncolon &&
           tokens[k - 2].kind == clang::tok::raw_identifier) {
      k -= 2;
    }
    if (k == 0) {
      return false;
    }
    const RawToken& before = tokens[k - 1];
    if (before.kind == clang::tok::star || before.kind == clang::tok::amp) {
      return k >= 2 && tokens[k - 2].kind == clang::tok::raw_identifier;
    }
    static const std::set<std::string> not_types = {"return", "co_return", "co_await", "throw",
                                                    "else",   "do",        "case"};
    return before.kind == clang::tok::raw_identifier && !not_types.contains(before.text);
  };
  auto matching = [&](const std::string& name, bool member,
                      const std::vector<QueryFunction>& functions) -> const QueryFunction* {
    for (const QueryFunction& function : functions) {
      if (function.pqxx_method ? member && name == function.name
                               : !member && name == last_component(function.name)) {
        return &function;
      }
    }
    return nullptr;
  };
  // Function-like macros of this file that pass one of their parameters as a query function's
  // SQL (`#define RUN(c, sql) PQexec((c), (sql))`): their calls are calls too.
  std::vector<QueryFunction> functions = settings.query_functions;
  for (std::size_t i = 0; i + 3 < tokens.size(); ++i) {
    if (tokens[i].kind != clang::tok::hash || !tokens[i].line_start || tokens[i + 1].text != "define" ||
        tokens[i + 2].kind != clang::tok::raw_identifier || tokens[i + 3].kind != clang::tok::l_paren ||
        tokens[i + 3].begin != tokens[i + 2].end) {
      continue;
    }
    std::vector<std::string> parameters;
    std::size_t k = i + 4;
    for (; k < tokens.size() && tokens[k].kind != clang::tok::r_paren && !tokens[k].line_start; ++k) {
      if (tokens[k].kind == clang::tok::raw_identifier) {
        parameters.push_back(tokens[k].text);
      }
    }
    for (std::size_t b = k + 1; b + 1 < tokens.size() && !tokens[b].line_start; ++b) {
      bool in_body_member =
          tokens[b - 1].kind == clang::tok::period || tokens[b - 1].kind == clang::tok::arrow;
      const QueryFunction* base =
          tokens[b].kind == clang::tok::raw_identifier && tokens[b + 1].kind == clang::tok::l_paren
              ? matching(tokens[b].text, in_body_member, settings.query_functions)
              : nullptr;
      if (base == nullptr) {
        continue;
      }
      // The base call's SQL argument: a parameter, perhaps in parentheses.
      unsigned argument = 0;
      int depth = 0;
      for (std::size_t a = b + 1; a < tokens.size() && !tokens[a].line_start; ++a) {
        clang::tok::TokenKind kind = tokens[a].kind;
        depth += kind == clang::tok::l_paren ? 1 : kind == clang::tok::r_paren ? -1 : 0;
        if (depth == 0) {
          break;
        }
        if (depth == 1 && kind == clang::tok::comma) {
          ++argument;
        } else if (argument == base->sql_arg && kind == clang::tok::raw_identifier) {
          auto parameter = std::find(parameters.begin(), parameters.end(), tokens[a].text);
          if (parameter != parameters.end()) {
            QueryFunction derived = *base;
            derived.name = tokens[i + 2].text;
            derived.sql_arg = static_cast<unsigned>(parameter - parameters.begin());
            derived.pqxx_method = false;
            derived.in_transaction = base->in_transaction.value_or(in_body_member);
            functions.push_back(std::move(derived));
          }
          break;
        }
      }
      break;
    }
  }
  for (std::size_t i = 0; i + 1 < tokens.size(); ++i) {
    if (tokens[i].kind != clang::tok::raw_identifier || tokens[i + 1].kind != clang::tok::l_paren ||
        in_directive[i]) {
      continue;
    }
    bool member =
        i > 0 && (tokens[i - 1].kind == clang::tok::period || tokens[i - 1].kind == clang::tok::arrow);
    const QueryFunction* match = matching(tokens[i].text, member, functions);
    if (!member && declared_here(i)) {
      continue;
    }
    uint32_t call_begin = member && i >= 2 ? tokens[i - 2].begin : tokens[i].begin;
    ExtractedCall* from_ast = covering(tokens[i].begin);
    // A call the AST has, with its SQL, needs nothing; one whose argument the AST could not
    // resolve (its declaration in a missing header) may still name a constant of this file.
    if (match == nullptr || (from_ast != nullptr && !from_ast->dynamic && !from_ast->transaction_guessed)) {
      continue;
    }
    // The arguments: token ranges between top-level commas.
    std::vector<std::pair<std::size_t, std::size_t>> arguments;
    int depth = 0;
    std::size_t start = i + 2;
    std::size_t j = i + 1;
    for (; j < tokens.size(); ++j) {
      clang::tok::TokenKind kind = tokens[j].kind;
      if (kind == clang::tok::l_paren || kind == clang::tok::l_brace || kind == clang::tok::l_square) {
        ++depth;
      } else if (kind == clang::tok::r_paren || kind == clang::tok::r_brace || kind == clang::tok::r_square) {
        if (--depth == 0) {
          if (j > start) {
            arguments.emplace_back(start, j);
          }
          break;
        }
      } else if (kind == clang::tok::comma && depth == 1) {
        arguments.emplace_back(start, j);
        start = j + 1;
      }
    }
    if (j >= tokens.size()) {
      continue;
    }
    unsigned sql_arg = match->sql_arg;
    if (match->pqxx_method && match->name == "prepare" && arguments.size() == 1) {
      sql_arg = 0;
    }
    if (sql_arg >= arguments.size()) {
      continue;
    }
    auto [first, last] = arguments[sql_arg];
    ExtractedCall call;
    call.function = tokens[i].text;
    call.placeholders = match->placeholders;
    call.placeholders_explicit = match->placeholders_explicit;
    call.format_arguments = arguments.size() > sql_arg + 1;
    call.call_begin = call_begin;
    call.call_end = tokens[j].end;
    call.argument_begin = tokens[first].begin;
    call.argument_end = tokens[last - 1].end;
    bool all_strings = true;
    for (std::size_t k = first; k < last; ++k) {
      all_strings = all_strings && is_string_token(tokens[k]);
    }
    // NAME, NAME.c_str(), NAME.data(): a constant defined in this file.
    bool named =
        tokens[first].kind == clang::tok::raw_identifier &&
        (last == first + 1 || (last == first + 5 && tokens[first + 1].kind == clang::tok::period &&
                               (tokens[first + 2].text == "c_str" || tokens[first + 2].text == "data")));
    if (!all_strings && named) {
      if (auto definition = literal_definition(tokens, tokens[first].text, first)) {
        std::tie(first, last) = *definition;
        all_strings = true;
      }
    }
    if (all_strings) {
      for (std::size_t k = first; k < last && !call.dynamic; ++k) {
        std::optional<DecodedLiteral> decoded = decode_string_literal(file, tokens[k].begin);
        if (!decoded) {
          call.dynamic = true;
          break;
        }
        call.sql += decoded->bytes;
        call.sql_offsets.insert(call.sql_offsets.end(), decoded->offsets.begin(), decoded->offsets.end());
      }
    } else {
      call.dynamic = true;
    }
    if (call.dynamic) {
      call.sql.clear();
      call.sql_offsets.clear();
    }
    bool transactional = false;
    if (match->in_transaction) {
      transactional = *match->in_transaction;
    }
    std::optional<LexicalObject> object;
    if (member && i >= 2 && tokens[i - 2].kind == clang::tok::raw_identifier) {
      object = object_declared_transactional(tokens, i - 2, tokens[i - 2].text);
      transactional = match->in_transaction ? transactional : object->transactional;
    } else if (member && i >= 3 && !match->in_transaction &&
               (tokens[i - 2].kind == clang::tok::r_brace || tokens[i - 2].kind == clang::tok::r_paren)) {
      // A temporary: pqxx::nontransaction{c}.exec(...), pqxx::work(c).exec(...).
      std::size_t open = i - 2;
      for (int nesting = 0; open > 0; --open) {
        clang::tok::TokenKind kind = tokens[open].kind;
        nesting += (kind == clang::tok::r_brace || kind == clang::tok::r_paren)   ? 1
                   : (kind == clang::tok::l_brace || kind == clang::tok::l_paren) ? -1
                                                                                  : 0;
        if (nesting == 0) {
          break;
        }
      }
      transactional =
          !(open > 0 && (tokens[open - 1].text == "nontransaction" || tokens[open - 1].text == "connection"));
    }
    if (transactional) {
      // Calls on the same object share its transaction: identify it by its name and declaration.
      call.transaction =
          object ? (std::hash<std::string>{}(tokens[i - 2].text) + object->declaration) | (1ULL << 63)
                 : (1ULL << 62) + tokens[i].begin;
    }
    if (from_ast != nullptr) {
      // The AST had the call but not its SQL, or not the object's type: the tokens tell.
      if (from_ast->dynamic && !call.dynamic) {
        from_ast->dynamic = false;
        from_ast->sql = std::move(call.sql);
        from_ast->sql_offsets = std::move(call.sql_offsets);
      }
      if (from_ast->transaction_guessed) {
        from_ast->transaction = call.transaction;
        from_ast->transaction_guessed = false;
      }
      continue;
    }
    calls.push_back(std::move(call));
  }
  std::sort(calls.begin(), calls.end(),
            [](const ExtractedCall& a, const ExtractedCall& b) { return a.call_begin < b.call_begin; });
}

}  // namespace miglint::cpp
