#include "runner/verdict.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "analyzer/engine/down_migrations.hpp"
#include "analyzer/project/migration_layout.hpp"
#include "analyzer/text/hash.hpp"
#include "rules/registry.hpp"

namespace miglint {

RunExecution run_execution(const runner::MigrationScript& script) {
  return RunExecution{script.mode == runner::ScriptMode::OneTransaction, script.executed};
}

std::optional<RunExecution> run_execution(const SourceFile& source, int pg_version) {
  // The switch point for the one transaction planner: `run` executes what this returns.
  Expected<runner::MigrationScript> script = runner::plan_script(source, pg_version);
  if (!script) {
    return std::nullopt;
  }
  return run_execution(*script);
}

RunnerTimeouts runner_timeouts(const runner::RunSettingsResolved& settings) {
  return RunnerTimeouts{settings.lock_timeout.count() > 0, settings.statement_timeout.count() > 0};
}

namespace {

// How to fix a file whose finding comes from the transaction `run` wraps it in, rather than how to
// approve it.
std::string wrapping_advice(std::string_view rule) {
  std::string split =
      rule == "validate-in-same-transaction"
          ? "VALIDATE CONSTRAINT in a migration after the one that adds the constraint NOT VALID"
      : rule == "statements-after-access-exclusive"
          ? "the statement that takes ACCESS EXCLUSIVE in a migration of its own"
      : rule == "mixed-ddl-and-dml" ? "the schema change and the data change in separate migrations"
                                    : "the statements this finding names in migrations of their own";
  return fmt::format(
      "this comes from the transaction miglint run wraps the whole file in: split the file ({}), or, where "
      "the statements need not commit together, start it with `-- miglint-no-transaction` (each statement "
      "then commits on its own, and a rerun resumes after the last one applied)",
      split);
}

}  // namespace

std::vector<ByteSpan> dbmate_down_sections(const SourceFile& source) {
  if (!source.path().ends_with(".sql") || is_down_migration_path(source.path())) {
    return {};
  }
  return down_migration_spans(source);
}

void judge_findings(FileResult& result, const std::string& sha256, const FileApprovals& approvals,
                    Severity fail_on, const std::optional<RunExecution>& vetting,
                    std::span<const ByteSpan> down_sections) {
  for (Finding& finding : result.findings) {
    const Rule* rule = finding.reported_by;
    bool reasoned_ignore = finding.suppressed && !finding.suppression_reason.empty();
    const bool in_down_section =
        std::any_of(down_sections.begin(), down_sections.end(), [&](const ByteSpan& down) {
          return down.begin <= finding.span.begin && finding.span.begin < down.end;
        });
    const std::string section = in_down_section ? kDownSection : "";
    if (const Approval* approval =
            find_approval(*approvals.list, approvals.relative_path, sha256, finding.rule, section)) {
      if (!reasoned_ignore) {
        finding.suppressed = true;
        finding.approved = true;
        finding.suppression_reason = approval->reason;
      }
      continue;
    }
    if (const Approval* stale =
            find_stale_approval(*approvals.list, approvals.relative_path, sha256, finding.rule, section);
        stale != nullptr && !reasoned_ignore) {
      finding.message += fmt::format(
          " (miglint.approvals.toml approves {} here for older contents of the file, sha256 {}: review the "
          "change and approve again)",
          finding.rule, stale->sha256.substr(0, 12));
    }
    if (!vetting) {
      continue;
    }
    if (finding.span.begin < vetting->executed.begin || finding.span.begin >= vetting->executed.end) {
      continue;  // a dbmate down section: `run` does not execute it
    }
    if (finding.rule == "missing-down-migration") {
      continue;  // about the directory, not what the file does to the database: `run` applies it as it is
    }
    bool destructive = rule != nullptr && rule->has_tag("destructive");
    if ((finding.severity < fail_on && !destructive) || reasoned_ignore) {
      continue;
    }
    std::string why = destructive ? "destructive: always needs an approval"
                                  : fmt::format("{} at or above fail_on", severity_name(finding.severity));
    if (finding.suppressed) {
      why +=
          "; its ignore comment gives no reason, and only an ignore with a reason approves a finding for "
          "miglint run";
      finding.help += " (For miglint run, add the reason: `-- miglint-ignore " + finding.rule + " -- why`.)";
      finding.suppressed = false;
    }
    if (vetting->wrapped && rule != nullptr && rule->has_tag("transaction")) {
      std::string advice = wrapping_advice(finding.rule);
      why += "; " + advice;
      finding.help += " Under miglint run: " + advice + ".";
    }
    finding.needs_approval = true;
    finding.vetting_note = std::move(why);
  }
}

namespace {

class VettingReview final : public FileReview {
 public:
  VettingReview(std::shared_ptr<ApprovalsCache> approvals, Severity fail_on, int pg_version, bool vet,
                KnownExecution known)
      : approvals_(std::move(approvals)),
        fail_on_(fail_on),
        pg_version_(pg_version),
        vet_(vet),
        known_(std::move(known)) {}

