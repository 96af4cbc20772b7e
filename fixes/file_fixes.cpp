#include "fixes/file_fixes.hpp"

#include <algorithm>

#include "analyzer/frontend/front_end.hpp"
#include "analyzer/sql/file_model.hpp"
#include "analyzer/sql/pg_nodes.hpp"

namespace miglint {

namespace {

// A SET that is not SET LOCAL (it can run outside a transaction), from its first two tokens.
bool plain_set(std::string_view text, const StatementPlace& place) {
  std::vector<Token> tokens = lite_tokens(text, place.begin, place.span(text).end);
  auto word = [&](std::size_t i, std::string_view expected) {
    if (i >= tokens.size()) {
      return false;
    }
    std::string_view got = text.substr(tokens[i].begin, tokens[i].end - tokens[i].begin);
    return got.size() == expected.size() &&
           std::equal(got.begin(), got.end(), expected.begin(),
                      [](char a, char b) { return (a >= 'A' && a <= 'Z' ? a - 'A' + 'a' : a) == b; });
  };
  return word(0, "set") && !word(1, "local");
}

bool fixable(const Finding& finding) {
  return !finding.suppressed && find_fixer(finding.rule) != nullptr;
}

}  // namespace

void attach_fixes(const SourceFile& source, FileResult& result, const LintOptions& options,
                  const FixSettings& settings) {
  std::vector<Finding*> wanted;
  for (Finding& finding : result.findings) {
    if (fixable(finding) && finding.statement_index >= 0) {
      wanted.push_back(&finding);
    }
  }
  if (wanted.empty()) {
    return;
  }
  PlannedFile planned =
      plan_file(source, options.execution, options.pg_version, options.assume_in_transaction);
  const FileModel& model = planned.model;
  FileFixContext context{source, model, planned.plan, model.directives, options, settings, {}, {}, {},
                         false,  {},    false};
  std::string_view text = source.text();
  context.runs_outside_fine.resize(model.statement_count());
  for (std::size_t i = 0; i < model.statement_count(); ++i) {
    context.runs_outside_fine[i] =
        planned.plan.statements[i].concurrent ||
        (model.places[i].kind == pg::NodeKind::VariableSetStmt && plain_set(text, model.places[i]));
  }
  for (const Finding* finding : wanted) {
    if (find_fixer(finding->rule)->changes_transactions) {
      context.becoming_concurrent.insert(static_cast<std::size_t>(finding->statement_index));
    }
  }
  if (model.streamed()) {
    context.all_columns_retyped = true;
  } else {
    context.constraint_names_known = true;
    for (const Statement& statement : model.statements) {
      context.constraint_names.add_statement(statement);
      if (auto alter = statement.as<pg::AlterTableStmt>()) {
        for (pg::AnyNode item : alter.cmds()) {
          auto cmd = item.as<pg::AlterTableCmd>();
          if (cmd.subtype() == pg::AlterTableType::AT_AlterColumnType) {
            context.retyped_columns.insert(statement.relation_name() + " " + std::string(cmd.name()));
          }
        }
      }
    }
  }
  // The cursor hands statements out in non-decreasing order.
  std::stable_sort(wanted.begin(), wanted.end(), [](const Finding* a, const Finding* b) {
    return a->statement_index < b->statement_index;
  });
  StatementCursor cursor(model);
  for (Finding* finding : wanted) {
    auto index = static_cast<std::size_t>(finding->statement_index);
    if (index >= model.statement_count()) {
      continue;
    }
    const Statement& statement = cursor.at(index);
    if (statement.stand_in()) {
      continue;  // read through a PostgreSQL 17 stand-in: an edit made from its tree may not fit the text
    }
    finding->fix = find_fixer(finding->rule)->fixer(*finding, statement, context);
  }
}

FileFixPlan choose_fixes(const SourceFile& source, const FileResult& result) {
  FileFixPlan plan;
  plan.path = result.path;
  plan.text = std::string(source.text());
  std::vector<const Finding*> first;
  std::vector<const Finding*> rest;
  for (const Finding& finding : result.findings) {
    if (finding.fix) {
      (find_fixer(finding.rule)->changes_transactions ? first : rest).push_back(&finding);
    }
  }
  auto choose = [&](const std::vector<const Finding*>& offered) {
    std::vector<const Fix*> fixes;
    for (const Finding* finding : offered) {
      fixes.push_back(&*finding->fix);
    }
    FixSelection selection = select_fixes(fixes);
    plan.edits = std::move(selection.edits);
    plan.fixed = selection.applied.size();
    plan.waiting += selection.conflicts.size();
    for (std::size_t i : selection.applied) {
      if (!offered[i]->fix->follow_up.empty()) {
        plan.follow_ups.push_back(offered[i]->fix->follow_up);
      }
    }
  };
  choose(first);
  if (plan.fixed > 0) {
    plan.waiting += rest.size();
  } else {
    plan.waiting = 0;
    choose(rest);
  }
  return plan;
}

std::string apply_to_file_bytes(std::string_view bytes, std::span<const TextEdit> edits) {
  if (!bytes.starts_with("\xEF\xBB\xBF")) {
    return apply_edits(bytes, edits);
  }
  std::vector<TextEdit> shifted(edits.begin(), edits.end());
  for (TextEdit& edit : shifted) {
    if (edit.range.begin < 3 && edit.range.end <= 3) {
      edit.range = ByteSpan{3, 3};
    }
  }
  return apply_edits(bytes, shifted);
}

class FixCollector::Review final : public FileReview {
 public:
  Review(FixCollector& collector, std::shared_ptr<FileReview> inner)
      : collector_(collector), inner_(std::move(inner)) {}

  void before(const SourceFile& source, LintOptions& options) override {
    if (inner_) {
      inner_->before(source, options);
    }
    options_ = options;
  }

  void after(const SourceFile& source, FileResult& result) override {
    if (inner_) {
      inner_->after(source, result);
    }
    if (!result.errors.empty()) {
      return;
    }
    FileFixPlan plan;
    if (!registered_front_ends().for_path(source.path(), options_.front_ends).sql_as_written()) {
      plan.path = result.path;
      plan.not_sql =
          static_cast<std::size_t>(std::count_if(result.findings.begin(), result.findings.end(), fixable));
      if (plan.not_sql == 0) {
        return;
      }
    } else {
      attach_fixes(source, result, options_, collector_.settings_);
      plan = choose_fixes(source, result);
      if (plan.edits.empty() && plan.waiting == 0) {
        return;
      }
    }
    std::lock_guard lock(collector_.mutex_);
    collector_.plans_[result.path] = std::move(plan);
  }

 private:
  FixCollector& collector_;
  std::shared_ptr<FileReview> inner_;
  LintOptions options_;
};

std::shared_ptr<FileReview> FixCollector::review(std::shared_ptr<FileReview> inner) {
  return std::make_shared<Review>(*this, std::move(inner));
}

std::optional<FileFixPlan> FixCollector::take(const std::string& path) {
  std::lock_guard lock(mutex_);
  auto it = plans_.find(path);
  if (it == plans_.end()) {
    return std::nullopt;
  }
  FileFixPlan plan = std::move(it->second);
  plans_.erase(it);
  return plan;
}

}  // namespace miglint
