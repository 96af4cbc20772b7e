#include "analyzer/engine/prepared_file.hpp"

#include <algorithm>
#include <optional>

#include "analyzer/model/fact_reading.hpp"
#include "analyzer/sql/directives.hpp"
#include "analyzer/sql/statement.hpp"

namespace miglint {

namespace {

// The model of a file, with the ignore comments of embedded SQL scoped to their call.
FileModel build_model(const SourceFile& source, const EmbeddedPlan* embedded, bool condense_bulk_rows) {
  FileModel model = build_model(source, condense_bulk_rows);
  model.embedded = embedded;
  if (embedded != nullptr) {
    // The calls are in text order: the one whose directives may hold a comment is found by binary
    // search (a C++ file may have tens of thousands of calls and as many ignore comments).
    const std::vector<EmbeddedCallRegion>& calls = embedded->calls;
    for (IgnoreDirective& directive : model.directives.ignores) {
      auto after = std::upper_bound(
          calls.begin(), calls.end(), directive.span.begin,
          [](uint32_t at, const EmbeddedCallRegion& call) { return at < call.directives.begin; });
      if (directive.whole_file || after == calls.begin()) {
        continue;
      }
      const EmbeddedCallRegion& call = *(after - 1);
      if (directive.span.end <= call.directives.end) {
        directive.scope = call.sql;
      }
    }
  }
  return model;
}

// The facts of the file's up sections, in order, for later files.
std::vector<SchemaEvent> facts_to_publish(const std::vector<PlanSection>& sections,
                                          const std::vector<std::vector<SchemaEvent>>& facts) {
  std::vector<SchemaEvent> events;
  for (const PlanSection& section : sections) {
    if (section.down) {
      continue;
    }
    for (std::size_t i = section.first; i < section.last; ++i) {
      events.insert(events.end(), facts[i].begin(), facts[i].end());
    }
  }
  return events;
}

}  // namespace

PreparedFile prepare_file(const SourceFile& source, const LintOptions& options, SchemaHistory* history,
                          std::size_t file_order, const EmbeddedPlan* embedded) {
  PreparedFile file{build_model(source, embedded, options.condense_bulk_rows), {}, {}};
  file.plan =
      plan_transactions(file.model, options.execution, options.pg_version, options.assume_in_transaction);
  file.facts.reserve(file.model.statements.size());
  for (const Statement& statement : file.model.statements) {
    file.facts.push_back(schema_events(statement));
  }
  if (history != nullptr) {
    history->publish(file_order, facts_to_publish(file.plan.sections, file.facts));
    history->wait_for_files_before(file_order);
  }
  return file;
}

void prepare_facts_only(const SourceFile& source, const LintOptions& options, SchemaHistory& history,
                        std::size_t index) {
  std::optional<SourceFile> lighter = fact_statements_only(source);
  prepare_file(lighter ? *lighter : source, options, &history, index);
}

}  // namespace miglint
