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

struct PreparedFile {
  FileModel model;
  TransactionPlan plan;
  std::vector<std::vector<SchemaEvent>> facts;
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
