// `miglint trace` against a throwaway PostgreSQL 15: hand-written migrations whose locks the
// documentation gives (compared with pg_locks read directly, too), the trace rules' fixtures and doc
// examples, statements that run alone (their locks sampled from a second session), rollback leaving
// nothing behind, the refusal of a database that holds the migrations' tables, and every fixture
// under fixtures/ traced and compared with the static lock model (the agreement figure in the README).
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <thread>

#include "analyzer/engine/linter.hpp"
#include "analyzer/sql/relation.hpp"
#include "analyzer/sql/sql_parser.hpp"
#include "rules/registry.hpp"
#include "rules/rule_docs.hpp"
#include "tests/cli_support.hpp"
#include "tests/fixture_support.hpp"
#include "tests/pg/throwaway_server.hpp"
#include "tests/tool_requirement.hpp"

using namespace miglint;
using namespace miglint::pgtest;
using miglint::cli_support::CliRun;
using miglint::cli_support::TempDir;
using Json = nlohmann::json;
namespace fs = std::filesystem;

namespace {

// The share of traced fixture statements whose locks and rewrites the static model predicted, as
// measured when `miglint trace` was added (README.md, "Tracing migrations"). It may rise; a fall
// means the model or the trace got worse.
constexpr double kFixtureAgreement = 0.988;  // 482 of 487 statements (99.0 %)

constexpr const char* kSetup = R"sql(
CREATE TABLE orgs (id bigint PRIMARY KEY, name text);
CREATE TABLE users (id bigint PRIMARY KEY, email text, org_id bigint, n int, name varchar(20));
CREATE INDEX users_email_idx ON users (email);
CREATE TABLE events (id bigint, at date) PARTITION BY RANGE (at);
CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE events_2025 (id bigint, at date);
CREATE TYPE mood AS ENUM ('sad', 'ok');
CREATE FUNCTION noop_trigger() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;
ALTER TABLE users ADD CONSTRAINT users_n_check CHECK (n > 0) NOT VALID;
INSERT INTO orgs VALUES (1, 'a');
INSERT INTO users (id, email, org_id, name, n) VALUES (1, 'a@x', 1, 'a', 1);
)sql";

std::string quoted(const std::string& text) {
  return "'" + std::regex_replace(text, std::regex("'"), "'\\''") + "'";
}

class TraceAgainstServer : public ::testing::Test {
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
    MIGLINT_REQUIRE_TOOL(server_ != nullptr, "miglint trace against a real server (trace_pg_test)",
                         skip_reason_ ? *skip_reason_ : std::string());
  }

  // A new, empty database; its connection string.
  static std::string fresh_database(const std::string& setup = "") {
    static int counter = 0;
    std::string name = "trace_" + std::to_string(::getpid()) + "_" + std::to_string(counter++);
    Session admin(server_->conninfo());
    EXPECT_EQ(admin.exec("CREATE DATABASE " + name), "");
    if (!setup.empty()) {
      Session session(server_->conninfo(name));
      EXPECT_EQ(session.exec(setup), "");
    }
    return server_->conninfo(name);
  }

  // `miglint trace --db DSN ARGS` run in `directory`; stderr is kept apart (in `errors`).
  static CliRun trace(const std::string& dsn, const std::string& args, std::string* errors = nullptr,
                      const fs::path& directory = fs::temp_directory_path()) {
    TempDir err("miglint-trace-err");
    CliRun run = cli_support::run_miglint_in(
        directory, "trace --db " + quoted(dsn) + " " + args + " 2>" + quoted((err.path() / "err").string()));
    if (errors != nullptr) {
      std::ifstream in(err.path() / "err");
      *errors = std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    }
    return run;
  }

  static Json trace_json(const std::string& dsn, const std::string& args, int* status = nullptr) {
    std::string errors;
    CliRun run = trace(dsn, "--format json " + args, &errors);
    if (status != nullptr) {
      *status = run.status;
    }
    Json parsed = Json::parse(run.out, nullptr, false);
    EXPECT_FALSE(parsed.is_discarded()) << args << "\n" << run.out << errors;
    return parsed.is_discarded() ? Json::object() : parsed;
  }

  static ThrowawayServer* server_;
  static std::string* skip_reason_;
};

ThrowawayServer* TraceAgainstServer::server_ = nullptr;
std::string* TraceAgainstServer::skip_reason_ = nullptr;

// The strongest mode the statement took on `relation`, from the trace's JSON ("" for none).
std::string strongest(const Json& statement, const std::string& relation) {
  static const std::vector<std::string> order = {
      "ACCESS SHARE", "ROW SHARE",           "ROW EXCLUSIVE", "SHARE UPDATE EXCLUSIVE",
      "SHARE",        "SHARE ROW EXCLUSIVE", "EXCLUSIVE",     "ACCESS EXCLUSIVE"};
  std::string best;
  for (const Json& lock : statement["locks"]) {
    if (lock["relation"] == relation) {
      std::string mode = lock["mode"];
      auto rank = [&](const std::string& m) {
        return std::find(order.begin(), order.end(), m) - order.begin();
      };
      if (best.empty() || rank(mode) > rank(best)) {
        best = mode;
      }
    }
  }
  return best;
}

