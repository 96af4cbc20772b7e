#pragma once

// One verdict for `miglint lint` and `miglint run`: the setup a file is vetted with (the transaction
// mode `run` executes it in, destructive rules always on, the timeout rules off only for the
// timeouts the runner sets) and the judgement of its findings (approved by an ignore comment with a
// reason or by miglint.approvals.toml, or needing an approval). `run` vets pending migrations with
// it; `lint` uses it for the files `run` applies when miglint.toml has a [run] table, and for every
// file applies the approvals. Free of libpq: `lint` links it.
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include "analyzer/engine/linter.hpp"
#include "analyzer/project/approvals.hpp"
#include "analyzer/text/source_file.hpp"
#include "runner/runner.hpp"
#include "runner/script.hpp"
#include "settings/settings.hpp"

namespace miglint {

// How `miglint run` executes a file, as far as vetting needs to know.
struct RunExecution {
  bool wrapped = false;  // the runner wraps the whole file in one transaction of its own
  ByteSpan executed;     // the part of the file that runs (a dbmate file: its up section)
};

// The one call that decides how `run` executes a file (today: runner::plan_script's mode). Vetting
// in `run`, `plan`, `status` and `lint` all take the mode from here. nullopt when the file cannot
// be planned (`run` refuses it with the planner's message).
RunExecution run_execution(const runner::MigrationScript& script);
std::optional<RunExecution> run_execution(const SourceFile& source, int pg_version);

// The timeouts the runner sets on the statements it runs. Vetting switches require-lock-timeout
// and require-statement-timeout off only while the runner sets that timeout.
struct RunnerTimeouts {
  bool lock_timeout = true;
  bool statement_timeout = true;
};
RunnerTimeouts runner_timeouts(const runner::RunSettingsResolved& settings);

// Applies the approvals of a file to its findings and, with `vetting` (how `run` executes the
// file), judges them as `run` does: a finding at or above `fail_on`, or of a rule tagged
// `destructive` whatever its severity, needs an approval unless an ignore comment with a reason or
// an approval for these contents covers it. An approval for other contents (a stale one) approves
// nothing and is mentioned. A finding that needs an approval is never left suppressed. A finding
// inside one of `down_sections` (a dbmate file's `-- migrate:down` sections: dbmate_down_sections) is
// approved by the approvals of that section only (Approval::section), any other by the others.
void judge_findings(FileResult& result, const std::string& sha256, const FileApprovals& approvals,
                    Severity fail_on, const std::optional<RunExecution>& vetting,
                    std::span<const ByteSpan> down_sections = {});

// A dbmate file's `-- migrate:down` sections, which approvals name as a section of their own; none
// for other files (a down file is a file of its own; an Alembic downgrade() is its revision's).
std::vector<ByteSpan> dbmate_down_sections(const SourceFile& source);

// Where the text of a file comes from for vetting: its execution as planned (`run` has planned it
// already), or nullopt to plan it from the text.
using KnownExecution = std::function<std::optional<RunExecution>(const std::string& display_path)>;

// The setup of a file `run` applies, from the file's settings: destructive rules on whatever the
// settings say, the timeout rules off for the timeouts the runner sets, the transaction mode from
// `run_execution`, and a review that judges the findings (judge_findings).
FileSetup vetting_setup(const FileSettings& settings, int pg_version, RunnerTimeouts timeouts,
                        std::shared_ptr<ApprovalsCache> approvals, SettingsResolver& resolver,
                        KnownExecution known = nullptr);

// The review of a file `lint` reads outside of vetting: its approvals only.
std::shared_ptr<FileReview> approvals_review(std::shared_ptr<ApprovalsCache> approvals);

}  // namespace miglint
