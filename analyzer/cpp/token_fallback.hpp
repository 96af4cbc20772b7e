#pragma once

// Calls in code Clang could not read: when a header is missing, Clang drops the statements that use
// what it declared, so the calls of the main file are found again from its raw tokens, the way a
// reader would (the calls, their literal arguments, constants and #defines of the file,
// function-like macros around query functions, the transaction mode from how the object is
// declared). Only the Clang lexer is needed, not the AST.
#include <string>
#include <vector>

#include "analyzer/cpp/front_end.hpp"

namespace clang {
class SourceManager;
class LangOptions;
}  // namespace clang

namespace miglint::cpp {

// "myapp::db::run" -> "run"
inline std::string last_component(const std::string& name) {
  std::size_t colon = name.rfind("::");
  return colon == std::string::npos ? name : name.substr(colon + 2);
}

// Adds the main file's calls that `calls` (found in the AST, in source order) lacks, and completes
// those whose SQL argument or object type the AST could not resolve. Keeps `calls` in source order.
void find_calls_lexically(const clang::SourceManager& sm, const clang::LangOptions& options,
                          const CppSettings& settings, std::vector<ExtractedCall>& calls);

}  // namespace miglint::cpp