std::vector<Finding> findings_of(const Json& trace, const std::string& rule = "") {
  std::vector<Finding> findings;
  for (const Json& file : trace["files"]) {
    for (const Json& f : file["findings"]) {
      if (rule.empty() || f["rule"] == rule) {
        Finding finding;
        finding.rule = f["rule"];
        finding.path = f["path"];
        finding.start.line = f["start"]["line"];
        finding.start.column = f["start"]["column"];
        finding.message = f["message"];
        findings.push_back(finding);
      }
    }
  }
  return findings;
}

// Statements whose locks PostgreSQL's documentation ("Explicit Locking", and each command's page)
// gives. Each is one migration file, traced in its own rolled-back transaction.
struct DocumentedCase {
  std::string sql;
  std::map<std::string, std::string> locks;  // relation -> the strongest mode taken
  std::set<std::string> rewritten;           // tables rewritten
};

const std::vector<DocumentedCase> kDocumented = {
    // ALTER TABLE sub-commands
    {"ALTER TABLE users ADD COLUMN a int", {{"public.users", "ACCESS EXCLUSIVE"}}, {}},
    {"ALTER TABLE users ALTER COLUMN n TYPE bigint",
     {{"public.users", "ACCESS EXCLUSIVE"}},
     {"public.users"}},
    {"ALTER TABLE users ALTER COLUMN name TYPE varchar(50)", {{"public.users", "ACCESS EXCLUSIVE"}}, {}},
    {"ALTER TABLE users SET (fillfactor = 70)", {{"public.users", "SHARE UPDATE EXCLUSIVE"}}, {}},
    {"ALTER TABLE users ALTER COLUMN n SET STATISTICS 100", {{"public.users", "SHARE UPDATE EXCLUSIVE"}}, {}},
    {"ALTER TABLE users VALIDATE CONSTRAINT users_n_check", {{"public.users", "SHARE UPDATE EXCLUSIVE"}}, {}},
    // constraints
    {"ALTER TABLE users ADD CONSTRAINT users_org_fk FOREIGN KEY (org_id) REFERENCES orgs (id) NOT VALID",
     {{"public.users", "SHARE ROW EXCLUSIVE"}, {"public.orgs", "SHARE ROW EXCLUSIVE"}},
     {}},
    {"ALTER TABLE users ADD CONSTRAINT users_n_positive CHECK (n > 0) NOT VALID",
     {{"public.users", "ACCESS EXCLUSIVE"}},
     {}},
    // index builds
    {"CREATE INDEX users_n_idx ON users (n)", {{"public.users", "SHARE"}}, {}},
    {"DROP INDEX users_email_idx",
     {{"public.users", "ACCESS EXCLUSIVE"}, {"public.users_email_idx", "ACCESS EXCLUSIVE"}},
     {}},
    {"REINDEX INDEX users_email_idx",
     {{"public.users", "SHARE"}, {"public.users_email_idx", "ACCESS EXCLUSIVE"}},
     {}},
    // triggers
    {"CREATE TRIGGER users_noop BEFORE INSERT ON users FOR EACH ROW EXECUTE FUNCTION noop_trigger()",
     {{"public.users", "SHARE ROW EXCLUSIVE"}},
     {}},
    // partitions
    {"ALTER TABLE events ATTACH PARTITION events_2025 FOR VALUES FROM ('2025-01-01') TO ('2026-01-01')",
     {{"public.events", "SHARE UPDATE EXCLUSIVE"}, {"public.events_2025", "ACCESS EXCLUSIVE"}},
     {}},
    {"ALTER TABLE events DETACH PARTITION events_2024",
     {{"public.events", "ACCESS EXCLUSIVE"}, {"public.events_2024", "ACCESS EXCLUSIVE"}},
     {}},
    // types: an enum value added takes no table lock
    {"ALTER TYPE mood ADD VALUE 'happy'", {}, {}},
    // data
    {"UPDATE users SET n = 2", {{"public.users", "ROW EXCLUSIVE"}}, {}},
    // TRUNCATE swaps in new, empty relation files: shown as rewritten, not compared with the model
    {"TRUNCATE orgs, users",
     {{"public.orgs", "ACCESS EXCLUSIVE"}, {"public.users", "ACCESS EXCLUSIVE"}},
     {"public.orgs", "public.users"}},
};

// The session's relation locks after `sql` in BEGIN ... ROLLBACK, read from pg_locks directly:
// "relation mode" pairs, PostgreSQL's own schemas left out.
std::set<std::string> direct_locks(const std::string& dsn, const std::string& sql) {
  Session session(dsn);
  // Relations by oid before the statement: one it drops has no pg_class row afterwards.
  std::map<std::string, std::string> names;
  const std::string relations =
      "SELECT c.oid::text, n.nspname || '.' || c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = "
      "c.relnamespace WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')";
  for (const auto& row : session.rows(relations)) {
    names[row[0]] = row[1];
  }
  session.exec("BEGIN");
  EXPECT_EQ(session.exec(sql), "") << sql;
  for (const auto& row : session.rows(relations)) {
    names.emplace(row[0], row[1]);
  }
  std::set<std::string> locks;
  for (const auto& row : session.rows("SELECT relation::text, mode FROM pg_locks WHERE locktype = 'relation' "
                                      "AND pid = pg_backend_pid()")) {
    if (names.contains(row[0])) {
      locks.insert(names[row[0]] + " " + row[1]);
    }
  }
  session.exec("ROLLBACK");
  return locks;
}

