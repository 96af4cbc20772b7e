#include "analyzer/engine/linter.hpp"

#include <fmt/format.h>

#include <memory>
#include <optional>
#include <string>

#include "analyzer/engine/driver_findings.hpp"
#include "analyzer/engine/missing_down.hpp"
#include "analyzer/engine/prepared_file.hpp"
#include "analyzer/engine/scheduler.hpp"
#include "analyzer/engine/statement_walk.hpp"
#include "analyzer/model/publication_guard.hpp"
#include "analyzer/project/input_source.hpp"
#include "analyzer/sql/sql_parser.hpp"

// The lint driver's entry points. Its jobs live in files named for them: rule_set (which rules run),
// prepared_file (model, transaction sections, schema facts), statement_walk (the walk and the rules),
// driver_findings, suppressions (ignore comments), fingerprints (SARIF statement keys) and scheduler
// (files in parallel, results in order).
namespace miglint {

Expected<FileLocks> explain_front_end_locks(const FrontEnd& front_end, const SourceFile& source,
                                            const std::string& filesystem_path, const LintOptions& options,
                                            const RuleSet& rules, SchemaHistory* history,
                                            std::size_t file_order) {
  Expected<EmbeddedSource> embedded =
      front_end.extract(source, filesystem_path, settings_of(options.front_ends, front_end.name()));
  if (!embedded) {
    return embedded.error();
  }
  AssembledSql assembled = assemble_calls(source.text(), embedded->calls, embedded->directives);
  SourceFile sql_view(source.path(), assembled.text);
  FileLocks locks = explain_locks(sql_view, options, rules, history, file_order, &assembled.plan);
  for (StatementLocks& statement : locks.statements) {
    statement.sql = assembled.text.substr(statement.span.begin, statement.span.end - statement.span.begin);
    for (const EmbeddedCallRegion& call : assembled.plan.calls) {
      if (call.sql.begin <= statement.span.begin && statement.span.begin < call.sql.end) {
        statement.down = call.down;
      }
    }
    statement.span = map_to_source(assembled, statement.span);
    statement.start = source.position(statement.span.begin);
  }
  map_findings_to_source(assembled, source, locks.problems);
  return locks;
}

namespace {

// An earlier program file (an Alembic revision) read for the facts its SQL teaches, as
// prepare_facts_only reads a SQL file.
void prepare_front_end_facts_only(const FrontEnd& front_end, const SourceFile& source,
                                  const std::string& filesystem_path, const LintOptions& options,
                                  SchemaHistory& history, std::size_t index) {
  Expected<EmbeddedSource> embedded =
      front_end.extract(source, filesystem_path, settings_of(options.front_ends, front_end.name()));
  if (!embedded) {
    return;  // nothing read, nothing taught: the file's own lint reports why
  }
  AssembledSql assembled = assemble_calls(source.text(), embedded->calls, embedded->directives);
  prepare_file(SourceFile(source.path(), assembled.text), options, &history, index, &assembled.plan);
}

}  // namespace

void explain_locks_in_order(
    const std::vector<LintInput>& inputs, const RuleSet& rules,
    const std::function<LintOptions(const std::string& display_path)>& options_for,
    const std::function<void(const std::string& display_path, Expected<FileLocks>&&)>& emit) {
  SchemaHistory history(inputs.size());
  for (std::size_t index = 0; index < inputs.size(); ++index) {
    const LintInput& input = inputs[index];
    LintOptions options = options_for(input.display_path);
    std::optional<Expected<FileLocks>> explained;
    // However the file ends (its facts, an error, an exception), it has published when this goes.
    PublicationGuard publication(history, index);
    try {
      Expected<SourceFile> source =
          input.shared_contents
              ? source_from_shared_bytes(input.display_path, input.shared_contents, options.max_file_size)
          : input.contents
              ? source_from_bytes(input.display_path, *input.contents, options.max_file_size)
              : load_source_file(input.filesystem_path, input.display_path, options.max_file_size);
      const FrontEnd& front_end = registered_front_ends().for_path(input.display_path, options.front_ends);
      if (!source) {
        explained.emplace(source.error());
      } else if (!front_end.sql_as_written() && !input.report) {
        prepare_front_end_facts_only(front_end, *source, input.filesystem_path, options, history, index);
      } else if (!front_end.sql_as_written()) {
        explained.emplace(explain_front_end_locks(front_end, *source, input.filesystem_path, options, rules,
                                                  &history, index));
      } else if (!input.report) {
        prepare_facts_only(*source, options, history, index);
      } else {
        explained.emplace(explain_locks(*source, options, rules, &history, index));
      }
    } catch (const std::bad_alloc&) {
      explained.emplace(Error{"out of memory while reading this file"});
    } catch (const std::exception& error) {
      explained.emplace(Error{fmt::format("internal error while reading this file: {}", error.what())});
    }
    if (explained && input.report) {
      emit(input.display_path, std::move(*explained));
    }
  }
}

namespace {

// The front end's own errors and findings (source coordinates): errors name their line; findings
// of enabled rules join the rules' findings, in position order.
void add_front_end_problems(const SourceFile& source, const EmbeddedSource& embedded, const RuleSet& rules,
                            FileResult& result) {
  if (embedded.problems.empty()) {
    return;
  }
  // A comment that names a front-end rule beside SQL rules (`# miglint-ignore-file
  // missing-downgrade, mixed-ddl-and-dml`) reaches the SQL pipeline, where the front-end rule
  // silences nothing: when the front end used it, that unused-ignore is wrong.
  for (const FrontEndProblem& problem : embedded.problems) {
    if (problem.suppressed && !problem.rule.empty()) {
      std::string unused = fmt::format("for `{}` silences nothing", problem.rule);
      std::erase_if(result.findings, [&](const Finding& finding) {
        return finding.rule == kUnusedIgnoreRule && finding.message.find(unused) != std::string::npos;
      });
    }
  }
  for (const FrontEndProblem& problem : embedded.problems) {
    if (problem.rule.empty()) {
      result.errors.push_back(
          InputError{source.path(), source.position(problem.span.begin), problem.message});
      continue;
    }
    const Rule* rule = rules.find(problem.rule);
    if (rule == nullptr || !rules.enabled(problem.rule)) {
      continue;
    }
    Finding finding;
    finding.rule = problem.rule;
    finding.reported_by = rule;
    finding.severity = rules.severity_of(problem.rule);
    finding.path = source.path();
    finding.span = problem.span;
    finding.start = source.position(problem.span.begin);
    finding.end = source.position(problem.span.end);
    finding.message = problem.message;
    finding.help = problem.help;
    finding.suppressed = problem.suppressed;
    finding.suppression_reason = problem.suppression_reason;
    set_source_line(finding, source);
    result.findings.push_back(std::move(finding));
  }
  sort_findings(result.findings);
}

}  // namespace

FileResult lint_source(const SourceFile& source, const LintOptions& options, const RuleSet& rules,
                       SchemaHistory* history, std::size_t file_order) {
  FileResult result = lint_prepared(source, options, rules, history, file_order, nullptr);
  report_missing_down_migration("", source, rules, result);
  return result;
}

FileResult lint_embedded_sql(const SourceFile& assembled, const EmbeddedPlan& plan,
                             const LintOptions& options, const RuleSet& rules, SchemaHistory* history,
                             std::size_t file_order) {
  return lint_prepared(assembled, options, rules, history, file_order, &plan);
}

FileResult lint_embedded_source(const SourceFile& source, const EmbeddedSource& embedded,
                                const LintOptions& options, const RuleSet& rules, SchemaHistory* history,
                                std::size_t file_order) {
  AssembledSql assembled = assemble_calls(source.text(), embedded.calls, embedded.directives);
  add_dynamic_sql_notes(assembled, source.path(), rules.find(kDynamicSqlRule), embedded);
  add_placeholder_style_note(assembled, source.path(), rules.find(kPlaceholderStyleRule));
  SourceFile sql_view(source.path(), assembled.text);
  FileResult result = lint_embedded_sql(sql_view, assembled.plan, options, rules, history, file_order);
  map_findings_to_source(assembled, source, result.findings);
  result.warnings.insert(result.warnings.end(), embedded.warnings.begin(), embedded.warnings.end());
  add_front_end_problems(source, embedded, rules, result);
  return result;
}

FileResult lint_with_front_end(const FrontEnd& front_end, const SourceFile& source,
                               const std::string& filesystem_path, const LintOptions& options,
                               const RuleSet& rules, SchemaHistory* history, std::size_t file_order) {
  Expected<EmbeddedSource> embedded =
      front_end.extract(source, filesystem_path, settings_of(options.front_ends, front_end.name()));
  if (!embedded) {
    // Nothing to publish: the caller's PublicationGuard publishes no facts for this file.
    FileResult failed;
    failed.path = source.path();
    failed.errors.push_back(InputError{source.path(), std::nullopt, embedded.error().message});
    return failed;
  }
  return lint_embedded_source(source, *embedded, options, rules, history, file_order);
}

void lint_inputs(const std::vector<LintInput>& inputs, const LintOptions& options, const RuleSet& rules,
                 const std::function<void(FileResult&&)>& emit) {
  // Copied once (with its per-kind lists): every file shares this one.
  auto shared = std::make_shared<const RuleSet>(rules);
  lint_inputs(
      inputs, options.jobs,
      [&](const std::string&) {
        return FileSetup{options, shared, Severity::Warning, nullptr};
      },
      emit);
}

void lint_inputs(const std::vector<LintInput>& inputs, unsigned jobs, const SetupForPath& setup_for,
                 const std::function<void(FileResult&&)>& emit) {
  VectorInputSource source{std::span<const LintInput>(inputs)};
  lint_inputs(source, jobs, setup_for, emit);
}

void lint_inputs(InputSource& input_source, unsigned jobs, const SetupForPath& setup_for,
                 const std::function<void(FileResult&&)>& emit) {
  SchemaHistory history;
  auto lint_file = [&](const LintInput& input, std::size_t index) {
    FileSetup setup = setup_for(input.display_path);
    const uint64_t max_bytes = setup.options.max_file_size;
    Expected<SourceFile> source =
        input.shared_contents ? source_from_shared_bytes(input.display_path, input.shared_contents, max_bytes)
        : input.contents      ? source_from_bytes(input.display_path, *input.contents, max_bytes)
                              : load_source_file(input.filesystem_path, input.display_path, max_bytes);
    if (!source) {
      FileResult failed;
      failed.path = input.display_path;
      failed.context_only = !input.report;
      failed.errors.push_back(InputError{input.display_path, std::nullopt, source.error().message});
      return failed;
    }
    const FrontEnd& front_end =
        registered_front_ends().for_path(input.display_path, setup.options.front_ends);
    if (!input.report) {
      // An earlier migration read for its schema facts only: no rules run on it, and only the
      // statements that can teach a fact are parsed. A program (an Alembic revision) teaches through
      // the SQL its calls send.
      if (front_end.sql_as_written()) {
        prepare_facts_only(*source, setup.options, history, index);
      } else {
        prepare_front_end_facts_only(front_end, *source, input.filesystem_path, setup.options, history,
                                     index);
      }
      FileResult context;
      context.path = input.display_path;
      context.context_only = true;
      return context;
    }
    if (setup.review) {
      setup.review->before(*source, setup.options);
    }
    bool as_written = front_end.sql_as_written();
    FileResult result;
    try {
      result = as_written ? lint_source(*source, setup.options, *setup.rules, &history, index)
                          : lint_with_front_end(front_end, *source, input.filesystem_path, setup.options,
                                                *setup.rules, &history, index);
    } catch (const ParserLimit& limit) {
      // Where in the file (for SQL; in a program the offset is in the SQL assembled from it).
      FileResult failed;
      failed.path = input.display_path;
      failed.errors.push_back(InputError{
          input.display_path, !as_written ? std::nullopt : std::optional(source->position(limit.offset())),
          fmt::format("cannot lint this file: {}", limit.what())});
      return failed;
    }
    if (as_written) {
      // Not for text given as contents (standard input, a file vetting already read): only a file on
      // disk has siblings to look at.
      if (!input.contents && !input.shared_contents) {
        report_missing_down_migration(input.filesystem_path, *source, *setup.rules, result);
      }
    }
    result.fail_on = setup.fail_on;
    if (setup.review) {
      setup.review->after(*source, result);
    }
    return result;
  };
  // An internal error on one file (memory exhausted, a parse tree too deep, a bug) is that file's
  // error line; the other files are still linted.
  auto lint_one = [&](const LintInput& input, std::size_t index) {
    FileResult result;
    std::string failure;
    {
      // However the file ends (its facts, an error, an exception), it has published when this goes.
      PublicationGuard publication(history, index);
      try {
        result = lint_file(input, index);
      } catch (const std::bad_alloc&) {
        failure = "out of memory while linting this file (see \"Limits and memory\" in the README)";
      } catch (const std::exception& error) {
        failure = fmt::format("internal error while linting this file: {}", error.what());
      } catch (...) {
        failure = "internal error while linting this file";
      }
    }
    if (!failure.empty()) {
      result = FileResult{};
      result.path = input.display_path;
      result.context_only = !input.report;
      result.errors.push_back(InputError{input.display_path, std::nullopt, std::move(failure)});
    }
    history.file_done(index);
    return result;
  };

  schedule_in_order(input_source, jobs, history, lint_one, emit);
}

}  // namespace miglint
