// One lock model: `miglint plan` (against a throwaway PostgreSQL 15) and `miglint locks` must name
// the same locks, rewrites and scans for every statement of every fixture. Each fixture (a file, or
// a directory of migrations) becomes a migrations directory of its own; both commands read it, and
// their outputs are compared statement by statement.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "analyzer/project/order.hpp"
#include "tests/cli_support.hpp"
#include "tests/pg/throwaway_server.hpp"
#include "tests/tool_requirement.hpp"

using namespace miglint;
using namespace miglint::cli_support;
using namespace miglint::pgtest;

namespace fs = std::filesystem;

namespace {

struct Fixture {
  std::string name;             // "changing-column-type/fires-type-from-earlier-file"
  std::vector<fs::path> files;  // in migration order
};

std::vector<Fixture> every_fixture() {
  std::vector<Fixture> fixtures;
  fs::path root = fs::path(MIGLINT_SOURCE_DIR) / "fixtures";
  for (const auto& rule : fs::directory_iterator(root)) {
    if (!rule.is_directory()) {
      continue;
    }
    for (const auto& entry : fs::directory_iterator(rule.path())) {
      Fixture fixture{fs::relative(entry.path(), root).generic_string(), {}};
      if (entry.is_directory()) {
        for (const auto& file : fs::directory_iterator(entry.path())) {
          if (file.path().extension() == ".sql") {
            fixture.files.push_back(file.path());
          }
        }
        std::sort(fixture.files.begin(), fixture.files.end(), [](const fs::path& a, const fs::path& b) {
          return migration_order_less(a.generic_string(), b.generic_string());
        });
      } else if (entry.path().extension() == ".sql") {
        fixture.files.push_back(entry.path());
      }
      if (!fixture.files.empty()) {
        fixtures.push_back(std::move(fixture));
      }
    }
  }
  std::sort(fixtures.begin(), fixtures.end(),
            [](const Fixture& a, const Fixture& b) { return a.name < b.name; });
  return fixtures;
}

std::string read_all(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// "file:line:column" -> the locks named for that statement, as `plan` writes them
// ("ACCESS EXCLUSIVE public.t (rewrite, scan), ROW SHARE public.u"; "" for none).
using StatementLocks = std::map<std::string, std::string>;

// Reads `miglint plan` output: "<version> <name> (<path>): ..." headers, then statement lines
// "    L:C label  -- locks".
StatementLocks read_plan(const std::string& out, std::size_t& files_shown) {
  StatementLocks locks;
  static const std::regex header(R"(^\S+ \S* ?\((.+\.sql)\): (one transaction|segmented|as written), .*$)");
  static const std::regex statement(R"(^    (\d+):(\d+) (.*)$)");
  std::string file;
  std::istringstream lines(out);
  std::string line;
  while (std::getline(lines, line)) {
    std::smatch match;
    if (std::regex_match(line, match, header)) {
      file = fs::path(match[1].str()).filename().string();
      ++files_shown;
    } else if (!file.empty() && std::regex_match(line, match, statement)) {
      std::string rest = match[3];
      std::size_t marker = rest.rfind("  -- ");
      locks[file + ":" + match[1].str() + ":" + match[2].str()] =
          marker == std::string::npos ? "" : rest.substr(marker + 5);
    }
  }
  return locks;
}

// Reads `miglint locks --format json` and writes each statement's locks as `plan` does.
StatementLocks read_locks(const std::string& out) {
  StatementLocks locks;
  nlohmann::json json = nlohmann::json::parse(out, nullptr, false);
  if (json.is_discarded()) {
    return locks;
  }
  for (const auto& file : json["files"]) {
    std::string name = fs::path(file["path"].get<std::string>()).filename().string();
    for (const auto& statement : file["statements"]) {
      std::string text;
      for (const auto& relation : statement["relations"]) {
        std::vector<std::string> what;
        if (relation["rewrite"].get<bool>()) {
          what.emplace_back("rewrite");
        }
        if (relation["scan"].get<bool>()) {
          what.emplace_back("scan");
        }
        std::string joined;
        for (const std::string& word : what) {
          joined += (joined.empty() ? "" : ", ") + word;
        }
        text += (text.empty() ? "" : ", ") + relation["lock"].get<std::string>() + " " +
                relation["name"].get<std::string>() + (joined.empty() ? "" : " (" + joined + ")");
      }
      locks[name + ":" + std::to_string(statement["start"]["line"].get<int>()) + ":" +
            std::to_string(statement["start"]["column"].get<int>())] = text;
    }
  }
  return locks;
}

}  // namespace

TEST(PlanAndLocks, NameTheSameLocksForEveryStatementOfEveryFixture) {
  std::string why;
  std::unique_ptr<ThrowawayServer> server = ThrowawayServer::start(why);
  MIGLINT_REQUIRE_TOOL(server != nullptr, "`plan` compared with `locks` against a real server", why);
  std::vector<Fixture> fixtures = every_fixture();
  ASSERT_GT(fixtures.size(), 150U);
  std::size_t compared_statements = 0;
  std::size_t compared_fixtures = 0;
  std::size_t with_locks = 0;
  std::vector<std::string> not_planned;
  for (const Fixture& fixture : fixtures) {
    TempDir dir("miglint-plan-locks");
    // Versioned names the runner reads, in the fixture's own order.
    for (std::size_t k = 0; k < fixture.files.size(); ++k) {
      char version[24];
      std::snprintf(version, sizeof version, "%04zu", k + 1);
      dir.write("migrations/" + std::string(version) + "_" + fixture.files[k].stem().string() + ".sql",
                read_all(fixture.files[k]));
    }
    // An empty config of its own, so that no miglint.toml above the temporary directory applies.
    dir.write("miglint.toml", "");
    std::string db = "postgresql://postgres@127.0.0.1:" + std::to_string(server->port()) + "/postgres";
    CliRun plan = run_miglint_in(dir.path(), "plan migrations --db '" + db + "' 2>&1");
    CliRun locks = run_miglint_in(dir.path(), "locks --format json migrations");
    std::size_t files_shown = 0;
    StatementLocks planned = read_plan(plan.out, files_shown);
    StatementLocks explained = read_locks(locks.out);
    ASSERT_EQ(locks.status, 0) << fixture.name << "\n" << locks.out;
    ASSERT_FALSE(nlohmann::json::parse(locks.out, nullptr, false).is_discarded()) << fixture.name << "\n"
                                                                                  << locks.out;
    if (files_shown == 0) {
      // The runner cannot split it (a syntax error, a BEGIN never committed): `plan` shows no statements.
      not_planned.push_back(fixture.name);
      continue;
    }
    ++compared_fixtures;
    for (const auto& [where, taken] : planned) {
      auto found = explained.find(where);
      ASSERT_NE(found, explained.end())
          << fixture.name << ": " << where << " is in `plan` but not in `locks`\n"
          << plan.out;
      EXPECT_EQ(taken, found->second) << fixture.name << ": " << where << "\n--- plan ---\n" << plan.out;
      ++compared_statements;
      with_locks += taken.empty() ? 0 : 1;
    }
  }
  std::cout << "compared " << compared_statements << " statements (" << with_locks << " with locks) of "
            << compared_fixtures << " fixtures; not planned by the runner (refused): " << not_planned.size()
            << "\n";
  EXPECT_GT(compared_fixtures, 150U);
  EXPECT_GT(compared_statements, 400U);
  EXPECT_GT(with_locks, 250U);
}

// The two disagreements of issue 21, through the commands: `plan` names the dropped index's table
// (known from the earlier migration that created it) and reads an earlier migration's column type
// (varchar(20) -> varchar(50) is no rewrite) and validated CHECK (SET NOT NULL: no scan).
TEST(PlanAndLocks, PlanUsesTheEarlierMigrationsSchemaFacts) {
  std::string why;
  std::unique_ptr<ThrowawayServer> server = ThrowawayServer::start(why);
  MIGLINT_REQUIRE_TOOL(server != nullptr, "`plan` against a real server", why);
  TempDir dir("miglint-plan-facts");
  dir.write("miglint.toml", "");
  std::string db = "postgresql://postgres@127.0.0.1:" + std::to_string(server->port()) + "/postgres";
  dir.write("migrations/0001_orders.sql",
            "CREATE TABLE orders (id bigint, user_id bigint, code varchar(20), note text);\n"
            "CREATE INDEX orders_user_id_idx ON orders (user_id);\n"
            "ALTER TABLE orders ADD CONSTRAINT note_nn CHECK (note IS NOT NULL) NOT VALID;\n");
  dir.write("migrations/0002_validate.sql", "ALTER TABLE orders VALIDATE CONSTRAINT note_nn;\n");
  // The first two are applied: `plan` shows only the third, with the schema facts of the others.
  CliRun run = run_miglint_in(dir.path(), "run migrations --db '" + db + "' 2>&1");
  ASSERT_EQ(run.status, 0) << run.out;
  dir.write("migrations/0003_change.sql",
            "SET lock_timeout = '1s';\n"
            "DROP INDEX orders_user_id_idx;\n"
            "ALTER TABLE orders ALTER COLUMN code TYPE varchar(50);\n"
            "ALTER TABLE orders ALTER COLUMN note SET NOT NULL;\n");
  CliRun plan = run_miglint_in(dir.path(), "plan migrations --db '" + db + "' 2>&1");
  std::size_t files_shown = 0;
  StatementLocks planned = read_plan(plan.out, files_shown);
  EXPECT_EQ(planned["0003_change.sql:2:1"],
            "ACCESS EXCLUSIVE public.orders_user_id_idx, ACCESS EXCLUSIVE public.orders")
      << plan.out;
  EXPECT_EQ(planned["0003_change.sql:3:1"], "ACCESS EXCLUSIVE public.orders") << plan.out;
  EXPECT_EQ(planned["0003_change.sql:4:1"], "ACCESS EXCLUSIVE public.orders") << plan.out;
  CliRun locks = run_miglint_in(dir.path(), "locks --format json migrations");
  StatementLocks explained = read_locks(locks.out);
  for (const char* where : {"0003_change.sql:2:1", "0003_change.sql:3:1", "0003_change.sql:4:1"}) {
    EXPECT_EQ(planned[where], explained[where]) << where;
  }
}
