// `miglint trace`'s outputs: text, JSON and markdown (the SARIF writer is in sarif/trace_sarif.cpp).
#include "analyzer/report/trace_report.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "analyzer/model/lock_conflicts.hpp"
#include "analyzer/report/json_text.hpp"
#include "analyzer/text/message_text.hpp"

namespace miglint {

namespace {

std::string server_text(int version) {
  return version >= 100000 ? fmt::format("{}.{}", version / 10000, version % 10000) : std::to_string(version);
}

std::string duration_text(double ms) {
  return ms >= 1000 ? fmt::format("{:.2f} s", ms / 1000) : fmt::format("{:.1f} ms", ms);
}

std::string locks_text(const std::vector<TraceLockView>& locks) {
  std::vector<std::string> parts;
  for (const TraceLockView& lock : locks) {
    parts.push_back(
        fmt::format("{} {} ({})", escape_for_message(lock.relation), lock_mode_name(lock.mode), lock.kind));
  }
  return fmt::format("{}", fmt::join(parts, ", "));
}

// The relations whose lock (taken by the statement or still held) makes reads, or writes, wait; a
// relation the transaction created is nobody else's yet.
std::vector<std::string> blocked(const TraceStatementView& statement, bool reads) {
  std::vector<std::string> names;
  for (const std::vector<TraceLockView>* locks : {&statement.locks, &statement.held}) {
    for (const TraceLockView& lock : *locks) {
      bool blocks = !lock.created && (reads ? lock_blocks_reads(lock.mode) : lock_blocks_writes(lock.mode));
      if (blocks && std::find(names.begin(), names.end(), lock.relation) == names.end()) {
        names.push_back(lock.relation);
      }
    }
  }
  return names;
}

std::string finding_line(const Finding& finding) {
  return fmt::format("{}:{}:{}: {}: {}: {}", escape_for_message(finding.path), finding.start.line,
                     finding.start.column, severity_name(finding.severity), finding.rule,
                     escape_for_message(finding.message));
}

std::string summary_line(const TraceView& view) {
  std::size_t files = 0;
  for (const TraceFileView& file : view.files) {
    files += file.traced ? 1 : 0;
  }
  return fmt::format(
      "{} statement{} traced in {} of {} file{}; the static lock model predicted the locks and "
      "rewrites of {} of them",
      view.compared, view.compared == 1 ? "" : "s", files, view.files.size(),
      view.files.size() == 1 ? "" : "s", view.agreed);
}

// A table cell: no line breaks, `|` escaped.
std::string cell(std::string_view text) {
  std::string out;
  for (char c : escape_for_message(text)) {
    if (c == '|') {
      out += "\\|";
    } else if (c == '`') {
      out += '\'';
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

void write_trace_text(std::ostream& out, const TraceView& view) {
  out << fmt::format("miglint trace on PostgreSQL {} ({})\n", server_text(view.server_version),
                     view.commit ? "committed" : "each file rolled back");
  for (const TraceFileView& file : view.files) {
    out << fmt::format("\n{} ({})\n", escape_for_message(file.path), file.outcome);
    for (const TraceStatementView& statement : file.statements) {
      out << fmt::format("  {}:{}  {}  {}{}\n", statement.start.line, statement.start.column, statement.label,
                         duration_text(statement.duration_ms),
                         statement.sampled ? "  (alone; locks sampled)" : "");
      if (!statement.error.empty()) {
        out << fmt::format("      error: {}\n", escape_for_message(statement.error));
        continue;
      }
      out << fmt::format("      locks: {}\n", statement.locks.empty() ? "none" : locks_text(statement.locks));
      if (!statement.held.empty()) {
        out << fmt::format("      held from earlier statements: {}\n", locks_text(statement.held));
      }
      if (!statement.rewritten.empty()) {
        std::vector<std::string> names;
        for (const TraceLockView& relation : statement.rewritten) {
          names.push_back(fmt::format("{} ({})", escape_for_message(relation.relation), relation.kind));
        }
        out << fmt::format("      rewritten: {}\n", fmt::join(names, ", "));
      }
      for (const TraceConstraintView& constraint : statement.constraints) {
        out << fmt::format("      constraint {}: {} on {}, {}\n", escape_for_message(constraint.name),
                           constraint.type, escape_for_message(constraint.on),
                           constraint.validated_now ? "validated"
                           : constraint.valid       ? "valid"
                                                    : "NOT VALID");
      }
      std::vector<std::string> predicted;
      for (const RelationEffect& effect : statement.model.relations) {
        predicted.push_back(fmt::format("{} {}{}", escape_for_message(effect.relation),
                                        lock_mode_name(effect.lock), effect.rewrite ? " rewrite" : ""));
      }
      out << fmt::format("      static model: {} ({})\n",
                         predicted.empty() ? "no table locks" : fmt::format("{}", fmt::join(predicted, ", ")),
                         statement.model.agrees ? "agrees" : "differs");
    }
    for (const Finding& finding : file.findings) {
      out << finding_line(finding) << "\n";
    }
  }
  out << "\n" << summary_line(view) << "\n";
}

void write_trace_json(std::ostream& out, const TraceView& view) {
  using Json = nlohmann::ordered_json;
  auto lock_json = [](const TraceLockView& lock) {
    return Json{{"relation", lock.relation},
                {"kind", lock.kind},
                {"mode", lock_mode_name(lock.mode)},
                {"created", lock.created},
                {"blocks_reads", lock_blocks_reads(lock.mode)},
                {"blocks_writes", lock_blocks_writes(lock.mode)}};
  };
  Json files = Json::array();
  for (const TraceFileView& file : view.files) {
    Json statements = Json::array();
    for (const TraceStatementView& statement : file.statements) {
      Json locks = Json::array();
      for (const TraceLockView& lock : statement.locks) {
        locks.push_back(lock_json(lock));
      }
      Json held = Json::array();
      for (const TraceLockView& lock : statement.held) {
        held.push_back(lock_json(lock));
      }
      Json rewritten = Json::array();
      for (const TraceLockView& relation : statement.rewritten) {
        rewritten.push_back({{"relation", relation.relation}, {"kind", relation.kind}});
      }
      Json constraints = Json::array();
      for (const TraceConstraintView& constraint : statement.constraints) {
        constraints.push_back({{"name", constraint.name},
                               {"on", constraint.on},
                               {"type", constraint.type},
                               {"valid", constraint.valid},
                               {"validated", constraint.validated_now}});
      }
      Json predicted = Json::array();
      for (const RelationEffect& effect : statement.model.relations) {
        predicted.push_back({{"name", effect.relation},
                             {"lock", lock_mode_name(effect.lock)},
                             {"rewrite", effect.rewrite},
                             {"scan", effect.scan}});
      }
      Json shown{{"start", {{"line", statement.start.line}, {"column", statement.start.column}}},
                 {"statement", statement.label},
                 {"sampled", statement.sampled},
                 {"duration_ms", statement.duration_ms},
                 {"locks", locks},
                 {"held", held},
                 {"rewritten", rewritten},
                 {"constraints", constraints}};
      if (statement.error.empty()) {
        shown["model"] = {{"relations", predicted}, {"agrees", statement.model.agrees}};
      } else {
        shown["error"] = statement.error;
      }
      statements.push_back(shown);
    }
    Json findings = Json::array();
    for (const Finding& finding : file.findings) {
      findings.push_back({{"rule", finding.rule},
                          {"severity", severity_name(finding.severity)},
                          {"path", finding.path},
                          {"start", {{"line", finding.start.line}, {"column", finding.start.column}}},
                          {"end", {{"line", finding.end.line}, {"column", finding.end.column}}},
                          {"message", finding.message},
                          {"help", finding.help.str()}});
    }
    files.push_back({{"path", file.path},
                     {"outcome", file.outcome},
                     {"traced", file.traced},
                     {"statements", statements},
                     {"findings", findings}});
  }
  Json document{{"version", 1},
                {"server_version", view.server_version},
                {"commit", view.commit},
                {"files", files},
                {"summary", {{"statements", view.compared}, {"model_agreed", view.agreed}}}};
  out << terminal_safe_json(document.dump(2, ' ', false, nlohmann::json::error_handler_t::replace)) << "\n";
}

void write_trace_markdown(std::ostream& out, const TraceView& view) {
  out << fmt::format("## miglint trace\n\nPostgreSQL {}, {}.\n", server_text(view.server_version),
                     view.commit ? "committed" : "each file rolled back");
  for (const TraceFileView& file : view.files) {
    out << fmt::format("\n### `{}` ({})\n\n", cell(file.path), cell(file.outcome));
    if (!file.traced) {
      continue;
    }
    out << "| Statement | Locks | Blocks reads? | Blocks writes? | Rewrite? | Duration |\n"
           "|---|---|---|---|---|---|\n";
    for (const TraceStatementView& statement : file.statements) {
      std::string statement_cell =
          fmt::format("`{}` ({}:{})", cell(statement.label), statement.start.line, statement.start.column);
      if (!statement.error.empty()) {
        out << fmt::format("| {} | failed: {} | | | | {} |\n", statement_cell, cell(statement.error),
                           duration_text(statement.duration_ms));
        continue;
      }
      std::vector<std::string> locks;
      for (const TraceLockView& lock : statement.locks) {
        locks.push_back(fmt::format("{} {}{}", cell(lock.relation), lock_mode_name(lock.mode),
                                    lock.created ? " (new)" : ""));
      }
      for (const TraceLockView& lock : statement.held) {
        locks.push_back(fmt::format("{} {} (held)", cell(lock.relation), lock_mode_name(lock.mode)));
      }
      auto yes_no = [](const std::vector<std::string>& names) {
        std::vector<std::string> shown;
        for (const std::string& name : names) {
          shown.push_back(cell(name));
        }
        return names.empty() ? std::string("no") : fmt::format("**yes**: {}", fmt::join(shown, ", "));
      };
      std::vector<std::string> rewritten;
      for (const TraceLockView& relation : statement.rewritten) {
        rewritten.push_back(relation.relation);
      }
      out << fmt::format("| {} | {}{} | {} | {} | {} | {} |\n", statement_cell,
                         locks.empty() ? std::string("none") : fmt::format("{}", fmt::join(locks, "<br>")),
                         statement.sampled ? " (sampled)" : "", yes_no(blocked(statement, true)),
                         yes_no(blocked(statement, false)), yes_no(rewritten),
                         duration_text(statement.duration_ms));
    }
    if (!file.findings.empty()) {
      out << "\n";
      for (const Finding& finding : file.findings) {
        out << fmt::format("- **{}** `{}` at {}:{}: {}\n", severity_name(finding.severity), finding.rule,
                           finding.start.line, finding.start.column, cell(finding.message));
      }
    }
  }
  out << "\n" << summary_line(view) << ".\n";
}

}  // namespace miglint