std::string pg_locks_name(const std::string& mode) {
  std::string out;
  bool upper = true;
  for (char c : mode) {
    if (c == ' ') {
      upper = true;
      continue;
    }
    out += upper ? c : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    upper = false;
  }
  return out + "Lock";
}

TEST_F(TraceAgainstServer, DocumentedLocksMatchTheTraceAndPgLocks) {
  std::string dsn = fresh_database(kSetup);
  TempDir dir("miglint-trace-documented");
  for (std::size_t i = 0; i < kDocumented.size(); ++i) {
    char name[32];
    std::snprintf(name, sizeof name, "%03zu_case.sql", i + 1);
    dir.write(name, kDocumented[i].sql + ";\n");
  }
  Json traced = trace_json(dsn, quoted(dir.str()));
  ASSERT_EQ(traced["files"].size(), kDocumented.size());
  for (std::size_t i = 0; i < kDocumented.size(); ++i) {
    const DocumentedCase& expected = kDocumented[i];
    const Json& file = traced["files"][i];
    ASSERT_EQ(file["outcome"], "rolled back") << expected.sql;
    ASSERT_EQ(file["statements"].size(), 1U) << expected.sql;
    const Json& statement = file["statements"][0];
    ASSERT_FALSE(statement.contains("error")) << expected.sql << ": " << statement.dump();
    for (const auto& [relation, mode] : expected.locks) {
      EXPECT_EQ(strongest(statement, relation), mode) << expected.sql << " on " << relation;
    }
    std::set<std::string> rewritten;
    for (const Json& relation : statement["rewritten"]) {
      if (relation["kind"] == "table") {
        rewritten.insert(relation["relation"]);
      }
    }
    EXPECT_EQ(rewritten, expected.rewritten) << expected.sql;
    // Every lock the trace shows is one pg_locks shows for the same statement, and the other way round.
    std::set<std::string> shown;
    for (const Json& lock : statement["locks"]) {
      shown.insert(lock["relation"].get<std::string>() + " " + pg_locks_name(lock["mode"]));
    }
    EXPECT_EQ(shown, direct_locks(dsn, expected.sql)) << expected.sql;
    bool blocks_writes = false;
    for (const Json& lock : statement["locks"]) {
      blocks_writes = blocks_writes || lock["blocks_writes"].get<bool>();
    }
    std::string main_mode = expected.locks.empty() ? "" : expected.locks.begin()->second;
    EXPECT_EQ(blocks_writes, main_mode == "SHARE" || main_mode == "SHARE ROW EXCLUSIVE" ||
                                 main_mode == "EXCLUSIVE" || main_mode == "ACCESS EXCLUSIVE" ||
                                 std::any_of(expected.locks.begin(), expected.locks.end(),
                                             [](const auto& l) { return l.second == "ACCESS EXCLUSIVE"; }))
        << expected.sql;
  }
  // The NOT VALID foreign key is reported as added and not valid.
  const Json& fk = traced["files"][6]["statements"][0];
  ASSERT_EQ(fk["constraints"].size(), 1U);
  EXPECT_EQ(fk["constraints"][0]["name"], "users_org_fk");
  EXPECT_EQ(fk["constraints"][0]["type"], "foreign key");
  EXPECT_FALSE(fk["constraints"][0]["valid"].get<bool>());
  const Json& validated = traced["files"][5]["statements"][0];
  ASSERT_EQ(validated["constraints"].size(), 1U);
  EXPECT_TRUE(validated["constraints"][0]["validated"].get<bool>());
}

TEST_F(TraceAgainstServer, ADomainTypeChangeRewriteIsATraceFinding) {
  std::string dsn = fresh_database();
  fs::path file = fs::path(MIGLINT_SOURCE_DIR) /
                  "fixtures/trace/trace-stronger-than-model/fires-domain-in-another-schema.sql";
  int status = -1;
  Json traced = trace_json(dsn, quoted(file.string()), &status);
  EXPECT_EQ(status, 1);
  const Json& statements = traced["files"][0]["statements"];
  const Json& alter = statements[statements.size() - 1];
  bool rewritten = false;
  for (const Json& relation : alter["rewritten"]) {
    rewritten = rewritten || relation["relation"] == "public.invoices";
  }
  EXPECT_TRUE(rewritten) << alter.dump();
  // The model predicted the lock but no rewrite.
  ASSERT_EQ(alter["model"]["relations"].size(), 1U);
  EXPECT_FALSE(alter["model"]["relations"][0]["rewrite"].get<bool>());
  EXPECT_FALSE(alter["model"]["agrees"].get<bool>());
  std::vector<Finding> findings = findings_of(traced, "trace-stronger-than-model");
  ASSERT_EQ(findings.size(), 1U);
  EXPECT_NE(findings[0].message.find("rewrote public.invoices"), std::string::npos) << findings[0].message;
  EXPECT_NE(findings[0].message.find("also a problem of miglint's model"), std::string::npos);
  // The same finding in SARIF, with the rule's descriptor.
  std::string sarif_dsn = fresh_database();
  CliRun sarif = trace(sarif_dsn, "--format sarif " + quoted(file.string()));
  Json log = Json::parse(sarif.out, nullptr, false);
  ASSERT_FALSE(log.is_discarded()) << sarif.out;
  ASSERT_EQ(log["runs"][0]["results"].size(), 1U) << sarif.out;
  EXPECT_EQ(log["runs"][0]["results"][0]["ruleId"], "trace-stronger-than-model");
  bool described = false;
  for (const Json& rule : log["runs"][0]["tool"]["driver"]["rules"]) {
    described = described || rule["id"] == "trace-stronger-than-model";
  }
  EXPECT_TRUE(described);
  // Valid SARIF 2.1.0 for GitHub code scanning (../shared/tools/sarif/validate-sarif, beside CI's clone).
  const fs::path validator = MIGLINT_SARIF_VALIDATOR;
  if (fs::exists(validator)) {
    TempDir out("miglint-trace-sarif");
    fs::path document = out.write("trace.sarif", sarif.out);
    CliRun validation;
    FILE* pipe = popen((quoted(validator.string()) + " " + quoted(document.string()) + " 2>&1").c_str(), "r");
    ASSERT_NE(pipe, nullptr);
    std::array<char, 4096> buffer{};
    while (std::size_t n = fread(buffer.data(), 1, buffer.size(), pipe)) {
      validation.out.append(buffer.data(), n);
    }
    int validator_status = pclose(pipe);
    EXPECT_TRUE(WIFEXITED(validator_status) && WEXITSTATUS(validator_status) == 0) << validation.out;
  } else {
    std::cout << "[ INFO     ] SARIF validator not found at " << validator
              << ": the document was not validated\n";
  }
}

