// The names `--fix` gives unnamed constraints (fixes/constraint_names.hpp) against a real PostgreSQL:
// for each statement, the server's own name for the unnamed constraint (the statement run as written)
// equals the name the fixed text writes, and the fixed text runs there: the constraint added NOT
// VALID under that name, and its VALIDATE CONSTRAINT finding it (convalidated afterwards).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "analyzer/engine/linter.hpp"
#include "fixes/file_fixes.hpp"
#include "rules/registry.hpp"
#include "tests/pg/throwaway_server.hpp"
#include "tests/tool_requirement.hpp"

using namespace miglint;
using namespace miglint::pgtest;

namespace {

constexpr const char* kDatabase = "fix_names";

// `text` with the fixes of `rule` applied, pass after pass, as `lint --fix` applies them.
std::string fixed_text(const std::string& rule, std::string text) {
  RuleSet rules(all_rules(), {rule}, {});
  LintOptions options;
  for (int pass = 0; pass < 4; ++pass) {
    SourceFile source("m.sql", text);
    FileResult result = lint_source(source, options, rules);
    attach_fixes(source, result, options, FixSettings{});
    FileFixPlan plan = choose_fixes(source, result);
    if (plan.edits.empty()) {
      break;
    }
    text = apply_to_file_bytes(text, plan.edits);
  }
  return text;
}

struct Case {
  std::string rule;
  std::string setup;      // tables with a row each (validation has something to check)
  std::string statement;  // adds one unnamed FOREIGN KEY or CHECK to `table`
  std::string table;      // as regclass text
  std::string expected;   // the name PostgreSQL gives it, written out here as well
};

class FixNamesAgainstServer : public ::testing::Test {
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
                         "constraint names of --fix against a real server (fix_names_pg_test)",
                         skip_reason_ ? *skip_reason_ : std::string());
  }

  // A fresh UTF-8 database (makeObjectName cuts names at the database encoding's characters).
  void fresh_database() {
    Session admin(server_->conninfo());
    ASSERT_TRUE(admin.ok()) << admin.error();
    admin.exec("SET client_min_messages = warning");
    ASSERT_EQ(admin.exec(std::string("DROP DATABASE IF EXISTS ") + kDatabase + " WITH (FORCE)"), "");
    ASSERT_EQ(admin.exec(std::string("CREATE DATABASE ") + kDatabase + " TEMPLATE template0 ENCODING 'UTF8'"),
              "");
  }

  // The name and convalidated of the table's one FOREIGN KEY or CHECK constraint.
  static std::vector<std::vector<std::string>> constraints_of(Session& session, const std::string& table) {
    return session.rows("SELECT conname, convalidated FROM pg_constraint WHERE conrelid = '" + table +
                        "'::regclass AND contype IN ('f', 'c')");
  }

  static ThrowawayServer* server_;
  static std::string* skip_reason_;
};

ThrowawayServer* FixNamesAgainstServer::server_ = nullptr;
std::string* FixNamesAgainstServer::skip_reason_ = nullptr;

