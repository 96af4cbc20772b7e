#pragma once

// What a rule's fix needs and how it is found: one fixer function per fixable rule (fixer_table.cpp),
// called after the lint for a finding that is not suppressed, with the file's parsed statements and
// transaction plan. Fixers are pure: they return edits and never write.
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>

#include "analyzer/engine/linter.hpp"
#include "analyzer/model/finding.hpp"
#include "analyzer/project/transaction_plan.hpp"
#include "analyzer/sql/statement.hpp"
#include "analyzer/text/text_edit.hpp"
#include "fixes/constraint_names.hpp"

namespace miglint {

// Values that fixes write into a migration.
struct FixSettings {
  // `SET lock_timeout = '...'` and `SET statement_timeout = '...'` (PostgreSQL interval text);
  // empty statement_timeout: none is set (the runner's [run] statement_timeout = 0).
  std::string lock_timeout = "2s";
  std::string statement_timeout = "1min";
};

// One file being fixed, as its fixers see it.
struct FileFixContext {
  const SourceFile& source;
  const FileModel& model;
  const TransactionPlan& plan;
  const FileDirectives& directives;
  const LintOptions& options;
  const FixSettings& settings;
  // Statements that a concurrency fix of this pass makes CONCURRENTLY (their findings are not
  // suppressed): a file's transaction can be dropped only when every other statement in it can run
  // outside one.
  std::set<std::size_t> becoming_concurrent;
  // Whether each statement of the file can run outside a transaction as it is (a SET that is not
  // LOCAL, a CONCURRENTLY operation), by index.
  std::vector<bool> runs_outside_fine;
  // "table column" pairs whose type a statement of the file changes (ALTER COLUMN ... TYPE): their
  // declared type is not fixed (the change would read differently); every column of a file too
  // large to hold its statements.
  std::set<std::string> retyped_columns;
  bool all_columns_retyped = false;
  // The constraint names the file's statements write or PostgreSQL gives their unnamed constraints:
  // an unnamed constraint is named by its fix only when no other constraint of the file claims its
  // name. Unknown for a file too large to hold its statements (no name is given then).
  ConstraintNameClaims constraint_names;
  bool constraint_names_known = false;
};

using Fixer = std::optional<Fix> (*)(const Finding& finding, const Statement& statement,
                                     const FileFixContext& context);

struct FixerEntry {
  std::string_view rule;
  // What the fix does, for `miglint rules` and the docs.
  std::string_view summary;
  Fixer fixer;
  // Fixes that may change how a file runs (CONCURRENTLY, which can take the file out of its
  // transaction) go first: when one is applied, the file's other fixes wait for the next pass, which
  // plans them on the changed file.
  bool changes_transactions = false;
};

// Every fixer, by rule id.
std::span<const FixerEntry> fixer_table();
const FixerEntry* find_fixer(std::string_view rule);

// Helpers the fixers share (fix_support.cpp).

// The text of a token.
std::string_view token_text(const Statement& statement, const Token& token);
// Whether a token is the word `word` (lower case), in any case.
bool is_word(const Statement& statement, const Token& token, std::string_view word);
// The offset just past the `;` that ends the statement, or its last token's end when none does.
// `*has_semicolon` says which.
uint32_t end_after_semicolon(const Statement& statement, bool* has_semicolon);
// Inserts `lines` (each ending in the file's line terminator) before the statement: at the start of
// its line when only blanks come before it there (the new lines take its indentation), else just
// before it.
TextEdit insert_lines_before(const Statement& statement, std::string_view lines_lf);
// The segment of the plan statement `index` runs in (nullptr when none: cannot happen).
const TransactionSegment* segment_of(const TransactionPlan& plan, std::size_t index);
const PlanSection* section_of(const TransactionPlan& plan, std::size_t index);
// A name as an SQL identifier: as is when PostgreSQL would read it back unchanged, else in double quotes.
std::string sql_identifier(std::string_view name);
// Text for the file: "\n" of `lf_text` as the file's line terminator.
std::string with_file_line_endings(const SourceFile& source, std::string_view lf_text);

}  // namespace miglint