// Every fixture of the trace rules: fires* fixtures report their `-- expect:` findings and nothing
// else of their rule, silent* ones nothing of it. Each is traced with --commit on a new database
// (a directory fixture's files in order, later files seeing earlier ones).
TEST_F(TraceAgainstServer, TraceRuleFixtures) {
  std::size_t fixtures_run = 0;
  for (const auto& rule_dir : fs::directory_iterator(fs::path(MIGLINT_SOURCE_DIR) / "fixtures/trace")) {
    std::string rule = rule_dir.path().filename().string();
    for (const auto& entry : fs::directory_iterator(rule_dir.path())) {
      std::vector<fixtures::Fixture> files = fixtures::fixture_files(entry.path().string());
      Json traced = trace_json(fresh_database(), "--commit " + quoted(entry.path().string()));
      std::vector<Finding> findings = findings_of(traced, rule);
      for (const fixtures::Fixture& fixture : files) {
        std::vector<Finding> of_file;
        std::vector<fixtures::Expectation> expected;
        for (const Finding& finding : findings) {
          if (fs::path(finding.path).filename() == fs::path(fixture.path).filename()) {
            of_file.push_back(finding);
          }
        }
        fixtures::Fixture only_rule = fixture;
        std::erase_if(only_rule.expectations, [&](const fixtures::Expectation& e) { return e.rule != rule; });
        for (const std::string& problem : fixtures::fixture_mismatches(only_rule, of_file)) {
          ADD_FAILURE() << problem << "\n" << traced.dump(1);
        }
      }
      ++fixtures_run;
    }
  }
  EXPECT_GE(fixtures_run, 6U);
}

// The Bad example of each trace rule's doc fires it, the Good one does not (`-- next migration`
// splits an example into files).
TEST_F(TraceAgainstServer, TraceRuleDocExamples) {
  for (const Rule& rule : all_rules()) {
    if (!rule.has_tag("trace")) {
      continue;
    }
    std::string doc(rule_doc(rule.id));
    for (const std::string heading : {"## Bad", "## Good"}) {
      std::size_t at = doc.find(heading + "\n```sql\n");
      ASSERT_NE(at, std::string::npos) << rule.id << " " << heading;
      std::size_t begin = doc.find('\n', at + heading.size() + 1) + 1;
      std::string example = doc.substr(begin, doc.find("\n```", begin) - begin + 1);
      TempDir dir("miglint-trace-doc");
      std::size_t start = 0;
      int part = 1;
      const std::string separator = "-- next migration\n";
      while (true) {
        std::size_t next = example.find(separator, start);
        dir.write("00" + std::to_string(part++) + "_part.sql", example.substr(start, next - start));
        if (next == std::string::npos) {
          break;
        }
        start = next + separator.size();
      }
      Json traced = trace_json(fresh_database(), "--commit " + quoted(dir.str()));
      std::size_t fired = findings_of(traced, std::string(rule.id)).size();
      if (heading == "## Bad") {
        EXPECT_GT(fired, 0U) << rule.id << ": the Bad example does not fire\n" << traced.dump(1);
      } else {
        EXPECT_EQ(fired, 0U) << rule.id << ": the Good example fires\n" << traced.dump(1);
      }
    }
  }
}

// What the catalog holds that a migration could change: relations with their file nodes,
// constraints, types.
std::vector<std::vector<std::string>> catalog_state(const std::string& dsn) {
  Session session(dsn);
  std::vector<std::vector<std::string>> state = session.rows(
      "SELECT n.nspname || '.' || c.relname || ' ' || c.relkind::text || ' ' || c.relfilenode::text FROM "
      "pg_class c JOIN "
      "pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') "
      "UNION ALL SELECT 'constraint ' || conname || ' ' || convalidated::text FROM pg_constraint WHERE "
      "connamespace "
      "<> 'pg_catalog'::regnamespace UNION ALL SELECT 'type ' || typname FROM pg_type WHERE typnamespace = "
      "'public'::regnamespace UNION ALL SELECT 'enum ' || enumlabel FROM pg_enum ORDER BY 1");
  return state;
}

