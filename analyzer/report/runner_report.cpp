// The runner's text: `status`, `plan`, and the lines of `run` that are not progress.
#include "analyzer/report/runner_report.hpp"

#include "analyzer/report/backfill_progress.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "analyzer/model/lock_model.hpp"
#include "analyzer/text/message_text.hpp"

namespace miglint {

namespace {

const char* plural(std::size_t count) {
  return count == 1 ? "" : "s";
}

// The timeouts `run` sets, as `plan` states them.
std::string timeouts_in_force(const PlanTimeouts& timeouts) {
  auto shown = [](std::chrono::milliseconds duration) {
    auto count = duration.count();
    return count == 0           ? std::string("none")
           : count % 60000 == 0 ? fmt::format("{}min", count / 60000)
           : count % 1000 == 0  ? fmt::format("{}s", count / 1000)
                                : fmt::format("{}ms", count);
  };
  return fmt::format(
      "timeouts: lock_timeout {} on every statement but CONCURRENTLY ones, {} on those (a lock timeout is "
      "retried up to {} time{}); statement_timeout {} on every statement but CONCURRENTLY ones, {} on those "
      "(a SET in the file overrides them until the end of its segment)\n",
      shown(timeouts.lock_timeout), shown(timeouts.concurrent_lock_timeout), timeouts.retries,
      timeouts.retries == 1 ? "" : "s", shown(timeouts.statement_timeout),
      shown(timeouts.concurrent_statement_timeout));
}

// `      last attempt failed 2026-12-05 04:01:02 UTC (SQLSTATE 42P01): the error's first line`
void write_failure_line(std::ostream& out, const FailureView& failure) {
  std::string time(failure.time);
  if (time.size() == 20 && time[10] == 'T' && time.back() == 'Z') {
    time = time.substr(0, 10) + " " + time.substr(11, 8) + " UTC";
  }
  std::string_view error = failure.error;
  error = error.substr(0, error.find('\n'));
  out << fmt::format(
      "      last attempt failed {}{}{}: {}\n", escape_for_message(time),
      failure.sqlstate.empty() ? "" : fmt::format(" (SQLSTATE {})", escape_for_message(failure.sqlstate)),
      failure.statement ? fmt::format(" in statement {}", *failure.statement) : "",
      escape_for_message(error));
}

}  // namespace

void write_first_refused(std::ostream& out, const FirstRefusedView& first) {
  if (first.target_before) {
    out << fmt::format(
        "  the first refused migration is {} (version {}): `miglint run --target {}` applies the {} pending "
        "migration{} before it\n",
        first.display_path, escape_for_message(first.version), escape_for_message(*first.target_before),
        first.pending_before, plural(first.pending_before));
  } else {
    out << fmt::format(
        "  the first refused migration is {} (version {}); no pending migration comes before it\n",
        first.display_path, escape_for_message(first.version));
  }
}

void write_unapproved(std::ostream& out, std::string_view indent, std::string_view display_path,
                      std::span<const UnapprovedView> items) {
  for (const UnapprovedView& item : items) {
    const Finding& finding = *item.finding;
    out << fmt::format("{}{}:{}:{}: {} [{}] {}\n{}  ({})\n", indent, finding.path, finding.start.line,
                       finding.start.column, severity_name(finding.severity), finding.rule,
                       escape_for_message(finding.message), indent, escape_for_message(item.why));
  }
  if (!items.empty()) {
    out << fmt::format(
        "{}approve each with: miglint approve {} --rule RULE --reason \"...\"  (or an inline `-- "
        "miglint-ignore RULE -- "
        "reason`)\n",
        indent, display_path);
  }
}

void write_refusals(std::ostream& out, std::string_view heading, std::span<const std::string> refusals) {
  out << heading << "\n";
  for (const std::string& refusal : refusals) {
    out << fmt::format("  {}\n", refusal);
  }
}

void write_status(std::ostream& out, const StatusView& status) {
  out << fmt::format("{} (PostgreSQL {}, history {}.{})\n", escape_for_message(status.directory),
                     status.server_major, escape_for_message(status.schema), status.history_table);
  for (const StatusMigrationView& migration : status.migrations) {
    std::string extra;
    if (migration.statements_applied) {
      extra = fmt::format("  {} of {} statements applied", migration.statements_applied->first,
                          migration.statements_applied->second);
      if (migration.interrupted_statement) {
        // Started outside a transaction, its end not recorded: killed, failed or still running.
        extra += fmt::format("; interrupted in statement {} (run again: it is checked and finished)",
                             *migration.interrupted_statement);
      }
    } else if (migration.rollback) {
      const RollbackStatusView& rollback = *migration.rollback;
      extra = fmt::format("  {} of {} statements of its down migration {} ran", rollback.statements_applied,
                          rollback.statements_total, escape_for_message(rollback.down_file));
      if (rollback.interrupted_statement) {
        extra += fmt::format("; interrupted in statement {}", *rollback.interrupted_statement);
      }
      extra += " (`miglint rollback` resumes it; `miglint run` refuses until it is finished)";
    } else if (migration.checksums) {
      extra = fmt::format("  checksum {} applied, {} on disk", migration.checksums->first,
                          migration.checksums->second);
    } else if (!migration.script_error.empty()) {
      extra = fmt::format("  cannot run: {}", migration.script_error);
    } else if (!migration.unapproved.empty()) {
      extra = fmt::format("  needs approval ({})", migration.unapproved.size());
    }
    if (migration.backfill) {
      extra += "; " + backfill_status_text(migration.backfill->rows_done, migration.backfill->rows_total,
                                           migration.backfill->rows_total_estimated,
                                           migration.backfill->statement);
    }
    if (migration.out_of_order) {
      extra += "  (older than an applied migration: runs out of order)";
    }
    if (migration.running) {
      extra += fmt::format("  (being applied now by miglint pid {}, backend pid {})",
                           migration.running->runner_pid, migration.running->backend_pid);
    }
    out << fmt::format("  {:<8} {:<20} {}{}\n", migration.status, escape_for_message(migration.version),
                       escape_for_message(migration.name), extra);
    if (migration.failure) {
      write_failure_line(out, *migration.failure);
    }
    write_unapproved(out, "      ", migration.display_path, migration.unapproved);
  }
  for (const StatusMissingView& row : status.missing_on_disk) {
    out << fmt::format("  {:<8} {:<20} {}  applied, but no file has this version\n", "MISSING",
                       escape_for_message(row.version), escape_for_message(row.name));
  }
}

std::string describe_locks(const StatementLocks& statement) {
  std::vector<std::string> parts;
  for (const RelationEffect& effect : statement.relations) {
    std::vector<std::string_view> what;
    if (effect.rewrite) {
      what.push_back("rewrite");
    }
    if (effect.scan) {
      what.push_back("scan");
    }
    parts.push_back(fmt::format("{} {}{}", lock_mode_name(effect.lock), escape_for_message(effect.relation),
                                what.empty() ? "" : fmt::format(" ({})", fmt::join(what, ", "))));
  }
  return fmt::format("{}", fmt::join(parts, ", "));
}

std::string plan_statement_label(const PlanStatementView& statement) {
  return statement.label.empty() ? statement_label(statement.sql) : std::string(statement.label);
}

void write_plan(std::ostream& out, const PlanView& plan) {
  out << timeouts_in_force(plan.timeouts);
  for (const PlanMigrationView& migration : plan.migrations) {
    out << fmt::format("{} {} ({}): {}, {} statement{}{}\n", escape_for_message(migration.version),
                       escape_for_message(migration.name), migration.display_path, migration.mode,
                       migration.statements, plural(migration.statements),
                       migration.resuming_after > 0
                           ? fmt::format(", resuming after statement {}", migration.resuming_after)
                           : "");
    for (const PlanSegmentView& segment : migration.segments) {
      out << fmt::format("  {} (statements {}-{}){}\n", segment.kind, segment.first, segment.last,
                         segment.lock_timeout ? fmt::format(", lock_timeout {}", *segment.lock_timeout) : "");
      for (const PlanStatementView& statement : segment.statements) {
        std::string taken = statement.locks != nullptr ? describe_locks(*statement.locks) : "";
        out << fmt::format("    {}:{} {}{}\n", statement.start.line, statement.start.column,
                           plan_statement_label(statement), taken.empty() ? "" : "  -- " + taken);
      }
    }
    write_unapproved(out, "  ", migration.display_path, migration.unapproved);
  }
  write_plan_risks(out, plan.risks);
  if (plan.migrations.empty() && plan.target) {
    write_target_applied(out, *plan.target);
  } else if (plan.migrations.empty()) {
    out << fmt::format("nothing to do: every migration in {} is applied\n",
                       escape_for_message(plan.directory));
  }
}

void write_nothing_to_do(std::ostream& out, std::size_t applied, std::string_view directory) {
  out << fmt::format("nothing to do: {} migration{} applied in {}\n", applied, plural(applied),
                     escape_for_message(directory));
}

void write_target_applied(std::ostream& out, std::string_view version) {
  out << fmt::format("nothing to do: --target {} is already applied\n", escape_for_message(version));
}

void write_applied(std::ostream& out, std::size_t applied) {
  out << fmt::format("applied {} migration{}\n", applied, plural(applied));
}

}  // namespace miglint
