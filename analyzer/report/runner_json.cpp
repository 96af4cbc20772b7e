// The runner's machine-readable output: the JSON documents of `status`, `plan` and `run`, written
// from the same views as their text (docs/runner.md, "Machine-readable output", is the schema).
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <functional>
#include <random>
#include <string>
#include <vector>

#include "analyzer/model/lock_model.hpp"
#include "analyzer/report/runner_report.hpp"

namespace miglint {

namespace {

using Json = nlohmann::ordered_json;

Json text_or_null(std::string_view text) {
  return text.empty() ? Json(nullptr) : Json(std::string(text));
}

Json unapproved_json(std::span<const UnapprovedView> items) {
  Json all = Json::array();
  for (const UnapprovedView& item : items) {
    const Finding& finding = *item.finding;
    all.push_back(Json{{"rule", finding.rule},
                       {"severity", std::string(severity_name(finding.severity))},
                       {"line", finding.start.line},
                       {"column", finding.start.column},
                       {"message", finding.message},
                       {"why", std::string(item.why)}});
  }
  return all;
}

Json first_refused_json(const std::optional<FirstRefusedView>& first) {
  if (!first) {
    return nullptr;
  }
  return Json{
      {"version", std::string(first->version)},
      {"file", std::string(first->display_path)},
      {"target_before", first->target_before ? Json(std::string(*first->target_before)) : Json(nullptr)},
      {"pending_before", first->pending_before}};
}

Json migration_json(const StatusMigrationView& migration) {
  Json shown{{"version", std::string(migration.version)},
             {"file", std::string(migration.display_path)},
             {"name", std::string(migration.name)},
             {"state", std::string(migration.state)},
             {"checksum", std::string(migration.checksum)}};
  if (!migration.recorded_checksum.empty() && migration.recorded_checksum != migration.checksum) {
    shown["recorded_checksum"] = std::string(migration.recorded_checksum);
  }
  if (!migration.applied_at.empty()) {
    shown["applied_at"] = std::string(migration.applied_at);
    shown["duration_ms"] = migration.duration_ms ? Json(*migration.duration_ms) : Json(nullptr);
  }
  shown["would_run"] = migration.would_run;
  if (migration.statements_applied) {
    shown["statements_applied"] = migration.statements_applied->first;
    shown["statements_total"] = migration.statements_applied->second;
    shown["interrupted_statement"] =
        migration.interrupted_statement ? Json(*migration.interrupted_statement) : Json(nullptr);
  }
  if (migration.backfill) {
    const BackfillStatusView& backfill = *migration.backfill;
    auto optional = [](std::optional<long long> value) { return value ? Json(*value) : Json(nullptr); };
    shown["backfill"] = Json{{"statement", backfill.statement},
                             {"rows_done", backfill.rows_done},
                             {"rows_total", optional(backfill.rows_total)},
                             {"rows_total_estimated", backfill.rows_total_estimated},
                             {"last_key", optional(backfill.last_key)},
                             {"upper_key", optional(backfill.upper_key)}};
  }
  if (migration.rollback) {
    const RollbackStatusView& rollback = *migration.rollback;
    shown["rollback"] =
        Json{{"down_file", std::string(rollback.down_file)},
             {"statements_applied", rollback.statements_applied},
             {"statements_total", rollback.statements_total},
             {"interrupted_statement",
              rollback.interrupted_statement ? Json(*rollback.interrupted_statement) : Json(nullptr)}};
  }
  if (migration.running) {
    shown["running"] =
        Json{{"pid", migration.running->runner_pid}, {"backend_pid", migration.running->backend_pid}};
  }
  if (migration.failure) {
    const FailureView& failure = *migration.failure;
    shown["failure"] = Json{{"time", std::string(failure.time)},
                            {"error", std::string(failure.error)},
                            {"sqlstate", text_or_null(failure.sqlstate)},
                            {"statement", failure.statement ? Json(*failure.statement) : Json(nullptr)}};
  }
  if (!migration.script_error.empty()) {
    shown["cannot_run"] = std::string(migration.script_error);
  }
  if (!migration.unapproved.empty()) {
    shown["missing_approvals"] = unapproved_json(migration.unapproved);
  }
  return shown;
}

Json missing_json(const StatusMissingView& row) {
  Json shown{{"version", std::string(row.version)},
             {"file", nullptr},
             {"name", std::string(row.name)},
             {"state", "missing"},
             {"checksum", nullptr},
             {"recorded_checksum", std::string(row.recorded_checksum)}};
  if (!row.applied_at.empty()) {
    shown["applied_at"] = std::string(row.applied_at);
    shown["duration_ms"] = row.duration_ms ? Json(*row.duration_ms) : Json(nullptr);
  }
  shown["would_run"] = false;
  return shown;
}

// The members every document starts with.
Json header(std::string_view command, std::string_view directory, std::string_view schema,
            std::string_view history_table, int server_version,
            const std::optional<std::string_view>& target) {
  Json document{{"schema_version", kRunnerJsonSchemaVersion},
                {"command", std::string(command)},
                {"directory", std::string(directory)},
                {"schema", std::string(schema)},
                {"history_table", std::string(history_table)},
                {"server_version", server_version > 0 ? Json(server_version) : Json(nullptr)},
                {"target", target ? Json(std::string(*target)) : Json(nullptr)}};
  return document;
}

Json status_document(std::string_view command, const StatusView& status) {
  Json document = header(command, status.directory, status.schema, status.history_table,
                         status.server_version, status.target);
  document["pending"] = status.pending;
  document["refused"] = !status.refusals.empty();
  document["refusals"] = Json::array();
  for (const std::string& refusal : status.refusals) {
    document["refusals"].push_back(refusal);
  }
  document["first_refused"] = first_refused_json(status.first_refused);
  Json migrations = Json::array();
  for (const StatusMigrationView& migration : status.migrations) {
    migrations.push_back(migration_json(migration));
  }
  for (const StatusMissingView& row : status.missing_on_disk) {
    migrations.push_back(missing_json(row));
  }
  document["migrations"] = std::move(migrations);
  return document;
}

Json locks_json(const StatementLocks* locks) {
  Json all = Json::array();
  if (locks == nullptr) {
    return all;
  }
  for (const RelationEffect& effect : locks->relations) {
    all.push_back(Json{{"mode", std::string(lock_mode_name(effect.lock))},
                       {"relation", effect.relation},
                       {"rewrite", effect.rewrite},
                       {"scan", effect.scan}});
  }
  return all;
}

std::string dump(const Json& value) {
  // Bytes that are not UTF-8 (a file name's) become U+FFFD: the document stays valid JSON.
  return value.dump(2, ' ', false, Json::error_handler_t::replace);
}

void write_document(std::ostream& out, const Json& document) {
  out << dump(document) << "\n";
}

// The arrays of a plan that grow with its statements (each segment's statements, the risks) are
// written one element at a time, not built into the document: a file of 367,677 statements made a
// tree of 1.4 GB that was then dumped whole. The document holds a marker string in each such
// array's place, and write_with_arrays writes the document's text with each marker replaced by its
// elements, dumped one by one at the marker's depth: the bytes are those the whole tree would give.
// A marker starts with a control character and a random number, so no text from a file or the
// database (escaped by the dump) can pose as one.
class StreamedArrays {
 public:
  StreamedArrays() {
    std::random_device random;
    nonce_ = fmt::format("{:08x}{:08x}", random(), random());
  }

