#pragma once

// The interface between miglint and its C++ front end. The front end (miglint-cpp-front-end, the
// only program that links Clang) is started only when C++ inputs exist, so this header must stay
// free of Clang: plain data in, plain data out, sent over a socket (front_end_protocol.hpp).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "analyzer/frontend/placeholders.hpp"

namespace miglint::cpp {

// How a query function's SQL marks its run-time values (the front-end seam's PlaceholderStyle).
using miglint::parse_placeholder_style;
using miglint::PlaceholderStyle;

// A function or method whose argument `sql_arg` is SQL sent to PostgreSQL.
struct QueryFunction {
  // A qualified name ("PQexec", "myapp::db::run", "myapp::Db::execute"); for the libpqxx defaults
  // just the method name, matched on any class of namespace pqxx.
  std::string name;
  unsigned sql_arg = 0;  // 0-based, not counting the object of a method call
  PlaceholderStyle placeholders = PlaceholderStyle::Dollar;
  // Whether the call runs inside a transaction. nullopt (the libpqxx defaults): from the object's
  // type: pqxx::work, transaction<>, subtransaction, robusttransaction... yes; nontransaction and
  // connection no.
  std::optional<bool> in_transaction = false;
  bool pqxx_method = false;
  // Whether `placeholders` was configured ([[cpp.query_functions]] placeholders = ...). When it was
  // not, a call that passes format arguments after its SQL is read with the style its SQL shows
  // ({} or %s): a project's own `exec(fmt, args...)` helper works without configuration.
  bool placeholders_explicit = false;
};

// The defaults: libpq's PQexec, PQexecParams, PQprepare, PQsendQuery, PQsendQueryParams,
// PQsendPrepare and libpqxx's exec, exec0, exec1, exec_n, exec_params, prepare.
std::vector<QueryFunction> default_query_functions();

// [cpp] in miglint.toml.
struct CppSettings {
  bool enabled = true;
  std::vector<std::string> extensions{".cpp", ".cc", ".cxx", ".h", ".hpp"};
  std::vector<QueryFunction> query_functions = default_query_functions();
  std::string compile_commands_dir;     // -p DIR or [cpp] compile_commands_dir; empty: walk up
  std::vector<std::string> extra_args;  // [cpp] args: added to every compile command
};

// Whether `path` names a C++ source by its extension.
bool is_cpp_path(std::string_view path, const CppSettings& settings);

// One call of a query function, with its SQL argument when that is a constant.
struct ExtractedCall {
  uint32_t call_begin = 0;  // file offsets of the call expression (sorts calls in source order)
  uint32_t call_end = 0;
  uint32_t argument_begin = 0;  // the SQL argument
  uint32_t argument_end = 0;
  std::string function;  // the function as matched, for messages
  PlaceholderStyle placeholders = PlaceholderStyle::Dollar;
  bool placeholders_explicit = false;  // QueryFunction::placeholders_explicit of the function matched
  // Arguments follow the SQL argument (`exec("DROP TABLE {}", name)`): its placeholders may be a
  // format string's.
  bool format_arguments = false;
  // Which transaction of the program the call runs in (an id per transaction object); nullopt:
  // autocommit.
  std::optional<uint64_t> transaction;
  bool transaction_guessed = false;  // the object's type was unknown (the front end's own use)
  bool dynamic = false;              // the argument is built at run time: `sql` is empty
  std::string sql;
  std::vector<uint32_t> sql_offsets;  // per byte of `sql`: its file offset (in the literal)
};

struct CppExtractRequest {
  std::string filesystem_path;
  std::string_view contents;  // the file's bytes as miglint read them (the staged version, stdin...)
  const CppSettings* settings = nullptr;
};

struct CppExtraction {
  std::vector<ExtractedCall> calls;  // in source order
  // Non-empty when Clang could not read all of the file (missing headers...): "line:col: message",
  // and how many errors there were. What could be read was still extracted.
  std::string incomplete;
  std::optional<std::string> error;  // nothing could be extracted
};

}  // namespace miglint::cpp
