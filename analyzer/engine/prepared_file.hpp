#pragma once

// A file made ready for the statement walk: its model, the transaction sections its plan runs it in,
// and each statement's schema facts; the facts of its up sections are published for later files.
#include <cstddef>
#include <vector>

#include "analyzer/engine/linter.hpp"
#include "analyzer/model/schema.hpp"
#include "analyzer/project/transaction_plan.hpp"
#include "analyzer/sql/file_model.hpp"

namespace miglint {

// The schema facts of a file's statements: only the few that teach one hold an entry (one empty
// vector per statement was a fifth of a streamed file's memory).
class StatementFacts {
 public:
  void add(uint32_t statement, std::vector<SchemaEvent> events);
  // Forgets the facts of statement `first` and those after it (they are seen again).
  void truncate(uint32_t first);
  const std::vector<SchemaEvent>& of(uint32_t statement) const;
  // How many facts statements [first, last) teach.
  std::size_t count(std::size_t first, std::size_t last) const;
  // The facts of statements [first, last), in order, appended to `out`.
  void append(std::size_t first, std::size_t last, std::vector<SchemaEvent>& out) const;

 private:
  std::vector<std::pair<uint32_t, std::vector<SchemaEvent>>> entries_;  // by statement index
};

struct PreparedFile {
  FileModel model;  // a large file's is streamed: StatementCursor parses its statements again
  TransactionPlan plan;
  StatementFacts facts;
};

// Builds the model and plan of `source`, publishes its facts in `history` (may be null) under
// `file_order` and waits for the files before it.
PreparedFile prepare_file(const SourceFile& source, const LintOptions& options, SchemaHistory* history,
                          std::size_t file_order, const EmbeddedPlan* embedded = nullptr);

// An earlier migration read for its schema facts only (applied before a pending one, `--with-history`,
// `plan`'s lock explanation): only the statements that can teach a fact are parsed, so a large seed
// file of INSERTs costs a scan, not a parse tree.
void prepare_facts_only(const SourceFile& source, const LintOptions& options, SchemaHistory& history,
                        std::size_t index);

}  // namespace miglint
