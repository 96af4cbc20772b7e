#include "analyzer/project/transaction_plan.hpp"
#include <algorithm>

#include "analyzer/project/migration_layout.hpp"
#include "analyzer/sql/backfill_statement.hpp"
#include "analyzer/sql/pg_nodes.hpp"

namespace miglint {

namespace {

using Kind = TransactionSegment::Kind;

// The dbmate section each statement is in (-1: before any marker, or a file without markers).
std::vector<int> dbmate_section_of_statements(const FileModel& model) {
  const auto& sections = model.directives.sections;
  std::vector<int> of(model.statement_count(), -1);
  std::size_t k = 0;
  int current = -1;
  for (std::size_t i = 0; i < model.statement_count(); ++i) {
    while (k < sections.size() && sections[k].begin <= model.places[i].begin) {
      current = static_cast<int>(k++);
    }
    of[i] = current;
  }
  return of;
}

// Statements [first, last) run as written: the file's BEGIN ... COMMIT blocks, every other statement
// on its own. A BEGIN inside a block is nested (ignored by PostgreSQL) and stays in it; a block that
// is never closed runs to the end of the section.
std::vector<TransactionSegment> as_written(const std::vector<PlannedStatement>& statements, std::size_t first,
                                           std::size_t last) {
  std::vector<TransactionSegment> segments;
  segments.reserve(last - first);
  std::size_t i = first;
  while (i < last) {
    if (statements[i].control != TransactionControl::Begin) {
      segments.push_back(TransactionSegment{Kind::Autocommit, i, i + 1});
      ++i;
      continue;
    }
    std::size_t end = i + 1;
    while (end < last && !ends_transaction(statements[end].control)) {
      ++end;
    }
    std::size_t stop = end < last ? end + 1 : last;
    segments.push_back(TransactionSegment{Kind::Explicit, i, stop});
    i = stop;
  }
  return segments;
}

// How a migration tool runs a section that is not a dbmate one: wrapped when the tool wraps files,
// unless the file must run outside a transaction.
bool tool_wraps(const FileModel& model, const std::vector<PlannedStatement>& statements, std::size_t first,
                std::size_t last, bool assume_in_transaction) {
  bool only_concurrent = true;
  bool any_concurrent = false;
  for (std::size_t k = first; k < last; ++k) {
    bool concurrent = statements[k].concurrent;
    any_concurrent = any_concurrent || concurrent;
    only_concurrent =
        only_concurrent && (concurrent || model.places[k].kind == pg::NodeKind::VariableSetStmt);
  }
  bool unwrapped = model.directives.no_transaction || (any_concurrent && only_concurrent);
  return assume_in_transaction && !unwrapped;
}

void plan_tool_section(const TransactionPlan& plan, PlanSection& section) {
  if (section.wrapped) {
    section.segments.push_back(TransactionSegment{Kind::Wrapped, section.first, section.last});
  } else {
    section.segments = as_written(plan.statements, section.first, section.last);
  }
}

void plan_runner_schema_part(const FileModel& model, TransactionPlan& plan, PlanSection& section,
                             bool dbmate_transactional);

// The runner's plan for the section it executes (docs/runner.md, "How statements run"): its schema
// part, then its backfills (docs/runner.md, "Managed backfills"), each one Autocommit segment that
// the runner executes in batches. Backfills must end the section; when a statement that is not one
// follows a backfill, the section is planned as if there were none (runner/script.cpp refuses it).
void plan_runner_section(const FileModel& model, TransactionPlan& plan, PlanSection& section,
                         bool dbmate_transactional) {
  std::vector<bool> backfill(section.last - section.first, false);
  bool any = false;
  for (const BackfillUse& use : resolve_backfills(model)) {
    if (use.statement && *use.statement >= section.first && *use.statement < section.last) {
      backfill[*use.statement - section.first] = true;
      any = true;
    }
  }
  std::size_t first_backfill = section.last;
  while (any && first_backfill > section.first && backfill[first_backfill - 1 - section.first]) {
    --first_backfill;
  }
  bool only_trailing = any && std::count(backfill.begin(), backfill.end(), true) ==
                                  static_cast<std::ptrdiff_t>(section.last - first_backfill);
  if (!only_trailing) {
    plan_runner_schema_part(model, plan, section, dbmate_transactional);
    return;
  }
  std::size_t last = section.last;
  section.last = first_backfill;
  plan_runner_schema_part(model, plan, section, dbmate_transactional);
  section.last = last;
  if (plan.script_mode == ScriptMode::OneTransaction) {
    plan.script_mode = ScriptMode::Segmented;  // the schema transaction, then a transaction per batch
  }
  for (std::size_t i = first_backfill; i < last; ++i) {
    section.segments.push_back(TransactionSegment{Kind::Autocommit, i, i + 1});
  }
  section.wrapped = section.segments.front().kind == Kind::Wrapped;
}

void plan_runner_schema_part(const FileModel& model, TransactionPlan& plan, PlanSection& section,
                             bool dbmate_transactional) {
  const auto& statements = plan.statements;
  bool controls = model.directives.no_transaction || !dbmate_transactional;
  bool any_outside = false;
  for (std::size_t i = section.first; i < section.last; ++i) {
    TransactionControl control = statements[i].control;
    controls = controls || control == TransactionControl::Begin || ends_transaction(control);
    any_outside = any_outside || statements[i].outside_transaction;
  }
  if (section.first == section.last) {
    plan.script_mode = ScriptMode::OneTransaction;
    section.wrapped = true;
    return;
  }
  if (controls) {
    plan.script_mode = ScriptMode::AsWritten;
    section.wrapped = false;
    section.segments = as_written(statements, section.first, section.last);
    for (const TransactionSegment& segment : section.segments) {
      if (segment.kind != Kind::Explicit || plan.problem) {
        continue;
      }
      for (std::size_t i = segment.first + 1; i < segment.last; ++i) {
        if (statements[i].outside_transaction) {
          plan.problem = PlanProblem{PlanProblem::Kind::OutsideInTransaction, i, segment.first};
          break;
        }
      }
      if (!plan.problem && !ends_transaction(statements[segment.last - 1].control)) {
        plan.problem = PlanProblem{PlanProblem::Kind::NeverCommitted, segment.first, segment.first};
      }
    }
    return;
  }
  if (!any_outside) {
    plan.script_mode = ScriptMode::OneTransaction;
    section.wrapped = true;
    section.segments.push_back(TransactionSegment{Kind::Wrapped, section.first, section.last});
    return;
  }
  plan.script_mode = ScriptMode::Segmented;
  std::size_t i = section.first;
  while (i < section.last) {
    if (statements[i].outside_transaction) {
      section.segments.push_back(TransactionSegment{Kind::Autocommit, i, i + 1});
      ++i;
      continue;
    }
    std::size_t end = i;
    while (end < section.last && !statements[end].outside_transaction) {
      ++end;
    }
    section.segments.push_back(TransactionSegment{Kind::Wrapped, i, end});
    i = end;
  }
  section.wrapped = section.segments.front().kind == Kind::Wrapped;
}

// The BEGINs whose transaction is neither committed nor rolled back before their section ends.
void find_unclosed_begins(TransactionPlan& plan) {
  for (const PlanSection& section : plan.sections) {
    // In a section the tool wraps, a BEGIN is nested in the tool's transaction, which the tool
    // commits: it is not left open (transaction-nesting reports it).
    if (section.wrapped) {
      continue;
    }
    std::optional<uint32_t> open;
    for (std::size_t i = section.first; i < section.last; ++i) {
      TransactionControl control = plan.statements[i].control;
      if (control == TransactionControl::Begin && !open) {
        open = static_cast<uint32_t>(i);
      } else if (ends_transaction(control)) {
        open.reset();
      }
    }
    if (open) {
      plan.unclosed_begins.push_back(*open);
    }
  }
}

}  // namespace

PlannedStatement planned_statement(const Statement& statement, int pg_version) {
  bool concurrent = is_concurrent_operation(statement);
  return PlannedStatement{transaction_control(statement),
                          cannot_run_in_transaction(statement, pg_version, concurrent), concurrent};
}

TransactionPlan plan_transactions(const FileModel& model, ExecutionMode mode, int pg_version,
                                  bool assume_in_transaction) {
  std::vector<PlannedStatement> statements;
  statements.reserve(model.statements.size());
  for (const Statement& statement : model.statements) {
    statements.push_back(planned_statement(statement, pg_version));
  }
  return plan_transactions(model, std::move(statements), mode, assume_in_transaction);
}

TransactionPlan plan_transactions(const FileModel& model, std::vector<PlannedStatement> statements,
                                  ExecutionMode mode, bool assume_in_transaction) {
  TransactionPlan plan;
  plan.mode = mode;
  const std::size_t count = statements.size();
  plan.statements = std::move(statements);
  if (model.embedded != nullptr) {
    // Each call says whether it runs in a transaction (the program's transaction objects), not the
    // file: the lint driver follows the calls.
    PlanSection section{0, count, false, false, {}};
    section.segments = as_written(plan.statements, 0, count);
    plan.sections.push_back(std::move(section));
    find_unclosed_begins(plan);
    return plan;
  }
  const auto& dbmate = model.directives.sections;
  bool down_file = is_down_migration_path(model.source->path());
  // The part the runner executes: a dbmate file's first up section, else the whole file.
  int runner_section = -1;
  plan.executed = ByteSpan{0, static_cast<uint32_t>(model.source->size())};
  if (!dbmate.empty()) {
    runner_section = static_cast<int>(dbmate.size());
    for (std::size_t k = 0; k < dbmate.size(); ++k) {
      if (!dbmate[k].down) {
        runner_section = static_cast<int>(k);
        break;
      }
    }
    if (runner_section == static_cast<int>(dbmate.size())) {
      plan.executed = ByteSpan{0, 0};
    } else {
      auto up = static_cast<std::size_t>(runner_section);
      plan.executed.begin = dbmate[up].begin;
      plan.executed.end =
          up + 1 < dbmate.size() ? dbmate[up + 1].begin : static_cast<uint32_t>(model.source->size());
    }
  }
  std::vector<int> section_of = dbmate_section_of_statements(model);
  bool runner_section_seen = false;
  std::size_t i = 0;
  do {
    int dbmate_section = count == 0 ? -1 : section_of[i];
    std::size_t j = i;
    while (j < count && section_of[j] == dbmate_section) {
      ++j;
    }
    PlanSection section{i, j, down_file, false, {}};
    bool transactional = true;
    if (dbmate_section >= 0) {
      const Section& marker = dbmate[static_cast<std::size_t>(dbmate_section)];
      transactional = marker.transactional;
      section.down = marker.down;
    }
    bool executed = mode == ExecutionMode::Runner && dbmate_section == runner_section;
    if (executed) {
      runner_section_seen = true;
      plan.first_executed = i;
      plan.last_executed = j;
      plan.executed_section = plan.sections.size();
      plan_runner_section(model, plan, section, transactional);
    } else {
      // dbmate wraps each section in a transaction unless told `transaction:false`.
      section.wrapped = dbmate_section >= 0 ? transactional
                                            : tool_wraps(model, plan.statements, i, j, assume_in_transaction);
      plan_tool_section(plan, section);
    }
    plan.sections.push_back(std::move(section));
    i = j;
  } while (i < count);
  if (mode == ExecutionMode::Runner && !runner_section_seen) {
    // Nothing of the file runs (a dbmate file without statements in its up section).
    plan.first_executed = plan.last_executed = 0;
    plan.script_mode = ScriptMode::OneTransaction;
  }
  find_unclosed_begins(plan);
  return plan;
}

PlannedFile plan_file(const SourceFile& source, ExecutionMode mode, int pg_version,
                      bool assume_in_transaction) {
  PlannedFile planned{build_model(source), {}};
  planned.plan = plan_transactions(planned.model, mode, pg_version, assume_in_transaction);
  return planned;
}

}  // namespace miglint