TEST_F(FixNamesAgainstServer, GeneratedNamesAreThoseOfPostgres) {
  const std::string long_table(63, 't');
  const std::string long_a = "referencing_column_with_a_rather_long_name_number_one";
  const std::string long_b = "referencing_column_with_a_rather_long_name_number_two";
  std::string accented_table;  // 31 two-byte letters: 62 bytes
  for (int i = 0; i < 31; ++i) {
    accented_table += "\xC3\xA9";
  }
  const std::vector<Case> cases = {
      {"adding-foreign-key-constraint",
       "CREATE TABLE order_lines (order_id bigint, line int, PRIMARY KEY (order_id, line));"
       "INSERT INTO order_lines VALUES (1, 1);"
       "CREATE TABLE shipments (id bigint, order_id bigint, line int); INSERT INTO shipments VALUES (1, 1, "
       "1);",
       "ALTER TABLE shipments ADD FOREIGN KEY (order_id, line) REFERENCES order_lines (order_id, line);",
       "shipments", "shipments_order_id_line_fkey"},
      {"adding-foreign-key-constraint",
       "CREATE TABLE customers (id bigint PRIMARY KEY); INSERT INTO customers VALUES (1);"
       "CREATE TABLE \"Invoices\" (\"CustomerId\" bigint); INSERT INTO \"Invoices\" VALUES (1);",
       "ALTER TABLE \"Invoices\" ADD FOREIGN KEY (\"CustomerId\") REFERENCES customers;", "\"Invoices\"",
       "Invoices_CustomerId_fkey"},
      {"adding-foreign-key-constraint",
       "CREATE SCHEMA billing; CREATE TABLE billing.plans (a bigint, b bigint, PRIMARY KEY (a, b));"
       "INSERT INTO billing.plans VALUES (1, 2);"
       "CREATE TABLE billing." +
           long_table + " (" + long_a + " bigint, " + long_b + " bigint); INSERT INTO billing." + long_table +
           " VALUES (1, 2);",
       "ALTER TABLE billing." + long_table + " ADD FOREIGN KEY (" + long_a + ", " + long_b +
           ") REFERENCES billing.plans (a, b);",
       "billing." + long_table,
       // 63 bytes: the columns (107 bytes joined) are cut to 28, the table to 29.
       std::string(29, 't') + "_" + (long_a + "_" + long_b).substr(0, 28) + "_fkey"},
      {"adding-foreign-key-constraint",
       "CREATE TABLE agents (id bigint PRIMARY KEY); INSERT INTO agents VALUES (1);"
       "CREATE TABLE tickets (id bigint); INSERT INTO tickets VALUES (1);",
       "ALTER TABLE tickets ADD COLUMN agent_id bigint REFERENCES agents (id) ON DELETE SET NULL;", "tickets",
       "tickets_agent_id_fkey"},
      {"adding-foreign-key-constraint",
       "CREATE TABLE queues (id bigint PRIMARY KEY); INSERT INTO queues VALUES (0);"
       "CREATE TABLE tasks (id bigint); INSERT INTO tasks VALUES (1);",
       "ALTER TABLE tasks ADD COLUMN queue_id bigint REFERENCES queues DEFERRABLE NOT NULL DEFAULT 0;",
       "tasks", "tasks_queue_id_fkey"},
      {"constraint-missing-not-valid",
       "CREATE TABLE products (price int, low int, high int); INSERT INTO products VALUES (5, 1, 2);",
       "ALTER TABLE products ADD CHECK (price > 0 AND products.price < 100);", "products",
       "products_price_check"},
      {"constraint-missing-not-valid",
       "CREATE TABLE ranges (low int, high int); INSERT INTO ranges VALUES (1, 2);",
       "ALTER TABLE ranges ADD CHECK (low <= high);", "ranges", "ranges_check"},
      {"constraint-missing-not-valid",
       "CREATE TABLE stamps (at date); INSERT INTO stamps VALUES ('2020-01-01');",
       "ALTER TABLE stamps ADD CHECK (now() > '2000-01-01');", "stamps", "stamps_check"},
      {"constraint-missing-not-valid",
       "CREATE TABLE \"" + accented_table + "\" (c int); INSERT INTO \"" + accented_table + "\" VALUES (1);",
       "ALTER TABLE \"" + accented_table + "\" ADD CHECK (c > 0);", "\"" + accented_table + "\"",
       // 63 - len("_c_check") = 55 bytes for the table: 27 whole letters (54 bytes).
       accented_table.substr(0, 54) + "_c_check"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.statement);
    // As written: the server names the constraint.
    fresh_database();
    std::string server_name;
    {
      Session session(server_->conninfo(kDatabase));
      ASSERT_TRUE(session.ok()) << session.error();
      ASSERT_EQ(session.exec(c.setup), "");
      ASSERT_EQ(session.exec(c.statement), "");
      auto rows = constraints_of(session, c.table);
      ASSERT_EQ(rows.size(), 1u);
      server_name = rows[0][0];
    }
    EXPECT_EQ(server_name, c.expected);
    // Fixed: NOT VALID under the same name, and the VALIDATE after it finds it.
    std::string fixed = fixed_text(c.rule, c.statement + "\n");
    ASSERT_NE(fixed, c.statement + "\n") << "no fix";
    EXPECT_NE(fixed.find("NOT VALID"), std::string::npos) << fixed;
    EXPECT_NE(fixed.find("VALIDATE CONSTRAINT"), std::string::npos) << fixed;
    fresh_database();
    Session session(server_->conninfo(kDatabase));
    ASSERT_TRUE(session.ok()) << session.error();
    ASSERT_EQ(session.exec(c.setup), "");
    ASSERT_EQ(session.exec(fixed), "") << fixed;
    auto rows = constraints_of(session, c.table);
    ASSERT_EQ(rows.size(), 1u) << fixed;
    EXPECT_EQ(rows[0][0], server_name) << fixed;
    EXPECT_EQ(rows[0][1], "t") << "validated by the fix's VALIDATE CONSTRAINT: " << fixed;
  }
}

}  // namespace
