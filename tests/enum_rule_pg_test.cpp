// The fixtures of enum-value-used-in-same-transaction against a real PostgreSQL: every statement
// that a fixture expects the rule on fails with SQLSTATE 55P04 ("unsafe use of new value"), and no
// other statement fails at all. So the rule's model of the server (which literals PostgreSQL turns
// into enum values, which transactions refuse them, the type created in the same transaction) is
// the server's, not a guess. The installed server is PostgreSQL 15: fixtures written for 12 to 16,
// which the rule treats alike, run; those for 11 and 17+ are listed as not checkable here.
#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "analyzer/sql/sql_parser.hpp"
#include "analyzer/sql/statement.hpp"
#include "tests/fixture_support.hpp"
#include "tests/pg/throwaway_server.hpp"
#include "tests/tool_requirement.hpp"

namespace fs = std::filesystem;
using namespace miglint;
using namespace miglint::pgtest;

namespace {

constexpr std::string_view kRule = "enum-value-used-in-same-transaction";
const fs::path kFixtures = fs::path(MIGLINT_SOURCE_DIR) / "fixtures" / std::string(kRule);

// The SQLSTATE of running `sql`, or "" on success; `message` gets the error text.
std::string run(PGconn* connection, const std::string& sql, std::string* message = nullptr) {
  std::unique_ptr<PGresult, decltype(&PQclear)> result(PQexec(connection, sql.c_str()), &PQclear);
  ExecStatusType status = PQresultStatus(result.get());
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK || status == PGRES_EMPTY_QUERY) {
    return "";
  }
  if (message != nullptr) {
    *message = PQresultErrorMessage(result.get());
  }
  const char* state = PQresultErrorField(result.get(), PG_DIAG_SQLSTATE);
  return state != nullptr ? state : "?????";
}

class EnumRuleAgainstServer : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::string why;
    server_ = ThrowawayServer::start(why).release();
    if (server_ == nullptr) {
      skip_reason_ = new std::string(why);
    }
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  void SetUp() override {
    MIGLINT_REQUIRE_TOOL(server_ != nullptr,
                         "the enum rule's fixtures against a real server (enum_rule_pg_test)",
                         skip_reason_ ? *skip_reason_ : std::string());
  }

  // Runs one fixture file's statements on `connection`, in its transaction mode, and checks each
  // statement's outcome against the file's expectations.
  void check_file(PGconn* connection, const fixtures::Fixture& file, bool wrapped, int& checked_failures) {
    Expected<SourceFile> source = source_from_bytes(file.path, file.text);
    ASSERT_TRUE(source.has_value()) << source.error().message;
    simdjson::dom::parser parser;
    ParsedSql parsed = parse_sql(source->c_str(), source->size(), parser);
    ASSERT_TRUE(parsed.problems.empty()) << file.path << ": does not parse";
    if (wrapped) {
      ASSERT_EQ(run(connection, "BEGIN"), "");
    }
    for (std::size_t i = 0; i < parsed.statements.size(); ++i) {
      const ParsedStatement& parsed_statement = parsed.statements[i];
      Statement statement(*source, parsed_statement.ast, parsed_statement.raw, parsed_statement.location_base,
                          static_cast<uint32_t>(i));
      ByteSpan span = statement.span();
      uint32_t first_line = source->position(span.begin).line;
      uint32_t last_line = source->position(span.end).line;
      bool expected = std::any_of(file.expectations.begin(), file.expectations.end(), [&](const auto& e) {
        return e.rule == kRule && e.line >= first_line && e.line <= last_line;
      });
      std::string sql(statement.text());
      // Inside a transaction, each statement runs in a savepoint of its own so that an expected
      // failure does not abort the rest (on 12-16 a savepoint changes nothing for enum values).
      bool in_block = PQtransactionStatus(connection) == PQTRANS_INTRANS;
      bool guard = in_block && statement.kind() != "TransactionStmt";
      if (guard) {
        ASSERT_EQ(run(connection, "SAVEPOINT miglint_statement"), "");
      }
      std::string message;
      std::string state = run(connection, sql, &message);
      if (guard) {
        if (!state.empty()) {
          ASSERT_EQ(run(connection, "ROLLBACK TO SAVEPOINT miglint_statement"), "");
        }
        ASSERT_EQ(run(connection, "RELEASE SAVEPOINT miglint_statement"), "");
      }
      std::string where = file.path + ":" + std::to_string(first_line) + ": " + sql;
      if (expected) {
        EXPECT_EQ(state, "55P04") << where << "\nthe rule reports it, but the server "
                                  << (state.empty() ? "ran it" : "failed with " + state + ": " + message);
        checked_failures += state == "55P04" ? 1 : 0;
      } else {
        EXPECT_EQ(state, "") << where << "\nthe server failed with " << state << ": " << message
                             << (state == "55P04" ? "\nthe rule misses it"
                                                  : "\nthe fixture must run cleanly");
      }
    }
    if (wrapped) {
      EXPECT_EQ(run(connection, "COMMIT"), "") << file.path;
    }
  }

  static ThrowawayServer* server_;
  static std::string* skip_reason_;
};

