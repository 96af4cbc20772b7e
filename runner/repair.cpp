// `miglint repair`: re-records the checksums of applied files that changed, after showing how each
// changed and asking. A line-ending-only difference is no change at all (state.cpp never reports it).
#include <fmt/format.h>

#include <filesystem>
#include <istream>
#include <ostream>

#include "analyzer/project/git.hpp"
#include "analyzer/report/adopt_report.hpp"
#include "analyzer/sql/parser_limit.hpp"
#include "analyzer/sql/tokens.hpp"
#include "analyzer/text/hash.hpp"
#include "analyzer/text/line_endings.hpp"
#include "analyzer/text/message_text.hpp"
#include "analyzer/text/source_file.hpp"
#include "runner/adopt.hpp"
#include "runner/alembic_history.hpp"
#include "runner/alembic_runner.hpp"
#include "runner/backfill_table.hpp"
#include "runner/history_lock.hpp"
#include "runner/script.hpp"
#include "runner/state.hpp"

namespace miglint::runner {

namespace fs = std::filesystem;

namespace {

constexpr int kGitCommitsSearched = 200;
constexpr std::size_t kDiffLines = 8;  // per side of a changed statement
constexpr std::size_t kDiffLineWidth = 120;

// The applied contents of a file: the version in git (the index, then commits touching it, newest
// first) whose SHA-256 is the recorded one, line endings aside. None when git does not have it.
std::optional<std::string> applied_contents_from_git(const std::string& path, const std::string& recorded) {
  fs::path file(path);
  std::string directory = file.parent_path().empty() ? std::string(".") : file.parent_path().string();
  std::string name = file.filename().string();
  std::vector<std::string> revisions{""};  // "" is the index (`git show :./name`)
  Expected<std::string> log = run_git({"-C", directory, "log", "--all", "--format=%H", "-n",
                                       std::to_string(kGitCommitsSearched), "--", name});
  if (log) {
    std::size_t at = 0;
    while (at < log->size()) {
      std::size_t end = log->find('\n', at);
      end = end == std::string::npos ? log->size() : end;
      if (end > at) {
        revisions.push_back(log->substr(at, end - at));
      }
      at = end + 1;
    }
  }
  for (const std::string& revision : revisions) {
    Expected<std::string> shown = run_git({"-C", directory, "show", revision + ":./" + name});
    if (shown && same_modulo_line_endings(recorded, *shown)) {
      return std::move(*shown);
    }
  }
  return std::nullopt;
}

// The text of the tokens in [begin, end) of `text`, comments left out: equal lists are the same
// statements, whatever the comments and the whitespace between tokens (whitespace inside a string
// or a dollar-quoted body is part of its token, and counts).
std::vector<std::string_view> code_tokens(std::string_view text, uint32_t begin, uint32_t end,
                                          bool& scanned) {
  ScanError error;
  std::vector<Token> tokens;
  try {
    tokens = scan_tokens(text.substr(begin, end - begin), begin, &error);
  } catch (const ParserLimit&) {
    scanned = false;  // a text the lexer would take minutes over (analyzer/sql/lexer_cost.hpp)
    return {};
  }
  scanned = error.message.empty();
  std::vector<std::string_view> words;
  for (const Token& token : tokens) {
    if (!token.is_comment()) {
      words.push_back(text.substr(token.begin, token.end - token.begin));
    }
  }
  return words;
}

// `-` or `+` lines of a statement's text, escaped and shortened.
void statement_lines(std::vector<std::string>& detail, char sign, std::string_view text) {
  std::size_t shown = 0;
  std::size_t at = 0;
  while (at <= text.size() && shown < kDiffLines) {
    std::size_t end = text.find('\n', at);
    end = end == std::string_view::npos ? text.size() : end;
    std::string_view line = text.substr(at, end - at);
    if (!line.empty() && line.back() == '\r') {
      line.remove_suffix(1);
    }
    std::string escaped = escape_for_message(line);
    if (escaped.size() > kDiffLineWidth) {
      escaped = escaped.substr(0, kDiffLineWidth) + "...";
    }
    detail.push_back(fmt::format("{} {}", sign, escaped));
    ++shown;
    at = end + 1;
  }
  if (at < text.size()) {
    detail.push_back(fmt::format("{} ...", sign));
  }
}

struct Change {
  std::string kind;
  std::vector<std::string> detail;
};

// How the applied contents `before` and the file's `now` differ: the statements the runner splits
// (with the same planner `run` uses, so a dbmate file's down section is not one of them) compared
// token by token, and the way the file runs.
Change classify(const std::string& display_path, const std::string& before, const std::string& now,
                int server_major) {
  Expected<MigrationScript> old_script = plan_script(SourceFile(display_path, before), server_major);
  Expected<MigrationScript> new_script = plan_script(SourceFile(display_path, now), server_major);
  if (!old_script || !new_script) {
    return Change{"statements changed",
                  {fmt::format("cannot split the {} contents: {}", old_script ? "new" : "applied",
                               escape_for_message(old_script ? new_script.error().message
                                                             : old_script.error().message))}};
  }
  const auto& old_statements = old_script->statements;
  const auto& new_statements = new_script->statements;
  std::size_t common = std::min(old_statements.size(), new_statements.size());
  for (std::size_t i = 0; i <= common; ++i) {
    bool old_scanned = true;
    bool new_scanned = true;
    bool differs = false;
    if (i == common) {
      differs = old_statements.size() != new_statements.size();
    } else {
      const ByteSpan& a = old_statements[i].span;
      const ByteSpan& b = new_statements[i].span;
      differs =
          code_tokens(before, a.begin, a.end, old_scanned) != code_tokens(now, b.begin, b.end, new_scanned) ||
          !old_scanned || !new_scanned;
    }
    if (!differs) {
      continue;
    }
    Change change{"statements changed", {}};
    if (old_statements.size() != new_statements.size()) {
      change.detail.push_back(fmt::format("{} statement{} applied, {} in the file now", old_statements.size(),
                                          old_statements.size() == 1 ? "" : "s", new_statements.size()));
    }
    if (i < old_statements.size()) {
      const ByteSpan& a = old_statements[i].span;
      change.detail.push_back(fmt::format("statement {} as applied:", i + 1));
      statement_lines(change.detail, '-', std::string_view(before).substr(a.begin, a.end - a.begin));
    }
    if (i < new_statements.size()) {
      const ScriptStatement& b = new_statements[i];
      change.detail.push_back(
          fmt::format("statement {} now ({}:{}:{}):", i + 1, display_path, b.start.line, b.start.column));
      statement_lines(change.detail, '+',
                      std::string_view(now).substr(b.span.begin, b.span.end - b.span.begin));
    }
    return change;
  }
  if (old_script->mode != new_script->mode) {
    return Change{"runs differently",
                  {fmt::format("the same statements, but it ran as {} and would run as {} now (a directive "
                               "comment changed, such as -- miglint-no-transaction)",
                               script_mode_name(old_script->mode), script_mode_name(new_script->mode))}};
  }
  bool old_scanned = true;
  bool new_scanned = true;
  if (code_tokens(before, 0, static_cast<uint32_t>(before.size()), old_scanned) ==
          code_tokens(now, 0, static_cast<uint32_t>(now.size()), new_scanned) &&
      old_scanned && new_scanned) {
    return Change{"comments or whitespace only", {}};
  }
  return Change{"statements that ran unchanged", {"the change is outside them (a dbmate down section)"}};
}

struct Candidate {
  const MigrationState* migration = nullptr;
  std::string kind;
};

}  // namespace

int repair(const RunSettingsResolved& settings, const RepairRequest& request, std::istream& in,
           std::ostream& out, std::ostream& err) {
  if (std::optional<AlembicProject> alembic = alembic_project_for_run(settings)) {
    return repair_alembic(*alembic, settings, request, out, err);  // runner/alembic_history.hpp
  }
  if (!check_database_settings(settings, err)) {
    return kExitError;
  }
  // Read without the lock (a person may take a while to answer); the writes are conditional on what
  // was shown, and made under the lock.
  ReadState read;
  if (int status = read_state(settings, "miglint-repair", err, read); status != kExitDone) {
    return status;
  }
  const SetState* state = &read.state;
  RepairView view;
  std::vector<Candidate> candidates;
  for (const MigrationState& migration : state->migrations) {
    if (migration.rollback && migration.status == MigrationState::Status::Applied) {
      const RollbackInProgress& rollback = *migration.rollback;
      view.not_repaired.push_back(fmt::format(
          "{}: partly rolled back ({} of {} statements of its down migration {} ran{}): `miglint rollback` "
          "resumes and finishes it, then `miglint run` applies it again (repair does not change a rollback)",
          migration.display_path, rollback.statements_applied, rollback.statements_total,
          escape_for_message(rollback.down_file),
          rollback.running_statement
              ? fmt::format(", interrupted in statement {}", *rollback.running_statement)
              : std::string()));
      continue;
    }
    if (migration.status == MigrationState::Status::Partial && migration.backfill) {
      const BackfillProgress& backfill = *migration.backfill;
      view.not_repaired.push_back(fmt::format(
          "{}: stopped in the backfill of statement {} ({} of {} rows done, up to key {}): `miglint run` "
          "resumes it after that key (repair does not change a backfill in progress)",
          migration.display_path, backfill.statement, backfill.rows_done,
          backfill.rows_total ? std::to_string(*backfill.rows_total) : std::string("?"),
          backfill.last_key ? std::to_string(*backfill.last_key) : std::string("none yet")));
      continue;
    }
    if (migration.status != MigrationState::Status::Changed) {
      continue;
    }
    if (!migration.row->success) {
      view.not_repaired.push_back(fmt::format(
          "{}: partly applied ({} of {} statements) and changed since: restore the contents it started with "
          "and let `miglint run` finish it",
          migration.display_path, migration.row->statements_applied, migration.row->statements_total));
      continue;
    }
    std::optional<std::string> before =
        applied_contents_from_git(migration.file.path, migration.row->checksum);
    Change change =
        before ? classify(migration.display_path, *before, *migration.bytes, state->server_major)
               : Change{"changed (the applied contents are not in git's history: cannot tell how)", {}};
    candidates.push_back(Candidate{&migration, change.kind});
    view.files.push_back(RepairFileView{migration.display_path, migration.file.version,
                                        short_hash(migration.row->checksum), short_hash(migration.sha256), "",
                                        std::move(change.detail)});
  }
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    view.files[i].change = candidates[i].kind;
  }
  for (const HistoryRow& row : state->missing_on_disk) {
    view.not_repaired.push_back(
        fmt::format("version {} ({}) is in the history but no file has it: restore the file (repair never "
                    "deletes history)",
                    escape_for_message(row.version), escape_for_message(row.name)));
  }
  const std::string table = history_table(settings.schema);
  Expected<std::vector<OrphanedBackfill>> orphans =
      find_orphaned_backfills(*read.session, settings.schema, table);
  if (!orphans) {
    err << fmt::format("miglint: error: {}\n", orphans.error().message);
    return read.session->alive() ? kExitRefused : kExitError;
  }
  for (const OrphanedBackfill& orphan : *orphans) {
    view.orphaned_backfills.push_back(fmt::format(
        "version {}, statement {}: {}, {} rows done; {} (checksum {})", escape_for_message(orphan.version),
        orphan.statement, orphan.finished ? "finished" : "unfinished", orphan.rows_done, orphan.why,
        short_hash(orphan.checksum)));
  }
  write_repair_changes(out, view);
  if (candidates.empty() && orphans->empty()) {
    return view.not_repaired.empty() ? kExitDone : kExitRefused;
  }
  if (!request.yes) {
    if (!request.stdin_is_terminal) {
      if (orphans->empty()) {
        err << fmt::format(
            "miglint: error: re-recording {} checksum{} needs a confirmation and stdin is not a terminal: "
            "run again with --yes\n",
            candidates.size(), candidates.size() == 1 ? "" : "s");
      } else {
        err << "miglint: error: repair needs a confirmation and stdin is not a terminal: run again with "
               "--yes\n";
      }
      return kExitRefused;
    }
    write_repair_question(out, candidates.size(), orphans->size());
    std::string answer;
    std::getline(in, answer);
    if (answer != "y" && answer != "Y" && answer != "yes") {
      write_repair_declined(out, orphans->size());
      return kExitRefused;
    }
  }