TEST_F(TraceAgainstServer, RollbackLeavesNothingBehind) {
  std::string dsn = fresh_database(kSetup);
  auto before = catalog_state(dsn);
  ASSERT_FALSE(before.empty());
  TempDir dir("miglint-trace-rollback");
  dir.write("001_tables.sql",
            "CREATE TABLE teams (id bigint PRIMARY KEY, org_id bigint REFERENCES orgs (id));\n"
            "ALTER TABLE users ALTER COLUMN n TYPE bigint;\n"
            "ALTER TABLE users ADD CONSTRAINT users_team CHECK (n > 0) NOT VALID;\n"
            "CREATE INDEX users_name_idx ON users (name);\n"
            "ALTER TYPE mood ADD VALUE 'happy';\n"
            "INSERT INTO orgs VALUES (2, 'b');\n");
  dir.write("002_more.sql", "ALTER TABLE users DROP COLUMN email;\nDROP TABLE events_2025;\n");
  int status = -1;
  Json traced = trace_json(dsn, quoted(dir.str()), &status);
  ASSERT_EQ(traced["files"].size(), 2U);
  EXPECT_EQ(traced["files"][0]["outcome"], "rolled back");
  EXPECT_EQ(traced["files"][0]["statements"].size(), 6U);
  EXPECT_EQ(catalog_state(dsn), before);
  Session session(dsn);
  EXPECT_EQ(session.rows("SELECT count(*) FROM orgs")[0][0], "1");
  // The history table of `miglint run` is not created either.
  EXPECT_TRUE(session.rows("SELECT to_regclass('public.miglint_schema_migrations')")[0][0].empty());
}

TEST_F(TraceAgainstServer, RefusesADatabaseHoldingTheTables) {
  std::string dsn = fresh_database("CREATE TABLE teams (id bigint PRIMARY KEY)");
  TempDir dir("miglint-trace-refuse");
  dir.write("001_teams.sql",
            "CREATE TABLE teams (id bigint PRIMARY KEY);\nALTER TABLE teams ADD COLUMN name text;\n");
  std::string errors;
  CliRun refused = trace(dsn, quoted(dir.str()), &errors);
  EXPECT_EQ(refused.status, 2);
  EXPECT_EQ(std::count(errors.begin(), errors.end(), '\n'), 1) << errors;
  EXPECT_NE(errors.find("already holds public.teams"), std::string::npos) << errors;
  EXPECT_NE(errors.find("--ephemeral"), std::string::npos) << errors;
  // The history table of `miglint run` too.
  std::string history = fresh_database("CREATE TABLE miglint_schema_migrations (version text)");
  CliRun refused_history = trace(history, quoted(dir.str()), &errors);
  EXPECT_EQ(refused_history.status, 2);
  EXPECT_NE(errors.find("public.miglint_schema_migrations"), std::string::npos) << errors;
  // --commit traces on it anyway (the CREATE TABLE then fails, the ALTER runs).
  CliRun committed = trace(dsn, "--commit --format json " + quoted(dir.str()), &errors);
  Json traced = Json::parse(committed.out, nullptr, false);
  ASSERT_FALSE(traced.is_discarded()) << committed.out << errors;
  EXPECT_EQ(traced["files"][0]["outcome"], "committed");
  EXPECT_TRUE(traced["files"][0]["statements"][0].contains("error"));
  EXPECT_FALSE(traced["files"][0]["statements"][1].contains("error"));
}

// The databases left behind by traces in a temporary copy (none, when each was dropped).
std::string leftover_copies(ThrowawayServer& server) {
  Session admin(server.conninfo());
  auto rows = admin.rows("SELECT count(*) FROM pg_database WHERE datname LIKE 'miglint\\_trace\\_%'");
  return rows.empty() ? "?" : rows[0][0];
}

// Without --commit, a file with a statement that cannot run in a transaction runs committed in a
// temporary copy of the database, dropped afterwards: traced, and the database left as it was.
TEST_F(TraceAgainstServer, RolledBackFileWithConcurrentIndexIsTracedInACopy) {
  std::string dsn = fresh_database(kSetup);
  auto before = catalog_state(dsn);
  TempDir dir("miglint-trace-copy");
  dir.write("001_teams.sql",
            "CREATE TABLE teams (id bigint PRIMARY KEY, name text);\n"
            "CREATE INDEX CONCURRENTLY teams_name_idx ON teams (name);\n");
  dir.write("002_users.sql", "ALTER TABLE users ADD COLUMN team_id bigint;\n");
  Json traced = trace_json(dsn, quoted(dir.str()));
  ASSERT_EQ(traced["files"].size(), 2U) << traced.dump(2);
  const Json& file = traced["files"][0];
  EXPECT_TRUE(file["traced"].get<bool>()) << file.dump(2);
  EXPECT_NE(file["outcome"].get<std::string>().find("temporary copy of the database"), std::string::npos)
      << file["outcome"];
  ASSERT_EQ(file["statements"].size(), 2U) << file.dump(2);
  EXPECT_FALSE(file["statements"][0].contains("error")) << file.dump(2);
  EXPECT_FALSE(file["statements"][1].contains("error")) << file.dump(2);
  EXPECT_TRUE(file["statements"][1]["sampled"].get<bool>()) << file.dump(2);
  EXPECT_TRUE(file["statements"][1].contains("model")) << "compared with the static model: " << file.dump(2);
  // The next file runs rolled back on the database itself, which the copy did not change.
  EXPECT_EQ(traced["files"][1]["outcome"], "rolled back");
  EXPECT_EQ(catalog_state(dsn), before);
  EXPECT_EQ(leftover_copies(*server_), "0");
}

