// The runner's JSON documents written from views, without a database: valid JSON whatever the file
// names hold, the keys docs/runner.md promises, and the text's line about the first refused file.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

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
