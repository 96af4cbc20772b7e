// The report layer: the one table of formats, findings that carry their rule, find_rule, and the
// runner's status and plan text written from views.
#include <gtest/gtest.h>

#include <set>
#include <sstream>

#include "analyzer/engine/linter.hpp"
#include "analyzer/report/format.hpp"
#include "analyzer/report/runner_report.hpp"
#include "rules/registry.hpp"

using namespace miglint;

namespace {

TEST(ReportFormats, NamesAreUniqueAndEachFormatIsFoundByItsName) {
  std::set<std::string_view> names;
  for (const ReportFormat& format : report_formats()) {
    EXPECT_TRUE(names.insert(format.name).second) << format.name;
    EXPECT_EQ(find_report_format(format.name), &format);
    EXPECT_NE(format.make, nullptr) << format.name;
  }
  EXPECT_EQ(report_format_names(), (std::vector<std::string>{"text", "json", "sarif", "github"}));
  EXPECT_EQ(find_report_format("xml"), nullptr);
  EXPECT_EQ(locks_format_names(), (std::vector<std::string>{"text", "json"}));
  EXPECT_EQ(find_locks_format("sarif"), nullptr);
}

TEST(ReportFormats, OnlySarifNeedsStatementKeysAndShowsSuppressedFindings) {
  for (const ReportFormat& format : report_formats()) {
    EXPECT_EQ(format.needs_statement_keys, format.name == "sarif") << format.name;
    EXPECT_EQ(format.supports_suppressed, format.name == "sarif") << format.name;
    EXPECT_EQ(format.wants_colour, format.name == "text") << format.name;
  }
}

// Every format writes a finding whose rule it reads from the finding itself.
TEST(ReportFormats, EveryFormatWritesALintedFinding) {
  RuleSet rules(all_rules(), {}, {});
  Expected<SourceFile> source = source_from_bytes("m.sql", "DROP TABLE accounts;\n");
  ASSERT_TRUE(source.has_value());
  LintOptions options;
  options.statement_keys = true;
  FileResult result = lint_source(*source, options, rules);
  ASSERT_FALSE(result.findings.empty());
  for (const ReportFormat& format : report_formats()) {
    std::ostringstream out;
    std::unique_ptr<Reporter> reporter =
        format.make(out, ReportSettings{rules.enabled_rules(), false, false});
    reporter->file(result);
    RunSummary summary;
    summary.files = 1;
    reporter->finish(summary);
    EXPECT_NE(out.str().find("ban-drop-table"), std::string::npos) << format.name << ":\n" << out.str();
  }
}

TEST(FindingRule, TheDriverSetsTheRuleOnEveryFinding) {
  RuleSet rules(all_rules(), {}, {});
  Expected<SourceFile> source =
      source_from_bytes("m.sql", "DROP TABLE a;\nALTER TABLE b RENAME COLUMN x TO y;\nSELEC 1;\n");
  ASSERT_TRUE(source.has_value());
  FileResult result = lint_source(*source, LintOptions{}, rules);
  ASSERT_GE(result.findings.size(), 2u);
  for (const Finding& finding : result.findings) {
    ASSERT_NE(finding.reported_by, nullptr) << finding.rule;
    EXPECT_EQ(finding.reported_by->id, finding.rule);
  }
}

TEST(FindRule, FindsEveryRuleByItsIdAndNoOther) {
  for (const Rule& rule : all_rules()) {
    EXPECT_EQ(find_rule(rule.id), &rule) << rule.id;
  }
  EXPECT_EQ(find_rule("no-such-rule"), nullptr);
  EXPECT_EQ(find_rule(""), nullptr);
}

TEST(RunnerReport, StatusListsMigrationsWithWhatKeepsThemFromRunning) {
  Finding finding;
  finding.path = "db/2_b.sql";
  finding.rule = "ban-drop-table";
  finding.severity = Severity::Error;
  finding.start = Position{3, 1};
  finding.message = "drops a table";
  StatusView view{"db", 15, "public", "miglint_schema_migrations", {}, {}};
  StatusMigrationView applied;
  applied.status = "applied";
  applied.version = "1";
  applied.name = "a";
  view.migrations.push_back(applied);
  StatusMigrationView partial;
  partial.status = "partial";
  partial.version = "2";
  partial.name = "b";
  partial.display_path = "db/2_b.sql";
  partial.statements_applied = {{1, 3}};
  partial.interrupted_statement = 2;
  partial.unapproved.push_back(UnapprovedView{&finding, "destructive"});
  view.migrations.push_back(partial);
  view.missing_on_disk.push_back(StatusMissingView{"9", "gone"});
  std::ostringstream out;
  write_status(out, view);
  EXPECT_EQ(out.str(),
            "db (PostgreSQL 15, history public.miglint_schema_migrations)\n"
            "  applied  1                    a\n"
            "  partial  2                    b  1 of 3 statements applied; interrupted in statement 2 (run "
            "again: it is checked and finished)\n"
            "      db/2_b.sql:3:1: error [ban-drop-table] drops a table\n"
            "        (destructive)\n"
            "      approve each with: miglint approve db/2_b.sql --rule RULE --reason \"...\"  (or an inline "
            "`-- miglint-ignore RULE -- reason`)\n"
            "  MISSING  9                    gone  applied, but no file has this version\n");
}

TEST(RunnerReport, PlanWithNothingPendingSaysSo) {
  PlanView view;
  view.timeouts = PlanTimeouts{std::chrono::seconds(2), std::chrono::milliseconds(0), std::chrono::minutes(1),
                               std::chrono::milliseconds(1500), 1};
  view.directory = "db";
  std::ostringstream out;
  write_plan(out, view);
  EXPECT_EQ(
      out.str(),
      "timeouts: lock_timeout 2s on every statement but CONCURRENTLY ones, none on those (a lock timeout "
      "is retried up to 1 time); statement_timeout 1min on every statement but CONCURRENTLY ones, 1500ms "
      "on those (a SET in the file overrides them until the end of its segment)\n"
      "nothing to do: every migration in db is applied\n");
}

}  // namespace