ThrowawayServer* EnumRuleAgainstServer::server_ = nullptr;
std::string* EnumRuleAgainstServer::skip_reason_ = nullptr;

TEST_F(EnumRuleAgainstServer, FixturesFailOnTheServerExactlyWhereTheRuleFires) {
  std::vector<fs::path> paths;
  for (const auto& entry : fs::directory_iterator(kFixtures)) {
    if (entry.is_directory() || entry.path().extension() == ".sql") {  // a fixture, not its .snap
      paths.push_back(entry.path());
    }
  }
  std::sort(paths.begin(), paths.end());
  int database = 0;
  int checked_fixtures = 0;
  int checked_failures = 0;
  std::vector<std::string> not_checkable;
  for (const fs::path& path : paths) {
    std::vector<fixtures::Fixture> files = fixtures::fixture_files(path.string());
    ASSERT_FALSE(files.empty()) << path;
    // A directory fixture's migrations run in order (their names here sort as migration order).
    std::sort(files.begin(), files.end(), [](const auto& a, const auto& b) { return a.path < b.path; });
    LintOptions options = files.front().options;
    for (const auto& file : files) {
      if (file.text.find("-- fixture:") != std::string::npos) {
        options = file.options;
        break;
      }
    }
    if (options.pg_version < 12 || options.pg_version > 16) {
      not_checkable.push_back(path.filename().string() + " (--pg-version " +
                              std::to_string(options.pg_version) + ")");
      continue;
    }
    std::string name = "enum_fixture_" + std::to_string(database++);
    {
      Session admin(server_->conninfo());
      ASSERT_TRUE(admin.ok()) << admin.error();
      ASSERT_EQ(admin.exec("CREATE DATABASE " + name), "");
    }
    Session session(server_->conninfo(name));
    ASSERT_TRUE(session.ok()) << session.error();
    run(session.raw(), "SET client_min_messages = warning");
    for (const fixtures::Fixture& file : files) {
      check_file(session.raw(), file, options.assume_in_transaction, checked_failures);
    }
    ++checked_fixtures;
  }
  // The fixtures that fire must have been run: a test that checks nothing would pass too.
  EXPECT_GE(checked_fixtures, 8);
  EXPECT_GE(checked_failures, 20);
  std::string skipped;
  for (const std::string& name : not_checkable) {
    skipped += (skipped.empty() ? "" : ", ") + name;
  }
  std::cout << "ran " << checked_fixtures << " fixtures (" << checked_failures
            << " expected 55P04 failures confirmed) on PostgreSQL 15; not checkable on it: " << skipped
            << "\n";
}

}  // namespace
