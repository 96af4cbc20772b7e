#include "analyzer/report/alembic_run_report.hpp"

#include <fmt/format.h>

#include "analyzer/text/message_text.hpp"

namespace miglint {

namespace {

std::string shown_duration(std::chrono::milliseconds duration) {
  auto count = duration.count();
  return count == 0           ? std::string("none")
         : count % 60000 == 0 ? fmt::format("{}min", count / 60000)
         : count % 1000 == 0  ? fmt::format("{}s", count / 1000)
                              : fmt::format("{}ms", count);
}

}  // namespace

void write_alembic_applying(std::ostream& out, const AlembicApplyingView& view) {
  out << fmt::format("applying {} {} ({}) through Alembic{}\n", escape_for_message(view.revision),
                     escape_for_message(view.name), escape_for_message(view.display_path),
                     view.autocommit_block ? ", with an autocommit_block()" : "");
}

void write_alembic_failure(std::ostream& out, const AlembicFailureView& view) {
  out << fmt::format(
      "miglint: error: {}{}: {}{}\n",
      view.where.empty() ? escape_for_message(view.display_path) : escape_for_message(view.where),
      view.where.empty() ? fmt::format(" (revision {})", escape_for_message(view.revision)) : "",
      escape_for_message(view.error),
      view.sqlstate.empty() ? "" : fmt::format(" (SQLSTATE {})", view.sqlstate));
  if (!view.statement.empty()) {
    std::string_view statement = view.statement.substr(0, view.statement.find('\n'));
    out << fmt::format("  statement: {}{}\n", escape_for_message(statement),
                       statement.size() < view.statement.size() ? " ..." : "");
  }
  if (view.lock_timeout && !view.partial) {
    out << fmt::format("  gave up after {} retr{}\n", view.retries, view.retries == 1 ? "y" : "ies");
  }
  if (view.partial) {
    out << fmt::format(
        "  revision {} is PARTIAL: its autocommit_block() had committed what ran before it, and statements "
        "in the block commit one by one; alembic_version still names the revision before it, and miglint "
        "does not retry it\n"
        "  before running again, check what it left: the statements of {} up to the failing one are applied "
        "(an interrupted CREATE INDEX CONCURRENTLY leaves an INVALID index: `SELECT indexrelid::regclass "
        "FROM "
        "pg_index WHERE NOT indisvalid`, drop it); make the revision safe to run again (IF NOT EXISTS, "
        "if_not_exists=True) or undo what it applied, then run `miglint run` again\n",
        escape_for_message(view.revision), escape_for_message(view.display_path));
  } else {
    out << fmt::format(
        "  revision {} was rolled back: nothing of it is applied, alembic_version still names the revision "
        "before it\n",
        escape_for_message(view.revision));
  }
  if (!view.log.empty() && view.sqlstate.empty()) {
    out << "  Alembic's last output:\n";
    std::string_view log = view.log;
    while (!log.empty()) {
      std::size_t end = log.find('\n');
      out << fmt::format("    {}\n", escape_for_message(log.substr(0, end)));
      log = end == std::string_view::npos ? std::string_view() : log.substr(end + 1);
    }
  }
}

void write_alembic_plan(std::ostream& out, const AlembicPlanView& plan) {
  out << fmt::format(
      "timeouts (PGOPTIONS of Alembic's session): lock_timeout {}, statement_timeout {}; CONCURRENTLY "
      "statements: lock_timeout {}, statement_timeout {}; a lock timeout of a revision without an "
      "autocommit_block() is retried up to {} time{}\n",
      shown_duration(plan.timeouts.lock_timeout), shown_duration(plan.timeouts.statement_timeout),
      shown_duration(plan.timeouts.concurrent_lock_timeout),
      shown_duration(plan.timeouts.concurrent_statement_timeout), plan.timeouts.retries,
      plan.timeouts.retries == 1 ? "" : "s");
  out << fmt::format("alembic_version: {}\n",
                     plan.current.empty() ? "(no revision applied)" : escape_for_message(plan.current));
  for (const AlembicPlanRevisionView& revision : plan.revisions) {
    out << fmt::format("{} {} ({}): alembic upgrade {}, {}\n", escape_for_message(revision.revision),
                       escape_for_message(revision.name), escape_for_message(revision.display_path),
                       escape_for_message(revision.revision),
                       revision.autocommit_block
                           ? "a transaction committed at its autocommit_block() (not retried once the block "
                             "has started)"
                           : "one transaction");
    if (!revision.statements_unknown.empty()) {
      out << fmt::format("  statements unknown: {}\n", escape_for_message(revision.statements_unknown));
    } else if (revision.statements == 0) {
      out << "  no statement\n";
    }
    for (const PlanSegmentView& segment : revision.segments) {
      out << fmt::format("  {} (statements {}-{})\n", segment.kind, segment.first, segment.last);
      for (const PlanStatementView& statement : segment.statements) {
        std::string taken = statement.locks != nullptr ? describe_locks(*statement.locks) : "";
        out << fmt::format("    {}:{} {}{}\n", statement.start.line, statement.start.column, statement.label,
                           taken.empty() ? "" : "  -- " + taken);
      }
    }
    write_unapproved(out, "  ", revision.display_path, revision.unapproved);
  }
  if (plan.revisions.empty() && plan.target) {
    write_target_applied(out, *plan.target);
  } else if (plan.revisions.empty()) {
    out << fmt::format("nothing to do: every revision in {} is applied\n", escape_for_message(plan.project));
  }
}

void write_alembic_stamped(std::ostream& out, std::string_view revision, std::string_view previous) {
  out << fmt::format(
      "baseline: alembic_version now records {} (was: {}); stamped through Alembic (`alembic stamp`), no "
      "revision was run\n",
      escape_for_message(revision), previous.empty() ? std::string("nothing") : escape_for_message(previous));
}

void write_alembic_partials(std::ostream& out, const std::vector<AlembicPartialView>& partials,
                            bool cleared) {
  if (partials.empty()) {
    out << "nothing to repair: no revision is recorded as partial (alembic_version holds revision ids, no "
           "checksums)\n";
    return;
  }
  out << (cleared ? "forgot the partial state of:\n" : "partial revisions (part of them is committed):\n");
  for (const AlembicPartialView& partial : partials) {
    out << fmt::format("  {}  failed {}: {}\n", escape_for_message(partial.revision),
                       escape_for_message(partial.failed_at), escape_for_message(partial.error));
  }
}

}  // namespace miglint
