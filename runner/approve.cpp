#include "runner/approve.hpp"

#include <fmt/format.h>
#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <ctime>
#include <filesystem>
#include <ostream>
#include <set>

#include "analyzer/project/alembic_layout.hpp"
#include "analyzer/project/approvals.hpp"
#include "analyzer/project/git.hpp"
#include "analyzer/project/migration_layout.hpp"
#include "analyzer/report/approvals_report.hpp"
#include "analyzer/sql/squawk_rules.hpp"
#include "analyzer/text/hash.hpp"
#include "analyzer/text/message_text.hpp"
#include "analyzer/text/source_file.hpp"
#include "rules/registry.hpp"
#include "runner/down_files.hpp"
#include "runner/script.hpp"
#include "runner/state.hpp"
#include "runner/verdict.hpp"
#include "runner/vetted_findings.hpp"
#include "settings/settings.hpp"

namespace miglint::runner {

namespace fs = std::filesystem;

namespace {

std::string default_approver() {
  Expected<std::string> configured = run_git({"config", "user.name"});
  std::string name = configured ? *configured : std::string();
  while (!name.empty() && (name.back() == '\n' || name.back() == ' ')) {
    name.pop_back();
  }
  if (!name.empty()) {
    return name;
  }
  if (const passwd* user = getpwuid(getuid()); user != nullptr && user->pw_name != nullptr) {
    return user->pw_name;
  }
  const char* login = std::getenv("USER");
  return login != nullptr ? login : "unknown";
}

std::string today() {
  std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  return fmt::format("{:04}-{:02}-{:02}", utc.tm_year + 1900, utc.tm_mon + 1, utc.tm_mday);
}

// `unknown rule `x``, with the miglint id when `x` is squawk's name for a rule.
std::string unknown_rule_message(const std::string& rule) {
  std::optional<SquawkRule> squawk = find_squawk_rule(rule);
  if (squawk && !squawk->miglint.empty()) {
    return fmt::format("unknown rule `{}` (squawk's name for `{}`: approvals name miglint's ids)", rule,
                       squawk->miglint);
  }
  return fmt::format("unknown rule `{}` (see `miglint rules`)", escape_for_message(rule));
}

}  // namespace

int approve(const ApproveRequest& request, std::ostream& out, std::ostream& err) {
  if (request.reason.find_first_not_of(" \t\n") == std::string::npos) {
    err << "miglint: error: --reason must say why the finding is acceptable\n";
    return kExitError;
  }
  if (request.rules.empty() == !request.all_findings) {
    err << "miglint: error: give the rules to approve (--rule A --rule B, or --rule A,B) or --all-findings, "
           "not both\n";
    return kExitError;
  }
  for (const std::string& rule : request.rules) {
    if (find_rule(rule) == nullptr) {
      err << fmt::format("miglint: error: {}\n", unknown_rule_message(rule));
      return kExitError;
    }
  }
  Expected<std::string> bytes = read_file_bytes(request.file);
  if (!bytes) {
    err << fmt::format("miglint: error: {}: {}\n", escape_for_message(request.file), bytes.error().message);
    return kExitError;
  }
  // The file's migrations directory: the configured one when the file is inside it (the rule `lint`
  // and vetting find approvals by).
  std::error_code error;
  fs::path file = fs::absolute(request.file, error).lexically_normal();
  fs::path directory = approvals_directory_for(request.file, request.settings.directory);
  std::string relative = file.lexically_relative(directory).generic_string();
  NameReading reading = read_migration_name(relative);
  bool alembic_revision = alembic_project_of(file.string()).has_value();  // applied through Alembic
  // Down and undo migrations (Skip) are approved too: `miglint rollback` vets them as `run` vets ups.
  if (reading.kind == NameReading::Kind::Invalid && !alembic_revision) {
    err << fmt::format("miglint: error: {}: not a migration the runner applies ({})\n",
                       escape_for_message(request.file), reading.why.empty() ? "skipped" : reading.why);
    return kExitError;
  }
  // A dbmate file's down section is a section of its own: approved with --down, as `rollback` runs it.
  const std::vector<ByteSpan> down_sections = dbmate_down_sections(SourceFile(request.file, *bytes));
  std::optional<RunExecution> down_execution;
  if (request.down) {
    if (down_sections.empty()) {
      err << fmt::format(
          "miglint: error: {}: --down approves a dbmate file's `-- migrate:down` section, and this file has "
          "none (approve a down file such as 0003_x.down.sql as a file of its own, without --down)\n",
          escape_for_message(request.file));
      return kExitError;
    }
    SourceFile planned(request.file, dbmate_down_planned_text(*bytes, down_sections.front()));
    Expected<MigrationScript> script = plan_script(
        planned, SettingsResolver(request.settings.config).file_settings(request.file).pg_version);
    if (!script) {
      err << fmt::format("miglint: error: {}\n", escape_for_message(script.error().message));
      return kExitError;
    }
    script->executed = down_sections.front();
    down_execution = run_execution(*script);
  }
  auto in_section = [&](const Finding& finding) {
    bool in_down = std::any_of(down_sections.begin(), down_sections.end(), [&](const ByteSpan& down) {
      return down.begin <= finding.span.begin && finding.span.begin < down.end;
    });
    return in_down == request.down;
  };
  // What `run` (or with --down, `rollback`) would see in the file: each rule approved must have a
  // finding in the section approved, and --all-findings approves exactly the findings run would
  // refuse the section for.
  Expected<FileResult> vetted = vetted_findings(request.file, *bytes, request.settings, down_execution);
  if (!vetted) {
    err << fmt::format("miglint: error: {}\n", escape_for_message(vetted.error().message));
    return kExitError;
  }
  const std::string section_words = request.down ? " in its -- migrate:down section" : "";
  std::set<std::string> found;
  std::set<std::string> needing;
  for (const Finding& finding : vetted->findings) {
    if (!in_section(finding)) {
      continue;
    }
    found.insert(finding.rule);
    if (finding.needs_approval) {
      needing.insert(finding.rule);
    }
  }
  std::vector<std::string> rules;
  if (request.all_findings) {
    rules.assign(needing.begin(), needing.end());
    if (rules.empty()) {
      err << fmt::format(
          "miglint: error: {}: no finding{} needs an approval (as `miglint {}` vets it); nothing was "
          "written\n",
          escape_for_message(request.file), section_words, request.down ? "rollback" : "run");
      return kExitRefused;
    }
  } else {
    std::set<std::string> unique;
    bool missing = false;
    for (const std::string& rule : request.rules) {
      if (!unique.insert(rule).second) {
        continue;
      }
      rules.push_back(rule);
      if (!found.contains(rule)) {
        err << fmt::format("miglint: error: {} has no finding of {}{} (as `miglint {}` vets it)\n",
                           escape_for_message(request.file), rule, section_words,
                           request.down ? "rollback" : "run");
        missing = true;
      }
    }
    if (missing) {
      err << "miglint: nothing was approved: approve only rules that report something in the file\n";
      return kExitRefused;
    }
  }
  std::string approvals_path = (directory / kApprovalsFileName).string();
  Expected<std::vector<Approval>> approvals = load_approvals(approvals_path);
  if (!approvals) {
    err << fmt::format("miglint: error: {}\n", approvals.error().message);
    return kExitError;
  }
  std::string sha256 = sha256_hex(*bytes);
  std::string by = request.by.empty() ? default_approver() : request.by;
  for (const std::string& rule : rules) {
    add_approval(*approvals, Approval{relative, sha256, rule, request.reason, by, today(),
                                      request.down ? kDownSection : ""});
  }
  // "written" only once it is: a failed save reports the error alone.
  Expected<bool> saved = save_approvals(approvals_path, *approvals);
  if (!saved) {
    err << fmt::format("miglint: error: {}\n", saved.error().message);
    return kExitError;
  }
  write_approved(out, ApprovedView{rules, relative + (request.down ? " (its -- migrate:down section)" : ""),
                                   short_hash(sha256), by, approvals_path});
  return kExitDone;
}

}  // namespace miglint::runner
