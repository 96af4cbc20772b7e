// The runner's statement splitter (runner/script.cpp): a migration split into the statements
// `miglint run` sends one by one, with their transaction segments, for every PostgreSQL version.
#include <cstdint>
#include <string>

#include "analyzer/text/source_file.hpp"
#include "fuzz/fuzz_support.hpp"
#include "runner/script.hpp"

using namespace miglint;
using miglint::fuzz::require;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Expected<SourceFile> source =
      source_from_bytes("/fuzz/db/0003_input.sql", std::string(fuzz::as_text(data, size)));
  if (!source) {
    return 0;
  }
  int pg_version = 10 + static_cast<int>(size % 9);
  Expected<runner::MigrationScript> script = runner::plan_script(*source, pg_version);
  if (!script) {
    require(!script.error().message.empty(), "a script error without a message");
    return 0;
  }
  require(script->executed.begin <= script->executed.end && script->executed.end <= source->size(),
          "the executed part lies outside the file");
  uint32_t previous_end = 0;
  for (const runner::ScriptStatement& statement : script->statements) {
    require(statement.span.begin >= previous_end, "statements overlap or are out of order");
    require(statement.span.begin < statement.span.end && statement.span.end <= source->size(),
            "a statement outside the file");
    require(statement.start == source->position(statement.span.begin),
            "a statement's start is not its position");
    require(!runner::statement_label(source->text(), statement).empty(), "a statement without a label");
    previous_end = statement.span.end;
  }
  std::size_t next = script->segments.empty() ? 0 : script->segments.front().first;
  for (const runner::Segment& segment : script->segments) {
    require(segment.first == next, "segments leave a gap or overlap");
    require(segment.first < segment.last && segment.last <= script->statements.size(),
            "a segment outside the statements");
    next = segment.last;
  }
  runner::script_mode_name(script->mode);
  return 0;
}
