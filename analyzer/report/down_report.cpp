// `miglint rollback`, `miglint test` and `--ephemeral`: their text, JSON and SARIF (docs/runner.md).
#include "analyzer/report/down_report.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "analyzer/text/message_text.hpp"

namespace miglint {

namespace {

using Json = nlohmann::ordered_json;

Json text_or_null(const std::optional<std::string>& text) {
  return text ? Json(*text) : Json(nullptr);
}

constexpr TestRule kTestRules[] = {
    {TestProblemView::Kind::NotRestored, "down-does-not-restore-schema",
     "A down migration leaves the schema other than it was before its up migration",
     "Make the down migration undo every object its up migration creates, alters or drops (indexes, "
     "constraints, defaults, enum labels...), or declare the migration irreversible by giving it no down "
     "migration."},
    {TestProblemView::Kind::DownFailed, "down-migration-fails",
     "A down migration fails after its up migration applied",
     "Run the down migration against the schema its up migration leaves, and fix the statement that fails."},
    {TestProblemView::Kind::UpFailed, "up-migration-fails",
     "An up migration fails on a database holding the migrations before it",
     "Fix the statement that fails: the migration cannot be applied to the schema the earlier migrations "
     "build."},
    {TestProblemView::Kind::UpFailedAgain, "up-not-rerunnable-after-down",
     "An up migration fails when applied again after its own down migration",
     "The down migration leaves something behind that the up migration creates again (a table, a type, a "
     "row): drop it in the down migration."},
    {TestProblemView::Kind::MissingDown, "missing-down-migration", "A migration has no down migration",
     "Write the down migration, so that the migration can be rolled back and tested."},
};

const TestRule& rule_of(TestProblemView::Kind kind) {
  for (const TestRule& rule : kTestRules) {
    if (rule.kind == kind) {
      return rule;
    }
  }
  return kTestRules[0];
}

std::string describe(const TestProblemView& problem) {
  switch (problem.kind) {
    case TestProblemView::Kind::NotRestored:
      return fmt::format(
          "the down migration of {} does not restore the schema it was applied to ({} difference{})",
          problem.version, problem.differences.size(), problem.differences.size() == 1 ? "" : "s");
    case TestProblemView::Kind::DownFailed:
      return fmt::format("the down migration of {} failed ({}): {}", problem.version, problem.phase,
                         problem.error);
    case TestProblemView::Kind::UpFailed:
      return fmt::format("migration {} failed ({}): {}", problem.version, problem.phase, problem.error);
    case TestProblemView::Kind::UpFailedAgain:
      return fmt::format("migration {} failed when applied again after its own down migration ({}): {}",
                         problem.version, problem.phase, problem.error);
    case TestProblemView::Kind::MissingDown:
      return fmt::format("migration {} has no down migration: {}", problem.version, problem.error);
  }
  return {};
}

// `- before` / `+ after` lines under `  OBJECT:`, as a diff reads.
std::string diff_text(const std::vector<SchemaDifferenceView>& differences, std::string_view indent) {
  std::string text;
  for (const SchemaDifferenceView& difference : differences) {
    text += fmt::format("{}{}:\n", indent, escape_for_message(difference.object));
    if (difference.before) {
      text += fmt::format("{}  - {}\n", indent, escape_for_message(*difference.before));
    } else {
      text += fmt::format("{}  - (did not exist)\n", indent);
    }
    if (difference.after) {
      text += fmt::format("{}  + {}\n", indent, escape_for_message(*difference.after));
    } else {
      text += fmt::format("{}  + (gone)\n", indent);
    }
  }
  return text;
}

}  // namespace

void write_ephemeral_started(std::ostream& err, std::string_view version, std::string_view directory,
                             int port) {
  err << fmt::format(
      "miglint: ephemeral PostgreSQL {} started in {} (port {}); it is removed when miglint ends\n",
      escape_for_message(version), escape_for_message(directory), port);
}

void write_ephemeral_removed(std::ostream& err, std::string_view directory, bool interrupted) {
  err << fmt::format("miglint: ephemeral PostgreSQL stopped and {} removed{}\n",
                     escape_for_message(directory), interrupted ? " (interrupted)" : "");
}

void write_rolling_back(std::ostream& out, std::string_view version, std::string_view name,
                        std::string_view down_path) {
  out << fmt::format("rolling back {}{}{} with {}\n", escape_for_message(version), name.empty() ? "" : " ",
                     escape_for_message(name), down_path);
}

void write_rollback_done(std::ostream& out, const RollbackView& view,
                         std::optional<std::string_view> now_last) {
  if (view.rolled_back.empty()) {
    out << "nothing to roll back\n";
    return;
  }
  out << fmt::format("rolled back {} migration{}; {}\n", view.rolled_back.size(),
                     view.rolled_back.size() == 1 ? "" : "s",
                     now_last ? fmt::format("{} is now the last applied", escape_for_message(*now_last))
                              : std::string("no migration is applied now"));
}

void write_rollback_json(std::ostream& out, const RollbackView& view) {
  Json rolled = Json::array();
  for (const RolledBackView& item : view.rolled_back) {
    rolled.push_back(Json{{"version", item.version},
                          {"name", item.name},
                          {"file", item.down_path},
                          {"duration_ms", item.duration_ms},
                          {"statements", item.statements}});
  }
  Json error = nullptr;
  if (view.error) {
    const RollbackErrorView& e = *view.error;
    error = Json{{"message", e.message},
                 {"sqlstate", e.sqlstate.empty() ? Json(nullptr) : Json(e.sqlstate)},
                 {"version", e.version.empty() ? Json(nullptr) : Json(e.version)},
                 {"file", e.file.empty() ? Json(nullptr) : Json(e.file)},
                 {"statement", e.statement ? Json(*e.statement) : Json(nullptr)}};
  }
  Json document{{"schema_version", 1},
                {"command", "rollback"},
                {"directory", view.directory},
                {"schema", view.schema},
                {"history_table", view.history_table},
                {"server_version", view.server_version ? Json(*view.server_version) : Json(nullptr)},
                {"to", text_or_null(view.to)},
                {"steps", view.steps},
                {"outcome", view.outcome},
                {"rolled_back", rolled},
                {"refusals", view.refusals},
                {"error", error}};
  out << document.dump(-1, ' ', false, Json::error_handler_t::replace) << "\n";
}

std::string_view test_problem_rule(TestProblemView::Kind kind) {
  return rule_of(kind).id;
}

void write_test_phase(std::ostream& out, std::string_view phase) {
  out << fmt::format("{}\n", phase);
}

void write_test_result(std::ostream& out, const TestView& view) {
  if (!view.refusals.empty()) {
    out << "miglint test refused: nothing was changed\n";
    for (const std::string& refusal : view.refusals) {
      out << fmt::format("  {}\n", refusal);
    }
    return;
  }
  if (view.outcome == "interrupted") {
    out << "interrupted: the test stopped before it finished (no verdict)\n";
    return;
  }
  if (!view.problem) {
    out << fmt::format(
        "passed: {} migration{} applied, rolled back and applied again; each went up, down and up, and "
        "every down restored the schema\n",
        view.migrations, view.migrations == 1 ? "" : "s");
    return;
  }
  const TestProblemView& problem = *view.problem;
  out << fmt::format("{}: error: {} [{}]\n", problem.file, escape_for_message(describe(problem)),
                     rule_of(problem.kind).id);
  out << diff_text(problem.differences, "  ");
  out << "failed: the test stops at the first problem\n";
}

void write_test_json(std::ostream& out, const TestView& view) {
  Json problem = nullptr;
  if (view.problem) {
    const TestProblemView& p = *view.problem;
    Json differences = Json::array();
    for (const SchemaDifferenceView& difference : p.differences) {
      differences.push_back(Json{{"object", difference.object},
                                 {"before", text_or_null(difference.before)},
                                 {"after", text_or_null(difference.after)}});
    }
    problem = Json{{"kind", std::string(rule_of(p.kind).id)},
                   {"version", p.version},
                   {"name", p.name},
                   {"file", p.file},
                   {"phase", p.phase},
                   {"message", describe(p)},
                   {"error", p.error.empty() ? Json(nullptr) : Json(p.error)},
                   {"differences", differences}};
  }
  Json document{{"schema_version", 1},
                {"command", "test"},
                {"directory", view.directory},
                {"server_version", view.server_version ? Json(*view.server_version) : Json(nullptr)},
                {"outcome", view.outcome},
                {"migrations", view.migrations},
                {"phases", view.phases_done},
                {"refusals", view.refusals},
                {"problem", problem}};
  out << document.dump(-1, ' ', false, Json::error_handler_t::replace) << "\n";
}

std::span<const TestRule> test_rules() {
  return kTestRules;
}

std::string test_problem_text(const TestProblemView& problem) {
  std::string message = describe(problem);
  if (!problem.differences.empty()) {
    message += "\n" + diff_text(problem.differences, "");
  }
  return message;
}

}  // namespace miglint