  void before(const SourceFile& source, LintOptions& options) override {
    if (!vet_) {
      return;
    }
    execution_ = known_ ? known_(source.path()) : std::nullopt;
    if (!execution_) {
      execution_ = run_execution(source, pg_version_);
    }
    if (!execution_) {
      // `run` refuses a file it cannot plan, for that reason; its findings are judged as written.
      execution_ = RunExecution{false, ByteSpan{0, static_cast<uint32_t>(source.size())}};
    }
    if (execution_ && execution_->wrapped) {
      options.assume_in_transaction = true;
    }
  }

  void after(const SourceFile& source, FileResult& result) override {
    Expected<FileApprovals> approvals = approvals_->for_file(source.path());
    if (!approvals) {
      result.errors.push_back(InputError{source.path(), std::nullopt, approvals.error().message});
      return;
    }
    if (approvals->list->empty() && !vet_) {
      return;  // the common case of a plain lint: nothing to look up, no checksum to compute
    }
    std::string sha256 = approvals->list->empty() ? std::string() : sha256_hex(source.text());
    judge_findings(result, sha256, *approvals, fail_on_, vet_ ? execution_ : std::nullopt,
                   dbmate_down_sections(source));
  }

 private:
  std::shared_ptr<ApprovalsCache> approvals_;
  Severity fail_on_;
  int pg_version_;
  bool vet_;
  KnownExecution known_;
  std::optional<RunExecution> execution_;
};

}  // namespace

FileSetup vetting_setup(const FileSettings& settings, int pg_version, RunnerTimeouts timeouts,
                        std::shared_ptr<ApprovalsCache> approvals, SettingsResolver& resolver,
                        KnownExecution known) {
  std::set<std::string> select = settings.select;
  std::set<std::string> ignore = settings.ignore;
  if (timeouts.lock_timeout) {
    ignore.insert("require-lock-timeout");
  }
  if (timeouts.statement_timeout) {
    ignore.insert("require-statement-timeout");
  }
  // Destructive rules always run: their findings need an approval whatever the settings say.
  for (const Rule& rule : all_rules()) {
    if (rule.has_tag("destructive")) {
      ignore.erase(std::string(rule.id));
      if (!select.empty()) {
        select.insert(std::string(rule.id));
      }
    }
  }
  FileSetup setup;
  setup.options.pg_version = pg_version;
  // The lint plans the file's transactions exactly as the runner executes it (the same planner,
  // plan_transactions in ExecutionMode::Runner): statements the runner runs together in one
  // transaction are linted together, whatever the settings assume.
  setup.options.execution = ExecutionMode::Runner;
  setup.options.assume_in_transaction = false;
  setup.fail_on = settings.fail_on;
  setup.rules = resolver.rule_set(select, ignore, settings.severities);
  setup.review = std::make_shared<VettingReview>(std::move(approvals), settings.fail_on, pg_version, true,
                                                 std::move(known));
  return setup;
}

std::shared_ptr<FileReview> approvals_review(std::shared_ptr<ApprovalsCache> approvals) {
  return std::make_shared<VettingReview>(std::move(approvals), Severity::Warning, 15, false, nullptr);
}

}  // namespace miglint
