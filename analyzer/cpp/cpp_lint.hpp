#pragma once

// Linting C++ sources: the SQL that the file's query-function calls send, taken from the Clang
// front end (loaded on demand), assembled in source order into one migration context, linted by the
// ordinary pipeline, and the findings mapped back to the literals in the C++ file.
#include <string>
#include <string_view>
#include <vector>

#include "analyzer/cpp/front_end.hpp"
#include "analyzer/engine/linter.hpp"

namespace miglint::cpp {

inline constexpr std::string_view kDynamicSqlRule = "dynamic-sql";

// The Clang front end (libmiglint_cpp.so), loaded on first use; nullptr, with the reason in
// `why_not`, when it cannot be loaded (miglint built without Clang, library missing).
const FrontEndApi* load_front_end(std::string* why_not);
// Whether the front end has been loaded in this process (for tests of the pure-SQL path).
bool front_end_loaded();

// The SQL of a C++ file's calls as one text, and for each of its bytes the C++ file offset it
// comes from. Each call's SQL ends with `\n;\n` so that calls never run into each other; the
// ignore comments written above a call are copied (as SQL comments) in front of its SQL.
struct AssembledSql {
  std::string text;
  std::vector<uint32_t> offsets;  // text.size() entries
  EmbeddedPlan plan;
  // The dynamic calls: where their stand-in byte is in `text`, and the argument in the C++ file.
  std::vector<std::pair<uint32_t, ByteSpan>> dynamic_arguments;
};

// `calls` in source order; `cpp_text` is the C++ file (for its ignore comments).
AssembledSql assemble_calls(std::string_view cpp_text, const std::vector<ExtractedCall>& calls);

// A byte span of the assembled text as a span of the C++ file.
ByteSpan map_to_cpp(const AssembledSql& assembled, ByteSpan span);

// Lints one C++ file: extraction, assembly, the pipeline, mapping back.
FileResult lint_cpp_source(const SourceFile& source, const std::string& filesystem_path,
                           const LintOptions& options, const RuleSet& rules, SchemaHistory* history = nullptr,
                           std::size_t file_order = 0);

// The same from calls already extracted (tests; the front end is not needed).
FileResult lint_extracted_calls(const SourceFile& source, const CppExtraction& extraction,
                                const LintOptions& options, const RuleSet& rules,
                                SchemaHistory* history = nullptr, std::size_t file_order = 0);

}  // namespace miglint::cpp