  LockedHistory locked;
  if (int status = lock_history(settings, out, err, locked); status != kExitDone) {
    return status;
  }
  PgSession& work = *locked.work;
  auto failed = [&](const std::string& message) {
    work.query("ROLLBACK");
    err << fmt::format("miglint: error: {}: nothing was {}\n", message,
                       orphans->empty() ? "re-recorded" : "changed");
    return work.alive() ? kExitRefused : kExitError;
  };
  if (PgOutcome begun = work.query("BEGIN"); !begun.ok) {
    return failed(begun.error.message);
  }
  for (const Candidate& candidate : candidates) {
    const MigrationState& migration = *candidate.migration;
    // The bytes shown are the bytes recorded.
    Expected<std::string> bytes = read_file_bytes(migration.file.path, max_file_size(settings));
    if (!bytes || sha256_hex(*bytes) != migration.sha256) {
      return failed(fmt::format("{} changed while repair was asking", migration.display_path));
    }
    PgOutcome updated =
        work.query(fmt::format("UPDATE {} SET checksum_sha256 = $2, applied_by = coalesce(applied_by, '') || "
                               "format(' [checksum re-recorded by miglint repair, %s, by %s: was %s, %s]', "
                               "to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS \"UTC\"'), "
                               "session_user, $4::text, $5::text) "
                               "WHERE version = $1 AND checksum_sha256 = $3 AND success RETURNING version",
                               table),
                   {migration.file.version, migration.sha256, migration.row->checksum,
                    short_hash(migration.row->checksum), candidate.kind});
    if (!updated.ok) {
      return failed(updated.error.message);
    }
    if (updated.rows.empty()) {
      return failed(fmt::format("the history row of {} changed meanwhile", migration.display_path));
    }
  }
  for (const OrphanedBackfill& orphan : *orphans) {
    Expected<bool> deleted = delete_orphaned_backfill(work, settings.schema, table, orphan);
    if (!deleted) {
      return failed(deleted.error().message);
    }
    if (!*deleted) {
      return failed(fmt::format("the backfill progress of version {}, statement {} changed meanwhile",
                                escape_for_message(orphan.version), orphan.statement));
    }
  }
  if (PgOutcome committed = work.query("COMMIT"); !committed.ok) {
    return failed(committed.error.message);
  }
  unlock_history(settings, locked);
  write_repaired(out, candidates.size(), orphans->size(), table, backfills_table(settings.schema));
  return kExitDone;
}

}  // namespace miglint::runner