// No copy without CREATEDB, or while another session is on the database: the file is not traced,
// and the output says why and what to do.
TEST_F(TraceAgainstServer, NoCopyMeansNotTracedWithTheReason) {
  std::string dsn = fresh_database(kSetup);
  TempDir dir("miglint-trace-nocopy");
  dir.write("001_index.sql", "CREATE INDEX CONCURRENTLY users_n_cidx ON users (n);\n");
  {
    Session busy(dsn);
    ASSERT_TRUE(busy.ok());
    Json traced = trace_json(dsn, quoted(dir.str()));
    const Json& file = traced["files"][0];
    EXPECT_FALSE(file["traced"].get<bool>());
    std::string outcome = file["outcome"];
    EXPECT_NE(outcome.find("no temporary copy of the database could be made"), std::string::npos) << outcome;
    EXPECT_NE(outcome.find("being accessed by other users"), std::string::npos) << outcome;
    EXPECT_NE(outcome.find("--commit"), std::string::npos) << outcome;
  }
  Session admin(server_->conninfo());
  admin.exec("DROP ROLE IF EXISTS trace_no_createdb");
  ASSERT_EQ(admin.exec("CREATE ROLE trace_no_createdb LOGIN NOCREATEDB"), "");
  Json traced = trace_json(dsn + " user=trace_no_createdb", quoted(dir.str()));
  std::string outcome = traced["files"][0]["outcome"];
  EXPECT_FALSE(traced["files"][0]["traced"].get<bool>());
  EXPECT_NE(outcome.find("permission denied to create database"), std::string::npos) << outcome;
  EXPECT_EQ(leftover_copies(*server_), "0");
}

