#include "analyzer/engine/prepared_file.hpp"

#include <algorithm>
#include <optional>

#include "analyzer/model/fact_reading.hpp"
#include "analyzer/sql/directives.hpp"
#include "analyzer/sql/statement.hpp"

namespace miglint {

namespace {

// The ignore comments of embedded SQL scoped to their call.
void scope_embedded_ignores(FileModel& model, const EmbeddedPlan* embedded) {
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
}

// The facts of the file's up sections, in order, for later files.
std::vector<SchemaEvent> facts_to_publish(const std::vector<PlanSection>& sections,
                                          const StatementFacts& facts) {
  std::vector<SchemaEvent> events;
  // Counted first: a vector grown by doubling held up to twice the file's facts.
  std::size_t count = 0;
  for (const PlanSection& section : sections) {
    if (!section.down) {
      count += facts.count(section.first, section.last);
    }
  }
  events.reserve(count);
  for (const PlanSection& section : sections) {
    if (!section.down) {
      facts.append(section.first, section.last, events);
    }
  }
  return events;
}

// Statements of calls a front end marks as the way back (an Alembic revision's downgrade(), run
// after its upgrade()) form a down section of their own: linted as a down migration, in a context
// of their own, teaching later files no facts.
void split_down_calls(const FileModel& model, const EmbeddedPlan& embedded, TransactionPlan& plan) {
  if (plan.sections.size() != 1) {
    return;
  }
  const std::size_t count = model.statement_count();
  std::size_t first_down = count;
  for (std::size_t i = 0; i < count && first_down == count; ++i) {
    uint32_t at = model.places[i].begin;
    for (const EmbeddedCallRegion& call : embedded.calls) {
      if (call.down && at >= call.sql.begin && at < call.sql.end) {
        first_down = i;
        break;
      }
    }
  }
  if (first_down == count) {
    return;
  }
  PlanSection up = std::move(plan.sections.front());
  PlanSection down{first_down, up.last, true, up.wrapped, {}};
  up.last = first_down;
  std::vector<TransactionSegment> segments = std::move(up.segments);
  up.segments.clear();
  for (TransactionSegment segment : segments) {
    if (segment.first < first_down) {
      TransactionSegment part = segment;
      part.last = std::min(segment.last, first_down);
      up.segments.push_back(part);
    }
    if (segment.last > first_down) {
      TransactionSegment part = segment;
      part.first = std::max(segment.first, first_down);
      down.segments.push_back(part);
    }
  }
  plan.sections.clear();
  if (first_down > 0) {
    plan.sections.push_back(std::move(up));
  }
  plan.sections.push_back(std::move(down));
}

}  // namespace

void StatementFacts::add(uint32_t statement, std::vector<SchemaEvent> events) {
  if (!events.empty()) {
    events.shrink_to_fit();  // kept for the whole file: without the room the vector grew into
    entries_.emplace_back(statement, std::move(events));
  }
}

void StatementFacts::truncate(uint32_t first) {
  while (!entries_.empty() && entries_.back().first >= first) {
    entries_.pop_back();
  }
}

const std::vector<SchemaEvent>& StatementFacts::of(uint32_t statement) const {
  static const std::vector<SchemaEvent> kNone;
  auto it = std::lower_bound(entries_.begin(), entries_.end(), statement,
                             [](const auto& entry, uint32_t at) { return entry.first < at; });
  return it != entries_.end() && it->first == statement ? it->second : kNone;
}

std::size_t StatementFacts::count(std::size_t first, std::size_t last) const {
  std::size_t total = 0;
  auto it = std::lower_bound(entries_.begin(), entries_.end(), first,
                             [](const auto& entry, std::size_t at) { return entry.first < at; });
  for (; it != entries_.end() && it->first < last; ++it) {
    total += it->second.size();
  }
  return total;
}

void StatementFacts::append(std::size_t first, std::size_t last, std::vector<SchemaEvent>& out) const {
  auto it = std::lower_bound(entries_.begin(), entries_.end(), first,
                             [](const auto& entry, std::size_t at) { return entry.first < at; });
  for (; it != entries_.end() && it->first < last; ++it) {
    out.insert(out.end(), it->second.begin(), it->second.end());
  }
}

PreparedFile prepare_file(const SourceFile& source, const LintOptions& options, SchemaHistory* history,
                          std::size_t file_order, const EmbeddedPlan* embedded) {
  PreparedFile file;
  std::vector<PlannedStatement> planned;
  // Each statement's place in the plan and its facts, while its parse tree is alive (a large file's
  // trees are dropped piece by piece and parsed again for the walk).
  file.model = build_model_visiting(source, options.condense_bulk_rows, [&](const Statement& statement) {
    planned.resize(statement.index());  // seen again from the first: the file is parsed whole after all
    file.facts.truncate(statement.index());
    planned.push_back(planned_statement(statement, options.pg_version));
    file.facts.add(statement.index(), schema_events(statement));
  });
  scope_embedded_ignores(file.model, embedded);
  file.plan =
      plan_transactions(file.model, std::move(planned), options.execution, options.assume_in_transaction);
  if (embedded != nullptr) {
    split_down_calls(file.model, *embedded, file.plan);
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
