#include "runner/script.hpp"

#include <fmt/format.h>

#include <deque>
#include <iterator>
#include <memory>
#include <new>
#include <optional>
#include <utility>
#include <vector>

#include "analyzer/model/transaction_model.hpp"
#include "analyzer/sql/file_model.hpp"
#include "analyzer/sql/sql_parser.hpp"
#include "analyzer/text/message_text.hpp"
#include "runner/sql_identifier.hpp"

namespace miglint::runner {

namespace {

// A RangeVar as text that to_regclass() reads back exactly: "schema"."name".
std::string qualified(Node range_var) {
  std::string_view schema = range_var["schemaname"].str();
  std::string name = quote_identifier(range_var["relname"].str());
  return schema.empty() ? name : quote_identifier(schema) + "." + name;
}

Reconcile reconcile_of(const Statement& statement) {
  Reconcile reconcile;
  Node body = statement.body();
  std::string_view kind = statement.kind();
  if (kind == "IndexStmt" && body["concurrent"].boolean()) {
    reconcile.table = qualified(body["relation"]);
    if (!body["idxname"].str().empty()) {
      // The index lives in its table's schema.
      std::string_view schema = body["relation"]["schemaname"].str();
      std::string index = quote_identifier(body["idxname"].str());
      reconcile.index = schema.empty() ? index : quote_identifier(schema) + "." + index;
      reconcile.kind = Reconcile::Kind::CreateIndex;
    } else {
      reconcile.kind = Reconcile::Kind::UnnamedIndexBuild;
    }
  } else if (kind == "DropStmt" && body["concurrent"].boolean() && body["objects"].size() == 1) {
    std::string name;
    for (Node part : body["objects"].at(0).as("List")["items"]) {
      name += (name.empty() ? "" : ".") + quote_identifier(part.as("String")["sval"].str());
    }
    reconcile.index = name;
    reconcile.kind = Reconcile::Kind::DropIndex;
  } else if (kind == "ReindexStmt" && body["kind"].str() == "REINDEX_OBJECT_INDEX") {
    reconcile.index = qualified(body["relation"]);
    reconcile.kind = Reconcile::Kind::ReindexIndex;
  } else if (kind == "ReindexStmt" && body["kind"].str() == "REINDEX_OBJECT_TABLE") {
    reconcile.table = qualified(body["relation"]);
    reconcile.kind = Reconcile::Kind::ReindexTable;
  } else if (kind == "AlterEnumStmt" && body["oldVal"].str().empty()) {
    for (Node part : body["typeName"]) {
      reconcile.type +=
          (reconcile.type.empty() ? "" : ".") + quote_identifier(part.as("String")["sval"].str());
    }
    reconcile.label = std::string(body["newVal"].str());
    reconcile.kind = Reconcile::Kind::AddEnumValue;
  } else if (kind == "AlterTableStmt") {
    for (Node item : body["cmds"]) {
      Node cmd = item.as("AlterTableCmd");
      Node partition = cmd["def"].as("PartitionCmd");
      if (cmd["subtype"].str() == "AT_DetachPartition" && partition["concurrent"].boolean()) {
        reconcile.table = qualified(body["relation"]);
        reconcile.partition = qualified(partition["name"]);
        reconcile.kind = Reconcile::Kind::DetachPartition;
      }
    }
  }
  return reconcile;
}

ScriptStatement::Control control_of(TransactionControl control) {
  switch (control) {
    case TransactionControl::Begin:
      return ScriptStatement::Control::Begin;
    case TransactionControl::Commit:
      return ScriptStatement::Control::Commit;
    case TransactionControl::Rollback:
      return ScriptStatement::Control::Rollback;
    default:
      return ScriptStatement::Control::None;  // SAVEPOINT, PREPARE TRANSACTION, ...: inside a block
  }
}

// A COPY that exchanges rows with the client: FROM STDIN waits for data miglint never sends (the
// statement would hang, holding its locks), TO STDOUT sends rows miglint does not read. Empty
// for every other statement.
std::string client_copy_problem(const Statement& statement) {
  if (statement.kind() != "CopyStmt" || !statement.body()["filename"].str().empty()) {
    return {};
  }
  return statement.body()["is_from"].boolean()
             ? "COPY ... FROM STDIN waits for rows from the client, which miglint run does not send (it "
               "would "
               "wait forever, holding its locks): load the rows with INSERT, or COPY FROM a file on the "
               "database server"
             : "COPY ... TO STDOUT sends rows to the client, which miglint run does not read: use COPY TO "
               "a "
               "file "
               "on the database server, or drop the statement";
}

// The backfill of statement `index` (its directive, its batch SQL), and whether an earlier statement
// of the file creates its table.
// A CREATE TABLE (or CREATE TABLE AS) of the file: its index and table name.
struct CreatedTable {
  std::size_t index;
  std::string relation;
};

Expected<ScriptStatement::Backfill> backfill_of(const Statement& statement,
                                                const std::vector<BackfillUse>& uses,
                                                const std::vector<CreatedTable>& created) {
  const std::size_t index = statement.index();
  ScriptStatement::Backfill backfill;
  for (const BackfillUse& use : uses) {
    if (use.statement == index) {
      backfill.directive = use.directive;
    }
  }
  Expected<BackfillSql> sql = backfill_sql(statement, backfill.directive.key);
  if (!sql) {
    return sql.error();
  }
  backfill.sql = std::move(*sql);
  const std::string& table = statement.relation_name();
  for (const CreatedTable& create : created) {
    if (create.index < index && create.relation == table) {
      backfill.table_created_in_file = true;
    }
  }
  return backfill;
}

// 18 for "a named NOT NULL constraint (PostgreSQL 18+)": the version a newer construct needs; 0 when
// the text names none.
int version_named_in(std::string_view construct) {
  constexpr std::string_view kMarker = "(PostgreSQL ";
  std::size_t at = construct.rfind(kMarker);
  if (at == std::string_view::npos) {
    return 0;
  }
  int version = 0;
  for (std::size_t i = at + kMarker.size();
       i < construct.size() && construct[i] >= '0' && construct[i] <= '9'; ++i) {
    version = version * 10 + (construct[i] - '0');
  }
  return version;
}

}  // namespace

const Reconcile* no_reconcile() {
  static const Reconcile none;
  return &none;
}

std::string statement_label(std::string_view file_text, const ScriptStatement& statement) {
  return miglint::statement_label(
      file_text.substr(statement.span.begin, statement.span.end - statement.span.begin));
}

std::string_view script_mode_name(ScriptMode mode) {
  switch (mode) {
    case ScriptMode::OneTransaction:
      return "one transaction";
    case ScriptMode::Segmented:
      return "segmented";
    case ScriptMode::AsWritten:
      return "as written";
  }
  return "";
}

std::string_view segment_kind_name(Segment::Kind kind) {
  switch (kind) {
    case Segment::Kind::Wrapped:
      return "transaction";
    case Segment::Kind::Explicit:
      return "the file's transaction";
    case Segment::Kind::Autocommit:
      return "outside a transaction";
  }
  return "";
}

Expected<MigrationScript> plan_script(const SourceFile& source, int pg_version) {
  // What the runner needs of each statement is taken while its parse tree is alive: a file of 1 MB
  // or more is parsed a piece at a time and its trees dropped (build_model_visiting), so splitting a
  // migration of tens of megabytes takes a few times its size, not 25-35 times.
  std::vector<PlannedStatement> planned;
  // A deque while the count is unknown: a vector would grow into up to twice the room, and copy
  // itself while it grows, in the middle of the parse (21 MB for 367,678 statements where the
  // statements take 15).
  std::deque<ScriptStatement> steps;
  auto records = std::make_shared<ScriptRecords>();                // what steps point at: moved with them
  std::vector<std::pair<std::size_t, std::string>> copy_problems;  // index, why it cannot run
  std::vector<CreatedTable> created;
  FileModel model;
  try {
    model = build_model_visiting(source, true, [&](const Statement& statement) {
      const std::size_t index = statement.index();
      // Seen again from the first when a file's pieces could not be trusted and it is parsed whole.
      planned.resize(index);
      steps.resize(index);
      std::erase_if(copy_problems, [&](const auto& problem) { return problem.first >= index; });
      std::erase_if(created, [&](const CreatedTable& create) { return create.index >= index; });
      if (index == 0) {
        records->reconciles.clear();
      }
      PlannedStatement& plan = planned.emplace_back(planned_statement(statement, pg_version));
      ScriptStatement& step = steps.emplace_back();
      step.span = statement.span();
      step.start = source.position(step.span.begin);
      if (std::string problem = client_copy_problem(statement); !problem.empty()) {
        copy_problems.emplace_back(index, std::move(problem));
      }
      step.outside_transaction = plan.outside_transaction;
      step.concurrent = plan.concurrent;
      step.session_setting = statement.kind() == "VariableSetStmt" && !statement.body()["is_local"].boolean();
      step.control = control_of(plan.control);
      step.controls_transaction = statement.kind() == "TransactionStmt" || statement.kind() == "CallStmt";
      if (Reconcile reconcile = reconcile_of(statement); reconcile.kind != Reconcile::Kind::None) {
        step.reconcile = &records->reconciles.emplace_back(std::move(reconcile));
      }
      std::string_view kind = statement.kind();
      if (kind == "CreateStmt" || kind == "CreateTableAsStmt") {
        created.push_back(CreatedTable{index, statement.relation_name()});
      }
    });
  } catch (const std::bad_alloc&) {
    return Error{
        fmt::format("{}: cannot split this migration into statements: out of memory", source.path())};
  } catch (const ParserLimit& limit) {
    Position at = source.position(limit.offset());
    return Error{fmt::format("{}:{}:{}: cannot split this migration into statements: {}", source.path(),
                             at.line, at.column, limit.what())};
  }
  // A statement only PostgreSQL 18 or 19 parses, read through its PostgreSQL 17 stand-in (same locks,
  // same work: analyzer/sql/newer_syntax.hpp), is planned as its stand-in and sent as written, as
  // `lint` checks it. On a server older than the construct it is refused before anything runs (run,
  // it would stop the file part-way, after what ran outside a transaction). The first problem in
  // the file is the one reported.
  for (const ParseProblem& problem : model.parsed.problems) {
    Position at = source.position(problem.offset);
    if (!problem.checked_as.empty()) {
      const int needs = version_named_in(problem.newer_construct);
      if (needs > pg_version) {
        return Error{fmt::format("{}:{}:{}: {} needs PostgreSQL {}, and the server is PostgreSQL {}",
                                 source.path(), at.line, at.column, problem.newer_construct, needs,
                                 pg_version)};
      }
      continue;
    }
    std::string what = problem.newer_construct.empty()
                           ? problem.message
                           : fmt::format("{} (newer than the PostgreSQL 17 grammar miglint splits with)",
                                         problem.newer_construct);
    return Error{fmt::format("{}:{}:{}: cannot split this migration into statements: {}", source.path(),
                             at.line, at.column, what)};
  }
  TransactionPlan plan = plan_transactions(model, std::move(planned), ExecutionMode::Runner);
  std::vector<BackfillUse> backfills = resolve_backfills(model);
  std::vector<bool> batched(model.statement_count(), false);
  for (const BackfillUse& use : backfills) {
    if (!use.problem.empty()) {
      // A batched run was asked for and cannot be had: the statement is not run unbatched instead.
      Position at = source.position(use.directive.span.begin);
      return Error{fmt::format("{}:{}:{}: this -- miglint-backfill directive batches nothing: {}",
                               source.path(), at.line, at.column, use.problem)};
    }
    batched[*use.statement] = true;
  }
  // Backfills run after the schema part has committed: one must not be followed by a statement that
  // is not a backfill (it would run before it), within the part of the file that runs.
  std::optional<std::size_t> open_backfill;
  for (std::size_t i = plan.first_executed; i < plan.last_executed; ++i) {
    if (batched[i]) {
      open_backfill = open_backfill.value_or(i);
    } else if (open_backfill) {
      const Position& at = steps[i].start;
      const Position& backfill_at = steps[*open_backfill].start;
      return Error{fmt::format(
          "{}:{}:{}: {} follows the backfill at line {}: a backfill runs after the file's schema "
          "changes have "
          "committed, so it must come last (move this statement to a later migration)",
          source.path(), at.line, at.column, statement_label(source.text(), steps[i]), backfill_at.line)};
    }
  }
  MigrationScript script;
  script.executed = plan.executed;
  script.mode = plan.script_mode;
  const std::size_t offset = plan.first_executed;
  auto copy_problem = copy_problems.begin();
  StatementCursor statements(model);  // the parse trees of the batched statements, parsed again
  for (std::size_t i = plan.first_executed; i < plan.last_executed; ++i) {
    ScriptStatement& step = steps[i];
    while (copy_problem != copy_problems.end() && copy_problem->first < i) {
      ++copy_problem;
    }
    if (copy_problem != copy_problems.end() && copy_problem->first == i) {
      return Error{fmt::format("{}:{}:{}: {}", source.path(), step.start.line, step.start.column,
                               copy_problem->second)};
    }
    if (batched[i]) {
      Expected<ScriptStatement::Backfill> backfill = backfill_of(statements.at(i), backfills, created);
      if (!backfill) {
        return Error{fmt::format("{}:{}:{}: this statement cannot be run as a backfill: {}", source.path(),
                                 step.start.line, step.start.column, backfill.error().message)};
      }
      step.backfill = &records->backfills.emplace_back(std::move(*backfill));
    }
  }
  // The statements that run, in a vector of their number, made once the pieces' parse trees are gone.
  script.statements.assign(
      std::make_move_iterator(steps.begin() + static_cast<std::ptrdiff_t>(plan.first_executed)),
      std::make_move_iterator(steps.begin() + static_cast<std::ptrdiff_t>(plan.last_executed)));
  steps.clear();
  steps.shrink_to_fit();
  script.records = std::move(records);
  if (plan.problem) {
    const ScriptStatement& at = script.statements[plan.problem->statement - offset];
    if (plan.problem->kind == PlanProblem::Kind::NeverCommitted) {
      return Error{fmt::format("{}:{}:{}: this transaction is never committed (no COMMIT after it)",
                               source.path(), at.start.line, at.start.column)};
    }
    const ScriptStatement& begin = script.statements[plan.problem->opened_by - offset];
    return Error{fmt::format("{}:{}:{}: {} cannot run inside the transaction opened at line {}",
                             source.path(), at.start.line, at.start.column,
                             statement_label(source.text(), at), begin.start.line)};
  }
  if (plan.executed_section) {
    for (Segment segment : plan.sections[*plan.executed_section].segments) {
      segment.first -= offset;
      segment.last -= offset;
      script.segments.push_back(segment);
    }
  }
  return script;
}

}  // namespace miglint::runner