  // The marker that stands for an array of `count` elements, `element(i)` the i-th.
  Json add(std::size_t count, std::function<Json(std::size_t)> element) {
    arrays_.push_back(Array{count, std::move(element)});
    return Json(fmt::format("\x01{}:{}", nonce_, arrays_.size() - 1));
  }

  void write_with_arrays(std::ostream& out, std::string_view text) const {
    const std::string marker = fmt::format("\"\\u0001{}:", nonce_);  // as the dump spells it
    std::size_t done = 0;
    for (std::size_t at = text.find(marker); at != std::string_view::npos; at = text.find(marker, done)) {
      std::size_t number_end = text.find('"', at + marker.size());
      std::size_t index =
          std::stoul(std::string(text.substr(at + marker.size(), number_end - at - marker.size())));
      std::size_t line_start = text.rfind('\n', at);
      line_start = line_start == std::string_view::npos ? 0 : line_start + 1;
      std::size_t indent = text.find_first_not_of(' ', line_start) - line_start;
      out << text.substr(done, at - done);
      write_array(out, arrays_.at(index), indent);
      done = number_end + 1;
    }
    out << text.substr(done) << "\n";
  }

 private:
  struct Array {
    std::size_t count = 0;
    std::function<Json(std::size_t)> element;
  };

  // `[...]` as the dump of the whole tree writes it at `indent`: elements on lines of their own, two
  // spaces deeper.
  static void write_array(std::ostream& out, const Array& array, std::size_t indent) {
    if (array.count == 0) {
      out << "[]";
      return;
    }
    const std::string element_indent(indent + 2, ' ');
    out << '[';
    for (std::size_t i = 0; i < array.count; ++i) {
      std::string element = dump(array.element(i));
      out << (i == 0 ? "\n" : ",\n") << element_indent;
      std::size_t from = 0;
      for (std::size_t newline = element.find('\n'); newline != std::string::npos;
           newline = element.find('\n', from)) {
        out << std::string_view(element).substr(from, newline + 1 - from) << element_indent;
        from = newline + 1;
      }
      out << std::string_view(element).substr(from);
    }
    out << '\n' << std::string(indent, ' ') << ']';
  }

