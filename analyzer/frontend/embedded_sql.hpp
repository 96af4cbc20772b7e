#pragma once

// SQL embedded in a program, the language-independent half of every front end but SQL's: the calls
// a front end found (each call's SQL and, per byte, where it is in the source file), assembled in
// source order into one SQL text that the ordinary pipeline lints as one migration, with each
// call's transaction and the directive comments written above it; and the way back, from a
// position in that text to the source file.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "analyzer/frontend/placeholders.hpp"
#include "analyzer/model/finding.hpp"
#include "analyzer/model/rule.hpp"
#include "analyzer/text/source_file.hpp"

namespace miglint {

// The note on a call whose SQL is built at run time (the front end cannot read it).
inline constexpr std::string_view kDynamicSqlRule = "dynamic-sql";
// The note on the first call of a file whose placeholder style was read from its SQL.
inline constexpr std::string_view kPlaceholderStyleRule = "placeholder-style-assumed";

// One call that sends SQL, as a front end found it in its source file.
struct EmbeddedCall {
  uint32_t call_begin = 0;  // the whole call (orders calls; places directive comments)
  uint32_t call_end = 0;
  ByteSpan argument;  // the SQL argument
  // The program's transaction the call runs in (an id per transaction object); nullopt: autocommit.
  std::optional<uint64_t> transaction;
  bool dynamic = false;  // the argument is built at run time: `sql` is empty, a dynamic-sql note is made
  std::string sql;
  std::vector<uint32_t> sql_offsets;  // per byte of `sql`: its offset in the source file
  // Run-time placeholders in `sql` (replaced by same-length stand-ins that parse).
  PlaceholderStyle placeholders = PlaceholderStyle::Dollar;
  // `placeholders` was not configured but read from the SQL itself (a format string followed by its
  // arguments): the first such call of a file gets a kPlaceholderStyleRule note naming the style.
  bool placeholders_assumed = false;
  std::string function;  // the function called, as the front end names it (for messages)
  // The way back (an Alembic revision's downgrade()): linted as a down migration, after the calls
  // that are not, teaching later files nothing.
  bool down = false;
};

// A problem a front end found at a place in its source file: an error (a part of the file could
// not be read: `rule` empty), or a finding of one of the front end's own rules (the Alembic revision
// graph rules), its ignore comments already applied by the front end.
struct FrontEndProblem {
  ByteSpan span;
  std::string rule;
  std::string message;
  std::string help;
  bool suppressed = false;
  std::string suppression_reason;
};

// A comment of the source file holding a miglint directive (`miglint-ignore rule -- reason`). It is
// copied into the SQL as an SQL comment: one marking the whole file goes first; another above the
// call it is written in or trails on the same line, else above the next call.
struct DirectiveComment {
  ByteSpan span;  // the comment in the source file
  bool whole_file = false;
  // The length of the comment's line marker (`//`: 2, `#`: 1), written as `--` in SQL; 0: the
  // comment is SQL as written (`/* ... */`).
  uint32_t line_marker_length = 0;
};

// What a front end found in one file, in source order.
struct EmbeddedSource {
  std::vector<EmbeddedCall> calls;
  std::vector<DirectiveComment> directives;
  // Problems that did not stop the file from being read, one line each ("a.cpp:3:10: ..."): the
  // CLI prints them as warnings.
  std::vector<std::string> warnings;
  // The note on a dynamic call (kDynamicSqlRule), in the program's terms: what cannot be read, and
  // how to make it readable or silence the note.
  std::string dynamic_sql_message;
  std::string dynamic_sql_help;
  // Errors and findings the front end made in source-file coordinates (FrontEndProblem).
  std::vector<FrontEndProblem> problems;
};

// What each call contributed to the assembled text.
struct EmbeddedCallRegion {
  ByteSpan sql;         // the call's SQL in the assembled text
  ByteSpan directives;  // directive comments copied from the program for this call (they cover `sql`)
  // The program's transaction the call runs in (an id per transaction object); nullopt: autocommit.
  std::optional<uint64_t> transaction;
  bool down = false;  // EmbeddedCall::down
};
struct EmbeddedPlan {
  std::vector<EmbeddedCallRegion> calls;  // in text order
  // Findings the front end made itself (in assembled-text coordinates), filtered by ignores like
  // the rules' findings; an ignore applies to those that start within its call's `sql`.
  std::vector<Finding> front_end_findings;
};

// The SQL of a file's calls as one text, and for each of its bytes the source offset it comes
// from. Each call's SQL ends with `\n;\n` so that calls never run into each other.
struct AssembledSql {
  std::string text;
  std::vector<uint32_t> offsets;  // text.size() entries
  EmbeddedPlan plan;
  // The dynamic calls: where their stand-in byte is in `text`, and the argument in the source.
  std::vector<std::pair<uint32_t, ByteSpan>> dynamic_arguments;
  // For each call with run-time placeholders, in text order: its SQL in `text`, and each name or
  // value that holds a stand-in (`idx_p_`) with what the program wrote there (`idx_{}`), so that
  // messages name the source text, never the stand-in.
  struct StandInWords {
    ByteSpan sql;
    std::vector<std::pair<std::string, std::string>> words;
  };
  std::vector<StandInWords> stand_in_words;
  // All calls' words, for findings that name what an earlier call changed.
  std::vector<std::pair<std::string, std::string>> all_stand_in_words;
  // The first call whose placeholder style was assumed (EmbeddedCall::placeholders_assumed): its
  // SQL in `text`, the style and the function.
  struct AssumedStyle {
    ByteSpan sql;
    PlaceholderStyle style = PlaceholderStyle::Dollar;
    std::string function;
  };
  std::optional<AssumedStyle> assumed_style;
};

// `source_text` is the file the calls and comments are in; both lists in source order.
AssembledSql assemble_calls(std::string_view source_text, const std::vector<EmbeddedCall>& calls,
                            const std::vector<DirectiveComment>& directives);

// A byte span of the assembled text as a span of the source file.
ByteSpan map_to_source(const AssembledSql& assembled, ByteSpan span);

// Adds to the plan the dynamic-sql note of every dynamic call, with the front end's message and
// help (`dynamic_rule`: the rule; null, when it is unknown, adds none).
void add_dynamic_sql_notes(AssembledSql& assembled, const std::string& path, const Rule* dynamic_rule,
                           const EmbeddedSource& source);

// Adds to the plan the kPlaceholderStyleRule note on the first call whose placeholder style was read
// from its SQL (`rule` null: none).
void add_placeholder_style_note(AssembledSql& assembled, const std::string& path, const Rule* rule);

// Findings in assembled-text coordinates moved to `source`: spans, positions, source lines; a
// dynamic-sql note points at the call's argument; stand-ins in messages and help are replaced by the
// placeholders the program wrote. Sorted by position, then rule.
void map_findings_to_source(const AssembledSql& assembled, const SourceFile& source,
                            std::vector<Finding>& findings);

}  // namespace miglint
