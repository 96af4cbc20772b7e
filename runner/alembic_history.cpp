#include "runner/alembic_history.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <ostream>
#include <set>

#include "analyzer/report/alembic_run_report.hpp"
#include "analyzer/text/message_text.hpp"
#include "runner/alembic_partial.hpp"
#include "runner/alembic_runner.hpp"
#include "runner/alembic_upgrade.hpp"
#include "runner/applier.hpp"
#include "runner/history_lock.hpp"

namespace miglint::runner {

namespace {

// Connects and takes the runner lock (no `run` applies revisions meanwhile); exit status or kExitDone.
int connect_locked(const RunSettingsResolved& settings, const std::string& command, Redactor& redact,
                   std::unique_ptr<PgSession>& session, std::ostream& out, std::ostream& err) {
  Expected<std::unique_ptr<PgSession>> connected =
      PgSession::connect(settings.database_url, redact, "miglint-" + command);
  if (!connected) {
    err << fmt::format("miglint: error: {}\n", connected.error().message);
    return kExitError;
  }
  session = std::move(*connected);
  bool connection_lost = false;
  if (!acquire_runner_lock(*session, settings, out, err, connection_lost)) {
    return connection_lost ? kExitError : kExitRefused;
  }
  return kExitDone;
}

}  // namespace

int baseline_alembic(const AlembicProject& project, const RunSettingsResolved& settings,
                     const BaselineRequest& request, std::ostream& out, std::ostream& err) {
  if (request.from || request.from_table) {
    err << "miglint: error: baseline --from TOOL imports another tool's history; an Alembic project's "
           "history "
           "is Alembic's alembic_version: use baseline --version REVISION (alembic stamp)\n";
    return kExitError;
  }
  if (!request.version) {
    err << "miglint: error: baseline on an Alembic project needs --version REVISION: the revision the "
           "database "
           "already has (alembic_version is stamped with it, nothing is run)\n";
    return kExitError;
  }
  if (!check_database_settings(settings, err)) {
    return kExitError;
  }
  Expected<std::vector<AlembicRevisionFile>> revisions = alembic_revisions(project);
  if (!revisions) {
    err << fmt::format("miglint: error: {}\n", revisions.error().message);
    return kExitRefused;
  }
  auto target = std::find_if(revisions->begin(), revisions->end(), [&](const AlembicRevisionFile& file) {
    return file.header.revision == *request.version;
  });
  if (target == revisions->end()) {
    err << fmt::format("miglint: error: --version {}: no revision in {} has this id\n",
                       escape_for_message(*request.version), escape_for_message(project.versions_directory));
    return kExitError;
  }
  Redactor redact(settings.database_url);
  std::unique_ptr<PgSession> session;
  if (int status = connect_locked(settings, "baseline", redact, session, out, err); status != kExitDone) {
    return status;
  }
  Expected<std::vector<std::string>> recorded = recorded_alembic_revisions(*session);
  if (!recorded) {
    err << fmt::format("miglint: error: {}\n", recorded.error().message);
    return session->alive() ? kExitRefused : kExitError;
  }
  std::string previous = fmt::format("{}", fmt::join(*recorded, ", "));
  if (!recorded->empty() && !request.force) {
    err << fmt::format(
        "miglint: error: refusing to baseline: alembic_version already records {} (baseline records the "
        "starting point of a database Alembic never ran on; --force stamps it anyway)\n",
        escape_for_message(previous));
    return kExitRefused;
  }
  AlembicUpgradeRequest stamp{project,
                              target->header.revision,
                              settings.database_url,
                              alembic_python_for(settings, target->header.path),
                              "miglint-alembic/baseline",
                              settings.lock_timeout,
                              settings.statement_timeout,
                              settings.concurrent_lock_timeout,
                              settings.concurrent_statement_timeout,
                              AlembicUpgradeRequest::Direction::Stamp};
  Expected<AlembicUpgradeResult> result = alembic_upgrade(stamp);
  if (!result || !result->ok) {
    err << fmt::format("miglint: error: alembic stamp {} failed: {}\n",
                       escape_for_message(target->header.revision),
                       redact(result ? result->error : result.error().message));
    return result ? kExitRefused : kExitError;
  }
  // The stamped revision and the ones before it are applied now: no partial state of theirs is kept.
  std::map<std::string, const RevisionHeader*> by_id;
  for (const AlembicRevisionFile& file : *revisions) {
    by_id[file.header.revision] = &file.header;
  }
  std::vector<std::string> stack{target->header.revision};
  std::set<std::string> seen;
  while (!stack.empty()) {
    std::string next = stack.back();
    stack.pop_back();
    if (!seen.insert(next).second) {
      continue;
    }
    clear_alembic_partial(*session, settings.schema, next);
    if (auto found = by_id.find(next); found != by_id.end()) {
      stack.insert(stack.end(), found->second->down_revisions.begin(), found->second->down_revisions.end());
    }
  }
  write_alembic_stamped(out, target->header.revision, previous);
  return kExitDone;
}

int repair_alembic(const AlembicProject& project, const RunSettingsResolved& settings,
                   const RepairRequest& request, std::ostream& out, std::ostream& err) {
  (void)project;
  if (!check_database_settings(settings, err)) {
    return kExitError;
  }
  Redactor redact(settings.database_url);
  std::unique_ptr<PgSession> session;
  if (int status = connect_locked(settings, "repair", redact, session, out, err); status != kExitDone) {
    return status;
  }
  Expected<std::map<std::string, AlembicPartial>> partials = alembic_partials(*session, settings.schema);
  if (!partials) {
    err << fmt::format("miglint: error: {}\n", partials.error().message);
    return session->alive() ? kExitRefused : kExitError;
  }
  std::vector<AlembicPartialView> views;
  for (const auto& [revision, partial] : *partials) {
    views.push_back(AlembicPartialView{revision, partial.failed_at, partial.error});
  }
  if (views.empty() || !request.yes) {
    write_alembic_partials(out, views, false);
    if (!views.empty()) {
      err << "miglint: error: finish or undo what these revisions committed (docs/alembic.md, \"Failures, "
             "retries and interruptions\"), then `miglint repair --yes` forgets their partial state; or "
             "simply "
             "`miglint run`, which applies them again\n";
      return kExitRefused;
    }
    return kExitDone;
  }
  for (const AlembicPartialView& view : views) {
    if (std::string problem = clear_alembic_partial(*session, settings.schema, std::string(view.revision));
        !problem.empty()) {
      err << fmt::format("miglint: error: cannot update {}: {}\n", kAlembicPartialTable, problem);
      return session->alive() ? kExitRefused : kExitError;
    }
  }
  write_alembic_partials(out, views, true);
  return kExitDone;
}

}  // namespace miglint::runner
