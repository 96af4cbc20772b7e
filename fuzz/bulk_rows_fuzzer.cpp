// Rows of INSERT ... VALUES left out of the parse tree (analyzer/sql/bulk_rows.hpp), differentially:
// the text with rows blanked keeps every byte where it was, and linting it finds exactly what linting
// the text as written does (the same findings, spans, messages and statement keys). A row blanked
// that a rule reads, or that hid a syntax error, is a difference.
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>

#include "analyzer/engine/linter.hpp"
#include "analyzer/sql/bulk_rows.hpp"
#include "fuzz/fuzz_support.hpp"
#include "rules/registry.hpp"

using namespace miglint;
using miglint::fuzz::require;

namespace {

std::string describe(const FileResult& result) {
  std::string out;
  for (const Finding& f : result.findings) {
    out += f.rule + " " + std::to_string(f.span.begin) + "-" + std::to_string(f.span.end) + " " + f.message +
           (f.suppressed ? " suppressed " : " ") + f.statement_key + "#" +
           std::to_string(f.statement_occurrence) + "\n";
  }
  for (const InputError& error : result.errors) {
    out += "error " + error.message + "\n";
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const RuleSet rules(all_rules(), {}, {});
  std::string text(fuzz::as_text(data, size));
  std::optional<std::string> condensed = without_bulk_rows(text);
  if (!condensed) {
    return 0;  // nothing blanked: nothing to compare
  }
  require(condensed->size() == text.size(), "blanking rows moved bytes");
  for (std::size_t i = 0; i < text.size(); ++i) {
    require((*condensed)[i] == text[i] || (*condensed)[i] == ' ', "blanking wrote something but a space");
    require(text[i] != '\n' || (*condensed)[i] == '\n', "blanking removed a line break");
  }
  Expected<SourceFile> source = source_from_bytes("/fuzz/0001_input.sql", text);
  if (!source) {
    return 0;
  }
  LintOptions with;
  with.statement_keys = true;
  with.assume_in_transaction = size % 2 == 1;
  with.jobs = 1;
  LintOptions without = with;
  without.condense_bulk_rows = false;
  std::string expected;
  try {
    expected = describe(lint_source(*source, without, rules));
  } catch (const std::exception&) {
    return 0;  // a limit of the parser (too deep, too many tokens) on the whole text: not compared
  }
  std::string found = describe(lint_source(*source, with, rules));
  if (found != expected) {
    std::fprintf(stderr, "as written:\n%s\nrows blanked:\n%s\n", expected.c_str(), found.c_str());
  }
  require(found == expected, "blanking rows changed the findings");
  return 0;
}