// CREATE INDEX CONCURRENTLY runs alone (with --commit); its locks are sampled from a second
// session while a snapshot held elsewhere keeps it waiting.
TEST_F(TraceAgainstServer, StatementsOutsideATransactionAreSampled) {
  std::string dsn = fresh_database(kSetup);
  TempDir dir("miglint-trace-concurrent");
  dir.write("001_index.sql", "CREATE INDEX CONCURRENTLY users_n_cidx ON users (n);\n");
  Session blocker(dsn);
  ASSERT_EQ(blocker.exec("BEGIN ISOLATION LEVEL REPEATABLE READ"), "");
  ASSERT_EQ(blocker.exec("SELECT count(*) FROM orgs"), "");
  // The snapshot is released once the build has waited for it a while: a fixed delay from here
  // raced with the start of `miglint trace` on a loaded machine (22 ms waited under ASan).
  std::thread release([&] {
    Session watcher(server_->conninfo());
    auto until = std::chrono::steady_clock::now() + std::chrono::seconds(120);
    while (
        std::chrono::steady_clock::now() < until &&
        watcher
            .rows("SELECT 1 FROM pg_stat_activity WHERE query LIKE 'CREATE INDEX CONCURRENTLY users_n_cidx%' "
                  "AND wait_event_type = 'Lock'")
            .empty()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    blocker.exec("COMMIT");
  });
  Json traced = trace_json(dsn, "--commit " + quoted(dir.str()));
  release.join();
  const Json& statement = traced["files"][0]["statements"][0];
  EXPECT_TRUE(statement["sampled"].get<bool>());
  EXPECT_EQ(strongest(statement, "public.users"), "SHARE UPDATE EXCLUSIVE") << statement.dump();
  EXPECT_GE(statement["duration_ms"].get<double>(), 100.0);  // it waited for the snapshot
  EXPECT_TRUE(statement["model"]["agrees"].get<bool>()) << statement.dump();
}

// Statements quicker than the 2 ms polling (a plain VACUUM of a small table, a concurrent index build
// on an empty one) still show their lock on a table they name: a probe session holds that table, the
// statement waits for it in pg_locks, and is seen every time. In a file marked
// -- miglint-no-transaction, a statement that may run in a transaction is its own transaction: its
// locks are read by its own session, not sampled.
TEST_F(TraceAgainstServer, QuickStatementsOutsideATransactionShowTheirLocksEveryTime) {
  std::string dsn = fresh_database(kSetup);
  TempDir dir("miglint-trace-quick");
  std::string sql = "-- miglint-no-transaction\n";
  for (int i = 0; i < 10; ++i) {
    sql += "VACUUM orgs;\n";
  }
  sql += "CREATE INDEX CONCURRENTLY orgs_name_cidx ON orgs (name);\n";
  sql += "ALTER TABLE orgs ADD COLUMN note text;\n";
  dir.write("001_quick.sql", sql);
  for (const char* mode : {"", "--commit "}) {
    Json traced = trace_json(dsn, std::string(mode) + quoted(dir.str()));
    const Json& file = traced["files"][0];
    ASSERT_TRUE(file["traced"].get<bool>()) << file.dump();
    const Json& statements = file["statements"];
    ASSERT_EQ(statements.size(), 12U) << file.dump();
    for (std::size_t i = 0; i < 10; ++i) {
      EXPECT_TRUE(statements[i]["sampled"].get<bool>());
      EXPECT_EQ(strongest(statements[i], "public.orgs"), "SHARE UPDATE EXCLUSIVE")
          << mode << statements[i].dump();
      EXPECT_TRUE(statements[i]["model"]["agrees"].get<bool>()) << statements[i].dump();
    }
    EXPECT_EQ(strongest(statements[10], "public.orgs"), "SHARE UPDATE EXCLUSIVE")
        << mode << statements[10].dump();
    EXPECT_TRUE(statements[10]["model"]["agrees"].get<bool>()) << statements[10].dump();
    EXPECT_FALSE(statements[11]["sampled"].get<bool>()) << statements[11].dump();
    EXPECT_EQ(strongest(statements[11], "public.orgs"), "ACCESS EXCLUSIVE") << mode << statements[11].dump();
    EXPECT_TRUE(statements[11]["model"]["agrees"].get<bool>()) << statements[11].dump();
    // Rolled back (in a temporary copy), the database is as it was; committed, the column is there.
    Session check(dsn);
    auto value = [&](const std::string& query) {
      auto rows = check.rows(query);
      return rows.empty() || rows[0].empty() ? std::string() : rows[0][0];
    };
    EXPECT_EQ(
        value("SELECT count(*) FROM pg_attribute WHERE attrelid = 'orgs'::regclass AND attname = 'note'"),
        std::string(mode).empty() ? "0" : "1");
    // No probe left holding the table.
    EXPECT_EQ(value("SELECT count(*) FROM pg_locks WHERE locktype = 'relation' AND pid <> pg_backend_pid() "
                    "AND relation = 'orgs'::regclass"),
              "0");
  }
}

TEST_F(TraceAgainstServer, MarkdownHasATablePerFile) {
  std::string dsn = fresh_database(kSetup);
  TempDir dir("miglint-trace-markdown");
  dir.write("001_a.sql", "ALTER TABLE users ADD COLUMN a int;\nUPDATE users SET a = 1;\n");
  dir.write("002_b.sql", "CREATE INDEX users_n_idx ON users (n);\n");
  CliRun run = trace(dsn, "--format markdown " + quoted(dir.str()));
  EXPECT_EQ(run.status, 1) << run.out;  // trace-access-exclusive-held
  EXPECT_NE(run.out.find("### `"), std::string::npos) << run.out;
  EXPECT_EQ(std::count(run.out.begin(), run.out.end(), '#') >= 6, true);
  EXPECT_NE(run.out.find("| Statement | Locks | Blocks reads? | Blocks writes? | Rewrite? | Duration |"),
            std::string::npos)
      << run.out;
  EXPECT_NE(
      run.out.find("public.users ACCESS EXCLUSIVE | **yes**: public.users | **yes**: public.users | no |"),
      std::string::npos)
      << run.out;
  // The index the statement builds is new: its ACCESS EXCLUSIVE lock blocks nobody.
  EXPECT_NE(run.out.find("public.users SHARE<br>public.users_n_idx ACCESS EXCLUSIVE (new) | no | **yes**: "
                         "public.users | no |"),
            std::string::npos)
      << run.out;
  EXPECT_NE(run.out.find("`trace-access-exclusive-held`"), std::string::npos) << run.out;
}

// Statements about an index: the made-up setup must not create a table of that name.
bool names_an_index(const Statement& statement) {
  Node body = statement.body();
  std::string_view kind = statement.kind();
  return (kind == "RenameStmt" && body["renameType"].str() == "OBJECT_INDEX") ||
         (kind == "DropStmt" && body["removeType"].str() == "OBJECT_INDEX") ||
         (kind == "ReindexStmt" && body["kind"].str() == "REINDEX_OBJECT_INDEX") ||
         (kind == "AlterTableStmt" && body["objtype"].str() == "OBJECT_INDEX");
}

// Empties the database: every schema but PostgreSQL's own dropped, public made again.
void reset_database(Session& session) {
  for (const auto& row : session.rows("SELECT quote_ident(nspname) FROM pg_namespace WHERE nspname NOT LIKE "
                                      "'pg\\_%' AND nspname <> 'information_schema'")) {
    session.exec("DROP SCHEMA " + row[0] + " CASCADE");
  }
  session.exec("CREATE SCHEMA public");
}

// The setup a fixture needs on an empty database, made up as the lock model's server test does: its
// statements applied one by one, a missing table created (id bigint PRIMARY KEY) or a missing column
// added (text) when one fails for want of it. Returns the setup statements.
std::vector<std::string> made_up_setup(Session& session, const SourceFile& source) {
  std::vector<std::string> setup;
  simdjson::dom::parser parser;
  ParsedSql parsed = parse_sql(source.c_str(), source.size(), parser);
  static const std::regex missing_relation(R"re(relation "([^"]+)" does not exist)re");
  static const std::regex missing_column(R"re(column "([^"]+)" of relation "([^"]+)" does not exist)re");
  static const std::regex missing_column_plain(R"re(column "([^"]+)" does not exist)re");
  for (std::size_t i = 0; i < parsed.statements.size(); ++i) {
    Statement statement(source, parsed.statements[i].ast, parsed.statements[i].raw,
                        parsed.statements[i].location_base, static_cast<uint32_t>(i));
    std::string_view kind = statement.kind();
    if (kind == "TransactionStmt") {
      continue;
    }
    std::string sql(statement.text());
    for (int attempt = 0; attempt < 6; ++attempt) {
      std::string error = session.exec(sql);
      if (error.empty()) {
        break;
      }
      std::smatch match;
      std::string fix;
      if (std::regex_search(error, match, missing_column)) {
        fix = "ALTER TABLE \"" + match[2].str() + "\" ADD COLUMN \"" + match[1].str() + "\" text";
      } else if (std::regex_search(error, match, missing_relation) && !names_an_index(statement)) {
        std::string relation = match[1].str();
        if (relation.find('.') != std::string::npos) {
          setup.push_back("CREATE SCHEMA IF NOT EXISTS " + relation.substr(0, relation.find('.')));
          session.exec(setup.back());
        }
        fix = "CREATE TABLE " + relation + " (id bigint PRIMARY KEY)";
      } else if (std::regex_search(error, match, missing_column_plain) && kind != "CreateStmt" &&
                 statement.body()["relation"]) {
        fix = "ALTER TABLE " + display_name(statement.body()["relation"]) + " ADD COLUMN \"" +
              match[1].str() + "\" text";
      } else {
        break;
      }
      if (!session.exec(fix).empty()) {
        break;
      }
      setup.push_back(fix);
    }
  }
  return setup;
}

// Every fixture under fixtures/ traced (rolled back) on the setup it needs, and each statement's
// locks and rewrites compared with the static model's prediction.
TEST_F(TraceAgainstServer, EveryFixtureComparedWithTheStaticModel) {
  std::vector<fs::path> files;
  for (const auto& entry : fs::recursive_directory_iterator(fs::path(MIGLINT_SOURCE_DIR) / "fixtures")) {
    std::string path = entry.path().generic_string();
    if (entry.is_regular_file() && entry.path().extension() == ".sql" &&
        path.find("/fixtures/trace/") == std::string::npos) {
      files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  std::string dsn = fresh_database();
  std::size_t compared = 0;
  std::size_t agreed = 0;
  std::size_t traced_files = 0;
  std::vector<std::string> disagreements;
  std::vector<std::string> not_traced;
  for (const fs::path& file : files) {
    std::ifstream in(file);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (text.find("-- migrate:") != std::string::npos) {
      continue;  // dbmate files hold up and down sections that do not run one after the other
    }
    Expected<SourceFile> source = source_from_bytes(file.string(), text);
    if (!source) {
      continue;
    }
    std::vector<std::string> setup;
    {
      Session session(dsn);
      reset_database(session);
      setup = made_up_setup(session, *source);
      reset_database(session);
      for (const std::string& statement : setup) {
        session.exec(statement);
      }
    }
    std::string errors;
    CliRun run = trace(dsn, "--format json " + quoted(file.string()), &errors);
    Json traced = Json::parse(run.out, nullptr, false);
    if (traced.is_discarded()) {
      // Refused (the setup holds a table the fixture creates) or not plannable.
      not_traced.push_back(fs::relative(file, MIGLINT_SOURCE_DIR).generic_string() + ": " + errors);
      continue;
    }
    for (const Json& traced_file : traced["files"]) {
      traced_files += traced_file["traced"].get<bool>() ? 1 : 0;
      if (!traced_file["traced"].get<bool>()) {
        not_traced.push_back(traced_file["path"].get<std::string>() + ": " +
                             traced_file["outcome"].get<std::string>());
      }
      for (const Json& statement : traced_file["statements"]) {
        if (statement.contains("error")) {
          continue;
        }
        ++compared;
        if (statement["model"]["agrees"].get<bool>()) {
          ++agreed;
          continue;
        }
        std::string model;
        for (const Json& effect : statement["model"]["relations"]) {
          model += effect["name"].get<std::string>() + " " + effect["lock"].get<std::string>() +
                   (effect["rewrite"].get<bool>() ? " rewrite" : "") + "; ";
        }
        std::string seen;
        for (const Json& lock : statement["locks"]) {
          seen += lock["relation"].get<std::string>() + " " + lock["mode"].get<std::string>() + "; ";
        }
        for (const Json& relation : statement["rewritten"]) {
          seen += "rewrote " + relation["relation"].get<std::string>() + "; ";
        }
        disagreements.push_back(fs::relative(file, MIGLINT_SOURCE_DIR).generic_string() + ":" +
                                std::to_string(statement["start"]["line"].get<int>()) + ": " +
                                statement["statement"].get<std::string>() + "\n      model: " + model +
                                "\n      trace: " + seen);
      }
    }
  }
  ASSERT_GT(compared, 100U) << "the harness broke: " << compared << " statements traced";
  double agreement = static_cast<double>(agreed) / static_cast<double>(compared);
  std::cout << "[ INFO     ] traced " << compared << " statements of " << traced_files
            << " fixture files; the static "
            << "model agreed on " << agreed << " (" << agreement * 100 << "%)\n";
  for (const std::string& line : disagreements) {
    std::cout << "[ DIFFERS  ] " << line << "\n";
  }
  for (const std::string& line : not_traced) {
    std::cout << "[ NOT TRACED ] " << line << "\n";
  }
  EXPECT_GE(agreement, kFixtureAgreement) << "the static model's agreement with the trace fell";
}

}  // namespace
