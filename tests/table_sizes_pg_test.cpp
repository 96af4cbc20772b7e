// Size-aware findings (docs/table-sizes.md) against a throwaway PostgreSQL: `lint --stats-from` reads
// the sizes of tables of known size (50,000 rows and 10 rows after ANALYZE), shows them in the
// findings, lowers the small and the new table's findings to notes, honours [lint] small_table_rows,
// works for a role granted nothing but CONNECT and writes nothing (every statement it sends is in
// the server's log); an unreachable database is one error line and exit status 2; `plan` orders its
// locks by risk.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "analyzer/engine/table_sizes.hpp"
#include "tests/cli_support.hpp"
#include "tests/pg/throwaway_server.hpp"
#include "tests/tool_requirement.hpp"

using namespace miglint;
using namespace miglint::cli_support;
using namespace miglint::pgtest;

namespace fs = std::filesystem;

namespace {

constexpr const char* kMigration =
    "CREATE INDEX big_pad ON big (pad);\n"
    "CREATE INDEX tiny_id ON tiny (id);\n"
    "CREATE INDEX fresh_id ON fresh (id);\n"
    "SET lock_timeout = '2s';\n";

// One server for the suite: `big` (50,000 rows) and `tiny` (10 rows), analyzed; a role that may
// connect and do nothing else; every statement of that role logged.
class TableSizesTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::string why;
    server_ = ThrowawayServer::start(why).release();
    why_ = why;
    if (server_ == nullptr) {
      return;
    }
    Session admin(server_->conninfo());
    for (const char* sql : {
             "CREATE TABLE big (id int PRIMARY KEY, pad text)",
             "INSERT INTO big SELECT g, repeat('x', 100) FROM generate_series(1, 50000) g",
             "CREATE TABLE tiny (id int)",
             "INSERT INTO tiny SELECT g FROM generate_series(1, 10) g",
             "ANALYZE big",
             "ANALYZE tiny",
             "CREATE ROLE stats_reader LOGIN",
             "REVOKE ALL ON DATABASE postgres FROM PUBLIC",
             "GRANT CONNECT ON DATABASE postgres TO stats_reader",
             "REVOKE ALL ON SCHEMA public FROM PUBLIC",
             "ALTER ROLE stats_reader SET log_statement = 'all'",
             "ALTER SYSTEM SET log_line_prefix = '%m [%p] user=%u '",
             "SELECT pg_reload_conf()",
         }) {
      std::string error = admin.exec(sql);
      ASSERT_EQ(error, "") << sql;
    }
    data_directory_ = admin.rows("SHOW data_directory").at(0).at(0);
    // The reload is asynchronous: new sessions get the log prefix once the postmaster has read it.
    for (int attempt = 0; attempt < 100; ++attempt) {
      Session probe(server_->conninfo());
      if (probe.rows("SHOW log_line_prefix") == std::vector<std::vector<std::string>>{{"%m [%p] user=%u "}}) {
        break;
      }
      usleep(50'000);
    }
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  void SetUp() override {
    MIGLINT_REQUIRE_TOOL(server_ != nullptr, "size-aware findings against a real server", why_);
  }

  static std::string url(const std::string& user) {
    return "postgresql://" + user + "@127.0.0.1:" + std::to_string(server_->port()) + "/postgres";
  }
  // The server's log (throwaway-postgres writes it beside the data directory).
  static std::string server_log() {
    std::ifstream in(fs::path(data_directory_).parent_path() / "server.log");
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }

  static inline ThrowawayServer* server_ = nullptr;
  static inline std::string why_;
  static inline std::string data_directory_;
};

// The findings of `lint --format json`, by rule and line.
const nlohmann::json* finding_at(const nlohmann::json& report, const std::string& rule, int line) {
  for (const nlohmann::json& finding : report["findings"]) {
    if (finding["rule"] == rule && finding["start"]["line"] == line) {
      return &finding;
    }
  }
  return nullptr;
}

TEST_F(TableSizesTest, SizesInMessagesSmallAndNewTablesLowered) {
  TempDir dir("miglint-table-sizes");
  dir.write("001_indexes.sql", kMigration);
  CliRun run =
      run_miglint_in(dir.path(), "lint --format json --stats-from '" + url("postgres") + "' 001_indexes.sql");
  ASSERT_EQ(run.status, 1) << run.out;  // the big table's finding is still a warning
  nlohmann::json report = nlohmann::json::parse(run.out);
  const nlohmann::json* big = finding_at(report, "require-concurrent-index-creation", 1);
  const nlohmann::json* tiny = finding_at(report, "require-concurrent-index-creation", 2);
  const nlohmann::json* fresh = finding_at(report, "require-concurrent-index-creation", 3);
  ASSERT_TRUE(big && tiny && fresh) << run.out;

  EXPECT_EQ((*big)["severity"], "warning");
  std::string big_message = (*big)["message"];
  // 50,000 rows of about 130 bytes: some megabytes with the primary key.
  EXPECT_TRUE(std::regex_search(big_message, std::regex(R"(; "big": ~50 k rows, [0-9.]+ MB$)")))
      << big_message;
  EXPECT_EQ((*big)["table"]["rows"], 50000);
  EXPECT_EQ((*big)["table"]["exists"], true);
  EXPECT_EQ((*big)["table"]["relation"], "public.big");
  EXPECT_GT((*big)["table"]["bytes"].get<int64_t>(), 5'000'000);
  EXPECT_EQ((*big)["table"]["lowered"], false);

  EXPECT_EQ((*tiny)["severity"], "note");
  std::string tiny_message = (*tiny)["message"];
  EXPECT_TRUE(std::regex_search(
      tiny_message,
      std::regex(
          R"(; "tiny": ~10 rows, [0-9.]+ KB \(lowered to a note: ~10 rows < small_table_rows 10,000\)$)")))
      << tiny_message;
  EXPECT_EQ((*tiny)["table"]["rows"], 10);
  EXPECT_EQ((*tiny)["table"]["lowered"], true);

  EXPECT_EQ((*fresh)["severity"], "note");
  std::string fresh_message = (*fresh)["message"];
  EXPECT_TRUE(
      fresh_message.ends_with("; \"fresh\": new table, not in the database (lowered to a note: new table)"))
      << fresh_message;
  EXPECT_EQ((*fresh)["table"]["exists"], false);
  EXPECT_EQ((*fresh)["table"]["new"], true);

  // A finding about no table (the statements run without a lock_timeout before line 4) is as it was.
  for (const nlohmann::json& finding : report["findings"]) {
    if (finding["rule"] == "require-lock-timeout") {
      EXPECT_FALSE(finding.contains("table")) << finding.dump();
      EXPECT_EQ(std::string(finding["message"]).find("rows"), std::string::npos) << finding.dump();
    }
  }

  // Without --stats-from the same findings carry no size and keep their severity.
  CliRun plain = run_miglint_in(dir.path(), "lint --format json 001_indexes.sql");
  nlohmann::json plain_report = nlohmann::json::parse(plain.out);
  const nlohmann::json* plain_tiny = finding_at(plain_report, "require-concurrent-index-creation", 2);
  ASSERT_NE(plain_tiny, nullptr) << plain.out;
  EXPECT_EQ((*plain_tiny)["severity"], "warning");
  EXPECT_FALSE(plain_tiny->contains("table"));
  EXPECT_EQ(std::string((*tiny)["message"]).rfind(std::string((*plain_tiny)["message"]) + "; \"tiny\": ", 0),
            0U);
}

// A table whose lock a migration holds refuses its size (the size functions wait for ACCESS SHARE,
// until lock_timeout): only that table's bytes are unknown, the other tables' are read one by one.
TEST_F(TableSizesTest, ALockedTableLosesOnlyItsOwnBytes) {
  Session holder(server_->conninfo());
  ASSERT_EQ(holder.exec("BEGIN"), "");
  ASSERT_EQ(holder.exec("LOCK TABLE tiny IN ACCESS EXCLUSIVE MODE"), "");
  TempDir dir("miglint-table-sizes-locked");
  dir.write("001_indexes.sql", kMigration);
  CliRun run =
      run_miglint_in(dir.path(), "lint --format json --stats-from '" + url("postgres") + "' 001_indexes.sql");
  holder.exec("ROLLBACK");
  nlohmann::json report = nlohmann::json::parse(run.out, nullptr, false);
  ASSERT_FALSE(report.is_discarded()) << run.out;
  const nlohmann::json* big = finding_at(report, "require-concurrent-index-creation", 1);
  const nlohmann::json* tiny = finding_at(report, "require-concurrent-index-creation", 2);
  ASSERT_TRUE(big && tiny) << run.out;
  EXPECT_GT((*big)["table"]["bytes"].get<int64_t>(), 5'000'000) << big->dump();
  EXPECT_EQ((*tiny)["table"]["rows"], 10) << tiny->dump();
  EXPECT_TRUE(!(*tiny)["table"].contains("bytes") || (*tiny)["table"]["bytes"].is_null()) << tiny->dump();
}

// DROP INDEX names no table: the index's table comes from the schema facts of the migrations (an
// index an earlier migration created), and the finding carries that table's size.
TEST_F(TableSizesTest, DropIndexFindingCarriesTheIndexTable) {
  TempDir dir("miglint-table-sizes-drop-index");
  dir.write("migrations/001_index.sql", "CREATE INDEX CONCURRENTLY big_pad_idx ON big (pad);\n");
  dir.write("migrations/002_drop.sql", "SET lock_timeout = '2s';\nDROP INDEX big_pad_idx;\n");
  CliRun run =
      run_miglint_in(dir.path(), "lint --format json --stats-from '" + url("postgres") + "' migrations");
  nlohmann::json report = nlohmann::json::parse(run.out, nullptr, false);
  ASSERT_FALSE(report.is_discarded()) << run.out;
  const nlohmann::json* dropped = nullptr;
  for (const nlohmann::json& finding : report["findings"]) {
    if (finding["rule"] == "require-concurrent-index-deletion") {
      dropped = &finding;
    }
  }
  ASSERT_NE(dropped, nullptr) << run.out;
  ASSERT_TRUE(dropped->contains("table")) << dropped->dump();
  EXPECT_EQ((*dropped)["table"]["relation"], "public.big") << dropped->dump();
  EXPECT_EQ((*dropped)["table"]["rows"], 50000) << dropped->dump();
  EXPECT_EQ((*dropped)["severity"], "warning") << dropped->dump();
}

TEST_F(TableSizesTest, SarifCarriesTheSizeAsProperties) {
  TempDir dir("miglint-table-sizes-sarif");
  dir.write("001_indexes.sql", kMigration);
  CliRun run = run_miglint_in(dir.path(),
                              "lint --format sarif --stats-from '" + url("postgres") + "' 001_indexes.sql");
  nlohmann::json sarif = nlohmann::json::parse(run.out);
  std::size_t with_table = 0;
  for (const nlohmann::json& result : sarif["runs"][0]["results"]) {
    if (result["ruleId"] == "require-concurrent-index-creation") {
      ASSERT_TRUE(result.contains("properties")) << result.dump();
      const nlohmann::json& table = result["properties"]["table"];
      EXPECT_TRUE(table["name"] == "big" || table["name"] == "tiny" || table["name"] == "fresh");
      if (table["name"] == "big") {
        EXPECT_EQ(table["rows"], 50000);
        EXPECT_EQ(result["level"], "warning");
      } else {
        EXPECT_EQ(result["level"], "note");
      }
      ++with_table;
    }
  }
  EXPECT_EQ(with_table, 3U);
}

TEST_F(TableSizesTest, ThresholdFromConfig) {
  TempDir dir("miglint-table-sizes-config");
  dir.write("miglint.toml", "[lint]\nsmall_table_rows = 5\n");
  dir.write("001_indexes.sql", kMigration);
  CliRun run =
      run_miglint_in(dir.path(), "lint --format json --stats-from '" + url("postgres") + "' 001_indexes.sql");
  nlohmann::json report = nlohmann::json::parse(run.out);
  const nlohmann::json* tiny = finding_at(report, "require-concurrent-index-creation", 2);
  ASSERT_NE(tiny, nullptr) << run.out;
  EXPECT_EQ((*tiny)["severity"], "warning") << run.out;  // 10 rows are not fewer than 5
  EXPECT_EQ(std::string((*tiny)["message"]).find("lowered"), std::string::npos);

  dir.write("miglint.toml", "[lint]\nsmall_table_rows = 100000\n");
  run =
      run_miglint_in(dir.path(), "lint --format json --stats-from '" + url("postgres") + "' 001_indexes.sql");
  report = nlohmann::json::parse(run.out);
  const nlohmann::json* big = finding_at(report, "require-concurrent-index-creation", 1);
  ASSERT_NE(big, nullptr) << run.out;
  EXPECT_EQ((*big)["severity"], "note");
  EXPECT_NE(std::string((*big)["message"]).find("(lowered to a note: ~50 k rows < small_table_rows 100,000)"),
            std::string::npos)
      << (*big)["message"];

  dir.write("miglint.toml", "[lint]\nsmall_table_rows = \"many\"\n");
  run = run_miglint_in(dir.path(), "lint --stats-from '" + url("postgres") + "' 001_indexes.sql 2>&1");
  EXPECT_EQ(run.status, 2) << run.out;
  EXPECT_NE(run.out.find("small_table_rows"), std::string::npos) << run.out;
}

// The role may connect and nothing else: no privilege on the tables, not even USAGE on their
// schema. It still gets every size, and the server's log shows each statement it sent: settings,
// a READ ONLY transaction, one catalog query, the end of the transaction; no error, no write.
TEST_F(TableSizesTest, ReadOnlyWithNothingButConnect) {
  Session admin(server_->conninfo());
  EXPECT_EQ(admin.rows("SELECT has_table_privilege('stats_reader', 'big', 'SELECT'), "
                       "has_schema_privilege('stats_reader', 'public', 'USAGE'), "
                       "has_database_privilege('stats_reader', 'postgres', 'TEMP')"),
            (std::vector<std::vector<std::string>>{{"f", "f", "f"}}));
  std::size_t log_before = server_log().size();

  TempDir dir("miglint-table-sizes-role");
  dir.write("001_indexes.sql", kMigration);
  CliRun run = run_miglint_in(
      dir.path(), "lint --format json --stats-from '" + url("stats_reader") + "' 001_indexes.sql");
  ASSERT_EQ(run.status, 1) << run.out;
  nlohmann::json report = nlohmann::json::parse(run.out);
  const nlohmann::json* big = finding_at(report, "require-concurrent-index-creation", 1);
  const nlohmann::json* tiny = finding_at(report, "require-concurrent-index-creation", 2);
  ASSERT_TRUE(big && tiny) << run.out;
  EXPECT_EQ((*big)["table"]["rows"], 50000);
  EXPECT_GT((*big)["table"]["bytes"].get<int64_t>(), 5'000'000);
  EXPECT_EQ((*tiny)["severity"], "note");

  std::string log = server_log().substr(log_before);
  std::vector<std::string> sent;
  std::istringstream lines(log);
  std::string line;
  static const std::regex statement_line(R"(user=stats_reader LOG:  (statement|execute [^:]*): (.*)$)");
  for (std::smatch match; std::getline(lines, line);) {
    EXPECT_EQ(line.find("user=stats_reader ERROR"), std::string::npos) << line;
    if (std::regex_search(line, match, statement_line)) {
      sent.push_back(match[2]);
    }
  }
  ASSERT_FALSE(sent.empty()) << log;
  bool began_read_only = false;
  std::size_t catalog_queries = 0;
  static const std::regex write_verb(
      R"(^\s*(INSERT|UPDATE|DELETE|MERGE|CREATE|ALTER|DROP|TRUNCATE|COPY|GRANT|REVOKE|VACUUM|ANALYZE|LOCK|COMMENT|SELECT\s+.*\bINTO\b))",
      std::regex::icase);
  for (const std::string& statement : sent) {
    EXPECT_FALSE(std::regex_search(statement, write_verb)) << statement;
    began_read_only = began_read_only || statement == "BEGIN READ ONLY";
    catalog_queries += statement.starts_with("WITH wanted AS") ? 1 : 0;
  }
  EXPECT_TRUE(began_read_only) << log;
  EXPECT_EQ(catalog_queries, 1U) << log;  // one batched query for the three tables
  EXPECT_NE(std::find(sent.begin(), sent.end(), "SET default_transaction_read_only = on"), sent.end()) << log;
}

TEST_F(TableSizesTest, UnreachableDatabaseIsOneLineAndExitTwo) {
  TempDir dir("miglint-table-sizes-unreachable");
  dir.write("001_indexes.sql", kMigration);
  std::string nowhere = "postgresql://postgres:secret@127.0.0.1:" + std::to_string(free_port()) + "/postgres";
  CliRun run =
      run_miglint_in(dir.path(), "lint --stats-from '" + nowhere + "' 001_indexes.sql 2>&1 >/dev/null");
  EXPECT_EQ(run.status, 2) << run.out;
  ASSERT_FALSE(run.out.empty());
  EXPECT_EQ(run.out.find('\n'), run.out.size() - 1) << run.out;  // one line
  EXPECT_TRUE(run.out.starts_with("miglint: error: --stats-from: cannot connect to ")) << run.out;
  EXPECT_EQ(run.out.find("secret"), std::string::npos) << run.out;  // the password is masked
}

// `plan` reads the sizes of the relations its statements lock and lists the locks riskiest first:
// the rewrite of the 50,000-row table before the index on the 10-row one.
TEST_F(TableSizesTest, PlanOrdersLocksByRisk) {
  TempDir dir("miglint-table-sizes-plan");
  dir.write("miglint.toml", "");
  dir.write("migrations/0001_tiny.sql", "CREATE INDEX CONCURRENTLY tiny_id ON tiny (id);\n");
  dir.write("migrations/0002_big.sql", "ALTER TABLE big ALTER COLUMN id TYPE bigint;\n");
  CliRun plan = run_miglint_in(dir.path(), "plan migrations --db '" + url("postgres") + "' 2>&1");
  std::size_t heading = plan.out.find("riskiest first (lock level x table size):\n");
  ASSERT_NE(heading, std::string::npos) << plan.out;
  std::string risks = plan.out.substr(heading);
  std::smatch big_line;
  std::smatch tiny_line;
  ASSERT_TRUE(std::regex_search(
      risks, big_line,
      std::regex(
          R"(  \S+0002_big.sql:1:1  ACCESS EXCLUSIVE public.big \(rewrite[^)]*\): ~50 k rows, [0-9.]+ MB\n)")))
      << plan.out;
  ASSERT_TRUE(std::regex_search(
      risks, tiny_line,
      std::regex(
          R"(  \S+0001_tiny.sql:1:1  SHARE UPDATE EXCLUSIVE public.tiny[^:]*: ~10 rows, [0-9.]+ KB\n)")))
      << plan.out;
  std::size_t big_at = static_cast<std::size_t>(big_line.position(0));
  std::size_t tiny_at = static_cast<std::size_t>(tiny_line.position(0));
  EXPECT_LT(big_at, tiny_at) << plan.out;

  CliRun json = run_miglint_in(dir.path(), "plan migrations --format json --db '" + url("postgres") + "'");
  nlohmann::json document = nlohmann::json::parse(json.out);
  ASSERT_TRUE(document.contains("risks")) << json.out;
  ASSERT_GE(document["risks"].size(), 2U);
  EXPECT_EQ(document["risks"][0]["relation"], "public.big");
  EXPECT_EQ(document["risks"][0]["rows"], 50000);
  EXPECT_GT(document["risks"][0]["risk"].get<double>(), document["risks"].back()["risk"].get<double>());
}

TEST(TableSizeText, RowsAndBytesAreShort) {
  EXPECT_EQ(describe_row_estimate(0), "~0 rows");
  EXPECT_EQ(describe_row_estimate(1), "~1 row");
  EXPECT_EQ(describe_row_estimate(120), "~120 rows");
  EXPECT_EQ(describe_row_estimate(4800), "~4.8 k rows");
  EXPECT_EQ(describe_row_estimate(50000), "~50 k rows");
  EXPECT_EQ(describe_row_estimate(48'000'000), "~48 M rows");
  EXPECT_EQ(describe_row_estimate(999'999), "~1 M rows");
  EXPECT_EQ(describe_row_estimate(1'200'000'000), "~1.2 G rows");
  EXPECT_EQ(describe_table_bytes(512), "512 bytes");
  EXPECT_EQ(describe_table_bytes(8192), "8 KB");
  EXPECT_EQ(describe_table_bytes(9'771'050'598), "9.1 GB");
  EXPECT_EQ(describe_table_bytes(1'319'413'953'331), "1.2 TB");
}

}  // namespace
