#pragma once

// The C++ front end: the SQL that a C++ file's query-function calls send, taken by the Clang
// process (miglint-cpp-front-end, started on first use, only when there are C++ inputs: see
// front_end_process.hpp), with the file's ignore
// comments; the front-end seam (analyzer/frontend/) assembles, lints and maps back. Its settings are
// miglint.toml's [cpp] table, which it reads itself.
#include <string>
#include <string_view>
#include <vector>

#include "analyzer/cpp/front_end.hpp"
#include "analyzer/frontend/embedded_sql.hpp"
#include "analyzer/frontend/front_end.hpp"
#include "analyzer/project/config_table.hpp"

namespace miglint::cpp {

using miglint::kDynamicSqlRule;
using AssembledSql = miglint::AssembledSql;

// [cpp] and [[cpp.query_functions]] as the front-end seam carries them.
struct CppFrontEndSettings : FrontEndSettings {
  CppSettings cpp;
};

const FrontEnd& cpp_front_end();

// The reader of [cpp] (enabled, extensions, compile_commands_dir made absolute relative to the config
// file's directory, args, default_query_functions, [[cpp.query_functions]]).
ConfigTable cpp_config_table();

// What the Clang module extracted from `source`, as the front-end seam takes it: calls, ignore
// comments, the warning of a file Clang could not read all of.
EmbeddedSource embedded_source(const SourceFile& source, CppExtraction extraction);

// The SQL of a C++ file's calls as one text (`calls` in source order; the file's ignore comments
// copied above their call), and a span of that text as a span of the C++ file.
AssembledSql assemble_calls(std::string_view cpp_text, const std::vector<ExtractedCall>& calls);
ByteSpan map_to_cpp(const AssembledSql& assembled, ByteSpan span);

}  // namespace miglint::cpp
