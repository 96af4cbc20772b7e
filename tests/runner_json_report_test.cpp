// The runner's JSON documents written from views, without a database: valid JSON whatever the file
// names hold, the keys docs/runner.md promises, and the text's line about the first refused file.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "analyzer/report/runner_report.hpp"

using namespace miglint;
using Json = nlohmann::json;

namespace {

TEST(RunnerJsonReport, StatusDocumentIsValidJsonForHostileNamesAndKeepsItsKeys) {
  const std::string hostile_path = "migrations/002_\n\x1b[31m\xff.sql";
  StatusView view;
  view.directory = "migrations";
  view.server_major = 15;
  view.server_version = 150004;
  view.schema = "public";
  view.history_table = "miglint_schema_migrations";
  StatusMigrationView& failed = view.migrations.emplace_back();
  failed.state = "failed";
  failed.version = "002";
  failed.name = "x";
  failed.display_path = hostile_path;
  failed.checksum = "abc";
  failed.would_run = true;
  failed.failure = FailureView{"2026-12-05T04:01:02Z", "boom\nsecond line", "", 3};
  StatusMigrationView& running = view.migrations.emplace_back();
  running.state = "running";
  running.version = "003";
  running.running = RunningView{4242, 99};
  view.missing_on_disk.push_back(StatusMissingView{"001", "gone", "def", "2026-12-01T00:00:00Z", 5});
  view.pending = 2;
  std::ostringstream out;
  write_status_json(out, view);
  Json document = Json::parse(out.str());
  EXPECT_EQ(document.at("schema_version"), 1);
  EXPECT_EQ(document.at("command"), "status");
  EXPECT_EQ(document.at("server_version"), 150004);
  EXPECT_EQ(document.at("target"), nullptr);
  EXPECT_EQ(document.at("pending"), 2);
  EXPECT_EQ(document.at("refused"), false);
  ASSERT_EQ(document.at("migrations").size(), 3u);
  const Json& first = document.at("migrations")[0];
  EXPECT_EQ(first.at("file"), "migrations/002_\n\x1b[31m\xef\xbf\xbd.sql") << "invalid UTF-8 becomes U+FFFD";
  EXPECT_EQ(first.at("failure").at("sqlstate"), nullptr);
  EXPECT_EQ(first.at("failure").at("statement"), 3);
  EXPECT_EQ(first.at("failure").at("error"), "boom\nsecond line");
  EXPECT_FALSE(first.contains("applied_at"));
  EXPECT_EQ(document.at("migrations")[1].at("running").at("pid"), 4242);
  EXPECT_EQ(document.at("migrations")[1].at("running").at("backend_pid"), 99);
  const Json& missing = document.at("migrations")[2];
  EXPECT_EQ(missing.at("state"), "missing");
  EXPECT_EQ(missing.at("file"), nullptr);
  EXPECT_EQ(missing.at("recorded_checksum"), "def");
  EXPECT_EQ(missing.at("duration_ms"), 5);
  // No raw escape character reaches a terminal that shows the document.
  EXPECT_EQ(out.str().find('\x1b'), std::string::npos);
}

TEST(RunnerJsonReport, StatusTextShowsTheFailureOnOneLine) {
  StatusView view;
  view.directory = "m";
  view.schema = "public";
  view.history_table = "miglint_schema_migrations";
  StatusMigrationView& failed = view.migrations.emplace_back();
  failed.status = "failed";
  failed.version = "002";
  failed.name = "x";
  failed.failure = FailureView{"2026-12-05T04:01:02Z", "boom\nsecond line", "42P01", 2};
  std::ostringstream out;
  write_status(out, view);
  EXPECT_NE(out.str().find(
                "      last attempt failed 2026-12-05 04:01:02 UTC (SQLSTATE 42P01) in statement 2: boom\n"),
            std::string::npos)
      << out.str();
  EXPECT_EQ(out.str().find("second line"), std::string::npos);
}

TEST(RunnerJsonReport, FirstRefusedLineNamesTheTargetOnlyWhenSomethingIsPendingBeforeIt) {
  std::ostringstream with;
  write_first_refused(with, FirstRefusedView{"0003", "m/0003_x.sql", "0002", 2});
  EXPECT_EQ(with.str(),
            "  the first refused migration is m/0003_x.sql (version 0003): `miglint run --target 0002` "
            "applies the 2 "
            "pending migrations before it\n");
  std::ostringstream without;
  write_first_refused(without, FirstRefusedView{"0001", "m/0001_x.sql", std::nullopt, 0});
  EXPECT_EQ(
      without.str(),
      "  the first refused migration is m/0001_x.sql (version 0001); no pending migration comes before it\n");
}

}  // namespace

