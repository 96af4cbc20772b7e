#include "analyzer/engine/down_migrations.hpp"

#include <algorithm>

#include "analyzer/project/migration_layout.hpp"
#include "analyzer/sql/directives.hpp"
#include "analyzer/sql/tokens.hpp"

namespace miglint {

namespace {

// An Alembic revision's `def downgrade(...)` body: from the line after the `def` (a finding about
// the function itself, missing-downgrade, is not in it) to the next top-level statement.
std::vector<ByteSpan> python_downgrade_spans(std::string_view text) {
  std::size_t def = text.starts_with("def downgrade(") ? 0 : text.find("\ndef downgrade(");
  if (def == std::string_view::npos) {
    return {};
  }
  std::size_t at = text.find('\n', def + 1);
  if (at == std::string_view::npos) {
    return {};
  }
  std::size_t begin = at + 1;
  while (at != std::string_view::npos && at + 1 < text.size()) {
    char next = text[at + 1];
    if (next != ' ' && next != '\t' && next != '\n' && next != '\r' && next != '#' && next != ')') {
      return {ByteSpan{static_cast<uint32_t>(begin), static_cast<uint32_t>(at + 1)}};
    }
    at = text.find('\n', at + 1);
  }
  return {ByteSpan{static_cast<uint32_t>(begin), static_cast<uint32_t>(text.size())}};
}

}  // namespace

std::vector<ByteSpan> down_migration_spans(const SourceFile& source) {
  const auto size = static_cast<uint32_t>(source.size());
  if (is_down_migration_path(source.path())) {
    return {ByteSpan{0, size}};
  }
  if (source.path().ends_with(".py")) {
    return python_downgrade_spans(source.text());
  }
  // Only a file that mentions the marker pays for a scan.
  if (source.text().find("migrate:down") == std::string_view::npos) {
    return {};
  }
  std::vector<Token> tokens = scan_tokens(source.text(), 0, nullptr);
  FileDirectives directives = read_directives(source.text(), tokens, size);
  std::vector<ByteSpan> spans;
  for (std::size_t i = 0; i < directives.sections.size(); ++i) {
    if (directives.sections[i].down) {
      uint32_t end = i + 1 < directives.sections.size() ? directives.sections[i + 1].begin : size;
      spans.push_back(ByteSpan{directives.sections[i].begin, end});
    }
  }
  return spans;
}

void apply_down_migration_policy(const SourceFile& source, FileResult& result, DownMigrations policy) {
  if (policy == DownMigrations::Report) {
    return;
  }
  std::vector<ByteSpan> spans = down_migration_spans(source);
  if (spans.empty()) {
    return;
  }
  auto in_down = [&](const Finding& finding) {
    return std::any_of(spans.begin(), spans.end(), [&](const ByteSpan& span) {
      return finding.span.begin >= span.begin && finding.span.begin < std::max(span.end, span.begin + 1);
    });
  };
  if (policy == DownMigrations::Skip) {
    std::erase_if(result.findings, in_down);
    return;
  }
  for (Finding& finding : result.findings) {
    // A syntax error stays an error: a down migration PostgreSQL cannot parse fails on the day it
    // is needed.
    if (!in_down(finding) || finding.never_fails || finding.rule == kSyntaxErrorRule) {
      continue;
    }
    finding.severity = Severity::Note;
    finding.never_fails = true;
    finding.message +=
        " (in a down migration: reported as a note that never fails the build, [lint] "
        "down_migrations = \"note\")";
  }
}

namespace {

class DownMigrationReview final : public FileReview {
 public:
  DownMigrationReview(std::shared_ptr<FileReview> inner, DownMigrations policy)
      : inner_(std::move(inner)), policy_(policy) {}

  void before(const SourceFile& source, LintOptions& options) override {
    if (inner_) {
      inner_->before(source, options);
    }
  }

  void after(const SourceFile& source, FileResult& result) override {
    if (inner_) {
      inner_->after(source, result);
    }
    apply_down_migration_policy(source, result, policy_);
  }

 private:
  std::shared_ptr<FileReview> inner_;
  DownMigrations policy_;
};

}  // namespace

std::shared_ptr<FileReview> with_down_migration_policy(std::shared_ptr<FileReview> inner,
                                                       DownMigrations policy) {
  if (policy == DownMigrations::Report) {
    return inner;
  }
  return std::make_shared<DownMigrationReview>(std::move(inner), policy);
}

}  // namespace miglint
