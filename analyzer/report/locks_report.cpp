// `miglint locks`: the lock model's view of each statement, as text (one line per statement) or as
// one JSON document.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "analyzer/model/lock_model.hpp"
#include "analyzer/report/format.hpp"
#include "analyzer/report/json_text.hpp"
#include "analyzer/text/message_text.hpp"

namespace miglint {

namespace {

// A relation's name, or the description of a set of relations ("every table of the database").
std::string relation_text(std::string_view relation) {
  return escape_for_message(is_relation_set(relation) ? relation_set_label(relation) : std::string(relation));
}

// `PATH`, then per statement `  LINE:COLUMN  RELATION LOCK [rewrite] [scan]; ...   [held: ...]`.
class LocksTextReporter final : public LocksReporter {
 public:
  explicit LocksTextReporter(std::ostream& out) : out_(out) {}

  void file(const FileLocks& locks) override {
    out_ << escape_for_message(locks.path) << "\n";
    for (const StatementLocks& statement : locks.statements) {
      out_ << fmt::format("  {}:{}", statement.start.line, statement.start.column);
      if (statement.relations.empty()) {
        out_ << "  no table locks\n";
        continue;
      }
      std::string separator = "  ";
      for (const RelationEffect& effect : statement.relations) {
        out_ << fmt::format("{}{} {}{}{}", separator, relation_text(effect.relation),
                            lock_mode_name(effect.lock), effect.rewrite ? " rewrite" : "",
                            effect.scan ? " scan" : "");
        separator = "; ";
      }
      std::vector<std::string> held;
      for (const HeldLock& lock : statement.held) {
        held.push_back(fmt::format("{} {}", relation_text(lock.relation), lock_mode_name(lock.lock)));
      }
      out_ << fmt::format("   [held: {}]\n", fmt::join(held, ", "));
    }
  }

  void finish() override {}

 private:
  std::ostream& out_;
};

// `{"version": 1, "files": [{"path", "statements": [{"start", "relations", "held"}]}]}`, written
// when the run finishes.
class LocksJsonReporter final : public LocksReporter {
 public:
  using Json = nlohmann::ordered_json;

  explicit LocksJsonReporter(std::ostream& out) : out_(out) {}

  void file(const FileLocks& locks) override {
    Json statements = Json::array();
    for (const StatementLocks& statement : locks.statements) {
      Json relations = Json::array();
      for (const RelationEffect& effect : statement.relations) {
        relations.push_back({{"name", effect.relation},
                             {"lock", lock_mode_name(effect.lock)},
                             {"rewrite", effect.rewrite},
                             {"scan", effect.scan}});
      }
      Json held = Json::array();
      for (const HeldLock& lock : statement.held) {
        held.push_back({{"name", lock.relation}, {"lock", lock_mode_name(lock.lock)}});
      }
      statements.push_back({{"start", {{"line", statement.start.line}, {"column", statement.start.column}}},
                            {"relations", relations},
                            {"held", held}});
    }
    files_.push_back({{"path", locks.path}, {"statements", statements}});
  }

  void finish() override {
    Json out{{"version", 1}, {"files", files_}};
    out_ << terminal_safe_json(out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace)) << "\n";
  }

 private:
  std::ostream& out_;
  Json files_ = Json::array();
};

}  // namespace

std::unique_ptr<LocksReporter> make_locks_text_format(std::ostream& out) {
  return std::make_unique<LocksTextReporter>(out);
}

std::unique_ptr<LocksReporter> make_locks_json_format(std::ostream& out) {
  return std::make_unique<LocksJsonReporter>(out);
}

std::string locks_problem_line(const Finding& problem) {
  // A statement of newer syntax checked through its PostgreSQL 17 stand-in (the note says "it was
  // checked as", analyzer/engine/driver_findings.hpp) is among the statements shown, with its locks.
  bool shown = problem.message.find("it was checked as") != std::string::npos;
  return fmt::format("miglint: {}:{}:{}: {}: {}{}\n", escape_for_message(problem.path), problem.start.line,
                     problem.start.column, problem.rule, escape_for_message(problem.message),
                     shown ? "" : " (statement skipped)");
}

}  // namespace miglint