  std::string nonce_;
  std::vector<Array> arrays_;
};

Json plan_json(const PlanMigrationView& plan, StreamedArrays& arrays) {
  Json shown{{"mode", std::string(plan.mode)},
             {"statements_total", plan.statements},
             {"resuming_after", plan.resuming_after}};
  Json segments = Json::array();
  for (const PlanSegmentView& segment : plan.segments) {
    segments.push_back(
        Json{{"kind", std::string(segment.kind)},
             {"transactional", segment.transactional},
             {"first", segment.first},
             {"last", segment.last},
             {"lock_timeout", segment.lock_timeout ? Json(*segment.lock_timeout) : Json(nullptr)},
             {"statements", arrays.add(segment.statements.size(), [&segment](std::size_t i) {
                const PlanStatementView& statement = segment.statements[i];
                return Json{{"number", segment.first + i},
                            {"line", statement.start.line},
                            {"column", statement.start.column},
                            {"text", plan_statement_label(statement)},
                            {"locks", locks_json(statement.locks)}};
              })}});
  }
  shown["segments"] = std::move(segments);
  return shown;
}

}  // namespace

void write_status_json(std::ostream& out, const StatusView& status) {
  write_document(out, status_document("status", status));
}

void write_plan_json(std::ostream& out, const StatusView& status, const PlanView& plan) {
  Json document = status_document("plan", status);
  const PlanTimeouts& timeouts = plan.timeouts;
  auto milliseconds = [](std::chrono::milliseconds duration) {
    return duration.count() == 0 ? Json(nullptr) : Json(duration.count());
  };
  document["timeouts"] =
      Json{{"lock_timeout_ms", milliseconds(timeouts.lock_timeout)},
           {"concurrent_lock_timeout_ms", milliseconds(timeouts.concurrent_lock_timeout)},
           {"statement_timeout_ms", milliseconds(timeouts.statement_timeout)},
           {"concurrent_statement_timeout_ms", milliseconds(timeouts.concurrent_statement_timeout)},
           {"retries", timeouts.retries}};
  StreamedArrays arrays;
  for (Json& migration : document["migrations"]) {
    for (const PlanMigrationView& planned : plan.migrations) {
      if (migration["file"].is_string() && migration["file"].get<std::string>() == planned.display_path) {
        migration["plan"] = plan_json(planned, arrays);
      }
    }
  }
  // With table sizes (docs/table-sizes.md): every planned lock, riskiest first.
  if (!plan.risks.empty()) {
    document["risks"] = arrays.add(plan.risks.size(), [&plan](std::size_t i) {
      const PlanRiskView& risk = plan.risks[i];
      auto number = [](const std::optional<int64_t>& value) { return value ? Json(*value) : Json(nullptr); };
      return Json{{"file", std::string(risk.display_path)},
                  {"line", risk.start.line},
                  {"column", risk.start.column},
                  {"relation", risk.effect->relation},
                  {"lock", std::string(lock_mode_name(risk.effect->lock))},
                  {"rewrite", risk.effect->rewrite},
                  {"scan", risk.effect->scan},
                  {"exists", risk.size->exists},
                  {"rows", number(risk.size->rows)},
                  {"bytes", number(risk.size->bytes)},
                  {"risk", plan_risk(risk)}};
    });
  }
  arrays.write_with_arrays(out, dump(document));
}

void write_run_json(std::ostream& out, const RunView& run) {
  Json document = header("run", run.directory, run.schema, run.history_table, run.server_version, run.target);
  document["outcome"] = std::string(run.outcome);
  document["pending"] = run.pending;
  Json applied = Json::array();
  for (const AppliedView& migration : run.applied) {
    applied.push_back(Json{{"version", std::string(migration.version)},
                           {"file", std::string(migration.display_path)},
                           {"name", std::string(migration.name)},
                           {"duration_ms", migration.duration_ms},
                           {"statements", migration.statements}});
  }
  document["applied"] = std::move(applied);
  document["refused"] = run.outcome == "refused";
  document["refusals"] = Json::array();
  for (const std::string& refusal : run.refusals) {
    document["refusals"].push_back(refusal);
  }
  document["first_refused"] = first_refused_json(run.first_refused);
  Json missing = Json::array();
  for (const RunUnapprovedView& file : run.unapproved) {
    missing.push_back(Json{{"version", std::string(file.version)},
                           {"file", std::string(file.display_path)},
                           {"missing_approvals", unapproved_json(file.unapproved)}});
  }
  document["missing_approvals"] = std::move(missing);
  if (run.error) {
    const RunErrorView& error = *run.error;
    document["error"] = Json{{"message", error.message},
                             {"sqlstate", text_or_null(error.sqlstate)},
                             {"version", text_or_null(error.version)},
                             {"file", text_or_null(error.display_path)},
                             {"statement", error.statement ? Json(*error.statement) : Json(nullptr)}};
  } else {
    document["error"] = nullptr;
  }
  write_document(out, document);
}

}  // namespace miglint