// The plan document writes its per-statement arrays one element at a time (a 20 MB file has
// hundreds of thousands of statements): the bytes are those of dumping the whole tree, empty arrays
// included, and a file name that imitates the marker standing in for an array is only a name.
TEST(RunnerJsonReport, PlanDocumentStreamsItsStatementsAsTheWholeTreeWouldDumpThem) {
  StatusView status;
  status.directory = "migrations";
  status.schema = "public";
  status.history_table = "miglint_schema_migrations";
  const std::string marker_like_path =
      "migrations/001_\x01"
      "0123456789abcdef:0.sql";
  const std::vector<std::string> paths = {marker_like_path, "migrations/002_b.sql"};  // the views' text
  for (const std::string& path : paths) {
    StatusMigrationView& shown = status.migrations.emplace_back();
    shown.state = "pending";
    shown.version = path == marker_like_path ? "001" : "002";
    shown.display_path = path;
    shown.would_run = true;
  }
  StatementLocks exclusive;
  exclusive.relations.push_back(RelationEffect{"public.users", LockMode::AccessExclusive, true, false});
  const std::string sql = "ALTER TABLE users ALTER COLUMN id TYPE bigint";
  PlanView plan;
  plan.directory = "migrations";
  for (std::size_t m = 0; m < 2; ++m) {
    PlanMigrationView& planned = plan.migrations.emplace_back();
    planned.version = status.migrations[m].version;
    planned.display_path = status.migrations[m].display_path;
    planned.mode = "transaction";
    planned.statements = m == 0 ? 3 : 0;
    PlanSegmentView& first = planned.segments.emplace_back();
    first.kind = "transaction";
    first.transactional = true;
    first.first = 1;
    first.last = m == 0 ? 2 : 0;
    if (m == 0) {
      first.statements.push_back(PlanStatementView{Position{1, 1}, "", &exclusive, sql});
      first.statements.push_back(PlanStatementView{Position{2, 1}, "SELECT \"\x01\"", nullptr, ""});
      PlanSegmentView& second = planned.segments.emplace_back();
      second.kind = "alone";
      second.first = second.last = 3;
      second.lock_timeout = "5s";
      second.statements.push_back(PlanStatementView{Position{3, 1}, "", &exclusive, sql});
    }
  }
  TableSize size{true, "public.users", 1'000'000, 1 << 30, false};
  plan.risks.push_back(PlanRiskView{marker_like_path, Position{1, 1}, &exclusive.relations[0], &size});
  plan.risks.push_back(PlanRiskView{marker_like_path, Position{3, 1}, &exclusive.relations[0], &size});
  std::ostringstream out;
  write_plan_json(out, status, plan);
  nlohmann::ordered_json document = nlohmann::ordered_json::parse(out.str());
  EXPECT_EQ(document.dump(2) + "\n", out.str()) << "the bytes of the whole tree's dump";
  const auto& migrations = document.at("migrations");
  ASSERT_EQ(migrations.size(), 2U);
  EXPECT_EQ(migrations[0].at("file"), marker_like_path);
  const auto& segments = migrations[0].at("plan").at("segments");
  ASSERT_EQ(segments.size(), 2U);
  ASSERT_EQ(segments[0].at("statements").size(), 2U);
  EXPECT_EQ(segments[0].at("statements")[0].at("text"), sql);
  EXPECT_EQ(segments[0].at("statements")[0].at("locks")[0].at("mode"), "ACCESS EXCLUSIVE");
  EXPECT_EQ(segments[0].at("statements")[1].at("text"), "SELECT \"\x01\"");
  EXPECT_EQ(segments[0].at("statements")[1].at("locks"), nlohmann::ordered_json::array());
  EXPECT_EQ(segments[1].at("statements")[0].at("number"), 3);
  EXPECT_EQ(segments[1].at("lock_timeout"), "5s");
  EXPECT_EQ(migrations[1].at("plan").at("segments")[0].at("statements"), nlohmann::ordered_json::array());
  ASSERT_EQ(document.at("risks").size(), 2U);
  EXPECT_EQ(document.at("risks")[1].at("line"), 3);
  EXPECT_EQ(document.at("risks")[1].at("rows"), 1'000'000);
}
