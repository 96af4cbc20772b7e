// The runner's pure parts: migration layouts, statement segments, approvals, connection strings,
// durations and the [run] config table. The parts that need a server: runner_pg_test.cpp.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "analyzer/project/approvals.hpp"
#include "analyzer/project/config.hpp"
#include "analyzer/text/duration.hpp"
#include "rules/registry.hpp"
#include "runner/database.hpp"
#include "runner/layout.hpp"
#include "runner/script.hpp"
#include "settings/run_table.hpp"

namespace fs = std::filesystem;
using namespace miglint;
using namespace miglint::runner;
using std::chrono::milliseconds;

namespace {

class TempDir {
 public:
  TempDir() {
    path_ = fs::temp_directory_path() / ("miglint-runner-" + std::to_string(::getpid()) + "-" +
                                         ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() { fs::remove_all(path_); }
  fs::path write(const std::string& name, const std::string& text) const {
    fs::path path = path_ / name;
    fs::create_directories(path.parent_path());
    std::ofstream(path) << text;
    return path;
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

// ------------------------------------------------------------------------------------------------
// Layouts and versions

struct NameCase {
  const char* path;
  NameReading::Kind kind;
  const char* version;
  const char* name;
};

TEST(MigrationNames, EveryLayoutGivesItsVersionAsWritten) {
  const NameCase cases[] = {
      {"V3__add_users.sql", NameReading::Kind::Migration, "3", "add_users"},
      {"V3.1__add_index.sql", NameReading::Kind::Migration, "3.1", "add_index"},
      {"V1_1__flyway_underscores.sql", NameReading::Kind::Migration, "1_1", "flyway_underscores"},
      {"U3__undo.sql", NameReading::Kind::Skip, "", ""},
      {"R__views.sql", NameReading::Kind::Invalid, "", ""},
      {"V__no_version.sql", NameReading::Kind::Invalid, "", ""},
      {"V__nt-identity-columns.sql", NameReading::Kind::Invalid, "", ""},  // found by ci/fuzz
      {"0003_add_users.up.sql", NameReading::Kind::Migration, "0003", "add_users"},
      {"0003_add_users.down.sql", NameReading::Kind::Skip, "", ""},
      {"2024-01-15-100000_add_users/up.sql", NameReading::Kind::Migration, "2024-01-15-100000", "add_users"},
      {"2024-01-15-100000_add_users/down.sql", NameReading::Kind::Skip, "", ""},
      {"20240115100000_create_users.sql", NameReading::Kind::Migration, "20240115100000", "create_users"},
      {"001-add-users.sql", NameReading::Kind::Migration, "001", "add-users"},
      {"7.sql", NameReading::Kind::Migration, "7", ""},
      {"schema.sql", NameReading::Kind::Invalid, "", ""},
      {"12abc.sql", NameReading::Kind::Invalid, "", ""},
      {"notes.txt", NameReading::Kind::Skip, "", ""},
  };
  for (const NameCase& c : cases) {
    SCOPED_TRACE(c.path);
    NameReading reading = read_migration_name(c.path);
    EXPECT_EQ(reading.kind, c.kind) << reading.why;
    if (c.kind == NameReading::Kind::Migration) {
      EXPECT_EQ(reading.version, c.version);
      EXPECT_EQ(reading.name, c.name);
    }
  }
}

TEST(MigrationDirectory, OrdersVersionsLikeLintAndSkipsDownMigrations) {
  TempDir dir;
  dir.write("V10__c.sql", "SELECT 1;");
  dir.write("V3.1__b.sql", "SELECT 1;");
  dir.write("V3__a.sql", "SELECT 1;");
  dir.write("V2__z.sql", "SELECT 1;");
  dir.write("U2__z.sql", "SELECT 1;");
  Expected<MigrationDirectory> found = discover_migrations(dir.path().string());
  ASSERT_TRUE(found) << found.error().message;
  std::vector<std::string> versions;
  for (const MigrationFile& file : found->migrations) {
    versions.push_back(file.version);
  }
  EXPECT_EQ(versions, (std::vector<std::string>{"2", "3", "3.1", "10"}));
  EXPECT_EQ(found->skipped, std::vector<std::string>{"U2__z.sql"});
}

TEST(MigrationDirectory, DieselDirectoriesAndGolangMigratePairs) {
  TempDir dir;
  dir.write("2024-01-15-100000_b/up.sql", "SELECT 1;");
  dir.write("2024-01-15-100000_b/down.sql", "SELECT 1;");
  dir.write("2023-12-01-000000_a/up.sql", "SELECT 1;");
  Expected<MigrationDirectory> found = discover_migrations(dir.path().string());
  ASSERT_TRUE(found) << found.error().message;
  ASSERT_EQ(found->migrations.size(), 2U);
  EXPECT_EQ(found->migrations[0].relative_path, "2023-12-01-000000_a/up.sql");
  EXPECT_EQ(found->migrations[1].version, "2024-01-15-100000");

  TempDir golang;
  golang.write("0002_b.up.sql", "SELECT 1;");
  golang.write("0002_b.down.sql", "SELECT 1;");
  golang.write("0001_a.up.sql", "SELECT 1;");
  found = discover_migrations(golang.path().string());
  ASSERT_TRUE(found) << found.error().message;
  ASSERT_EQ(found->migrations.size(), 2U);
  EXPECT_EQ(found->migrations[0].name, "a");
  EXPECT_EQ(found->skipped, std::vector<std::string>{"0002_b.down.sql"});
}

TEST(MigrationDirectory, DuplicateVersionsNameBothFiles) {
  TempDir dir;
  dir.write("3_a.sql", "SELECT 1;");
  dir.write("0003_b.sql", "SELECT 1;");
  Expected<MigrationDirectory> found = discover_migrations(dir.path().string());
  ASSERT_FALSE(found);
  EXPECT_NE(found.error().message.find("duplicate version"), std::string::npos) << found.error().message;
  EXPECT_NE(found.error().message.find("3_a.sql"), std::string::npos);
  EXPECT_NE(found.error().message.find("0003_b.sql"), std::string::npos);
}

TEST(MigrationDirectory, AFileWithoutVersionIsAnError) {
  TempDir dir;
  dir.write("001_a.sql", "SELECT 1;");
  dir.write("cleanup.sql", "SELECT 1;");
  Expected<MigrationDirectory> found = discover_migrations(dir.path().string());
  ASSERT_FALSE(found);
  EXPECT_NE(found.error().message.find("cleanup.sql"), std::string::npos) << found.error().message;
}

TEST(MigrationDirectory, OfAFile) {
  EXPECT_EQ(migrations_directory_of("db/migrations/0001_a.sql"), "db/migrations");
  EXPECT_EQ(migrations_directory_of("migrations/2024-01-15-100000_a/up.sql"), "migrations");
  EXPECT_EQ(migrations_directory_of("0001_a.sql"), ".");
}

// ------------------------------------------------------------------------------------------------
// Segments

MigrationScript plan(const std::string& sql, int pg_version = 15) {
  SourceFile source("m.sql", sql);
  Expected<MigrationScript> script = plan_script(source, pg_version);
  EXPECT_TRUE(script) << (script ? "" : script.error().message);
  return script ? *script : MigrationScript{};
}

std::vector<std::tuple<Segment::Kind, std::size_t, std::size_t>> segments(const MigrationScript& script) {
  std::vector<std::tuple<Segment::Kind, std::size_t, std::size_t>> out;
  for (const Segment& segment : script.segments) {
    out.emplace_back(segment.kind, segment.first, segment.last);
  }
  return out;
}

using K = Segment::Kind;

TEST(Script, TransactionalStatementsRunInOneTransaction) {
  const std::string text =
      "CREATE TABLE a (id int);\nALTER TABLE a ADD COLUMN b int;\nCREATE INDEX ON a (b);";
  MigrationScript script = plan(text);
  EXPECT_EQ(script.mode, ScriptMode::OneTransaction);
  EXPECT_EQ(segments(script), (decltype(segments(script)){{K::Wrapped, 0, 3}}));
  EXPECT_EQ(script.statements[1].start.line, 2U);
  EXPECT_EQ(statement_label(text, script.statements[1]), "ALTER TABLE a ADD COLUMN b int");
}

TEST(Script, AMixedFileRunsEachNonTransactionalStatementAlone) {
  MigrationScript script = plan(
      "CREATE TABLE a (id int);\nINSERT INTO a VALUES (1);\nCREATE INDEX CONCURRENTLY a_i ON a (id);\n"
      "VACUUM a;\nALTER TABLE a ADD COLUMN b int;");
  EXPECT_EQ(script.mode, ScriptMode::Segmented);
  EXPECT_EQ(segments(script),
            (decltype(segments(script)){
                {K::Wrapped, 0, 2}, {K::Autocommit, 2, 3}, {K::Autocommit, 3, 4}, {K::Wrapped, 4, 5}}));
  EXPECT_TRUE(script.statements[2].concurrent);
  EXPECT_EQ(script.statements[2].reconcile->kind, Reconcile::Kind::CreateIndex);
  EXPECT_EQ(script.statements[2].reconcile->index, "\"a_i\"");
  EXPECT_TRUE(script.statements[3].outside_transaction);
  EXPECT_FALSE(script.statements[3].concurrent);
}

TEST(Script, AFileWithItsOwnTransactionsRunsAsWritten) {
  MigrationScript script = plan(
      "SET lock_timeout = '1s';\nBEGIN;\nALTER TABLE a ADD COLUMN b int;\nUPDATE a SET b = 1;\nCOMMIT;\n"
      "CREATE INDEX CONCURRENTLY ON a (b);");
  EXPECT_EQ(script.mode, ScriptMode::AsWritten);
  EXPECT_EQ(segments(script),
            (decltype(segments(script)){{K::Autocommit, 0, 1}, {K::Explicit, 1, 5}, {K::Autocommit, 5, 6}}));
}

TEST(Script, NoTransactionDirectiveRunsStatementsOneByOne) {
  MigrationScript script =
      plan("-- miglint-no-transaction\nCREATE TABLE a (id int);\nINSERT INTO a VALUES (1);");
  EXPECT_EQ(script.mode, ScriptMode::AsWritten);
  EXPECT_EQ(segments(script), (decltype(segments(script)){{K::Autocommit, 0, 1}, {K::Autocommit, 1, 2}}));
}

TEST(Script, DbmateRunsOnlyTheUpSectionAndHonoursTransactionFalse) {
  std::string sql =
      "-- migrate:up transaction:false\nCREATE INDEX CONCURRENTLY a_i ON a (id);\nCREATE TABLE b (id int);\n"
      "-- migrate:down\nDROP TABLE b;\n";
  MigrationScript script = plan(sql);
  EXPECT_EQ(script.mode, ScriptMode::AsWritten);
  ASSERT_EQ(script.statements.size(), 2U);
  EXPECT_EQ(script.executed.begin, 0U);
  EXPECT_EQ(script.executed.end, sql.find("-- migrate:down"));

  MigrationScript wrapped = plan("-- migrate:up\nCREATE TABLE b (id int);\n-- migrate:down\nDROP TABLE b;\n");
  EXPECT_EQ(wrapped.mode, ScriptMode::OneTransaction);
  EXPECT_EQ(wrapped.statements.size(), 1U);
}

TEST(Script, EveryStatementPostgres15RefusesInATransactionRunsAlone) {
  const char* statements[] = {
      "CREATE INDEX CONCURRENTLY i ON t (a)",
      "DROP INDEX CONCURRENTLY i",
      "REINDEX INDEX CONCURRENTLY i",
      "REINDEX TABLE CONCURRENTLY t",
      "REINDEX DATABASE d",
      "REINDEX SYSTEM d",
      "ALTER TABLE p DETACH PARTITION c CONCURRENTLY",
      "VACUUM t",
      "VACUUM (ANALYZE) t",
      "CREATE DATABASE d",
      "DROP DATABASE d",
      "ALTER DATABASE d SET TABLESPACE s",
      "CREATE TABLESPACE s LOCATION '/x'",
      "DROP TABLESPACE s",
      "ALTER SYSTEM SET work_mem = '8MB'",
      "CLUSTER",
      "DISCARD ALL",
      "COMMIT PREPARED 'x'",
      "ROLLBACK PREPARED 'x'",
      "CREATE SUBSCRIPTION s CONNECTION 'host=x' PUBLICATION p",
      "DROP SUBSCRIPTION s",
      "ALTER SUBSCRIPTION s REFRESH PUBLICATION",
  };
  for (const char* sql : statements) {
    SCOPED_TRACE(sql);
    MigrationScript script = plan(std::string(sql) + ";");
    ASSERT_EQ(script.statements.size(), 1U);
    EXPECT_TRUE(script.statements[0].outside_transaction);
    EXPECT_EQ(segments(script), (decltype(segments(script)){{K::Autocommit, 0, 1}}));
  }
  for (const char* sql :
       {"ANALYZE t", "CLUSTER t USING i", "DISCARD PLANS", "ALTER DATABASE d SET work_mem = '8MB'",
        "REINDEX INDEX i", "ALTER TYPE e ADD VALUE 'x'"}) {
    SCOPED_TRACE(sql);
    MigrationScript script = plan(std::string(sql) + ";");
    EXPECT_FALSE(script.statements.at(0).outside_transaction);
  }
  // Before PostgreSQL 12, ALTER TYPE ... ADD VALUE cannot run in a transaction either.
  EXPECT_TRUE(plan("ALTER TYPE e ADD VALUE 'x';", 11).statements.at(0).outside_transaction);
}

TEST(Script, ReconcileTargetsAreQuotedAndQualified) {
  MigrationScript script = plan(
      "CREATE INDEX CONCURRENTLY \"Odd\"\"Name\" ON app.users (email);\nDROP INDEX CONCURRENTLY "
      "app.old_idx;\n"
      "REINDEX INDEX CONCURRENTLY app.users_email;\nALTER TABLE app.events DETACH PARTITION app.events_2020 "
      "CONCURRENTLY;");
  ASSERT_EQ(script.statements.size(), 4U);
  EXPECT_EQ(script.statements[0].reconcile->index, "\"app\".\"Odd\"\"Name\"");
  EXPECT_EQ(script.statements[1].reconcile->kind, Reconcile::Kind::DropIndex);
  EXPECT_EQ(script.statements[1].reconcile->index, "\"app\".\"old_idx\"");
  EXPECT_EQ(script.statements[2].reconcile->kind, Reconcile::Kind::ReindexIndex);
  EXPECT_EQ(script.statements[3].reconcile->kind, Reconcile::Kind::DetachPartition);
  EXPECT_EQ(script.statements[3].reconcile->table, "\"app\".\"events\"");
  EXPECT_EQ(script.statements[3].reconcile->partition, "\"app\".\"events_2020\"");
}

// A statement only PostgreSQL 18 or 19 parses is planned through its PostgreSQL 17 stand-in, as
// `lint` checks it, and sent as written: `miglint run` no longer refuses a file that `lint` accepts.
TEST(Script, NewerSyntaxIsPlannedThroughItsStandInAndSentAsWritten) {
  const std::string text =
      "ALTER TABLE users ADD CONSTRAINT users_email_nn NOT NULL email;\n"
      "CREATE TABLE t (a int, b int GENERATED ALWAYS AS (a * 2) VIRTUAL);\n"
      "REPACK (CONCURRENTLY) users;\n"
      "ALTER TABLE events MERGE PARTITIONS (events_2024_01, events_2024_02) INTO events_2024_q1;\n";
  SourceFile source("m.sql", text);
  Expected<MigrationScript> script = plan_script(source, 19);
  ASSERT_TRUE(script) << script.error().message;
  ASSERT_EQ(script->statements.size(), 4U);
  auto sent = [&](std::size_t i) {
    const ByteSpan& span = script->statements[i].span;
    return text.substr(span.begin, span.end - span.begin);
  };
  EXPECT_EQ(sent(0), "ALTER TABLE users ADD CONSTRAINT users_email_nn NOT NULL email");
  EXPECT_EQ(sent(1), "CREATE TABLE t (a int, b int GENERATED ALWAYS AS (a * 2) VIRTUAL)");
  EXPECT_EQ(sent(2), "REPACK (CONCURRENTLY) users");
  EXPECT_EQ(sent(3),
            "ALTER TABLE events MERGE PARTITIONS (events_2024_01, events_2024_02) INTO events_2024_q1");
  EXPECT_EQ(statement_label(text, script->statements[2]), "REPACK (CONCURRENTLY) users");
  // REPACK (CONCURRENTLY) runs outside a transaction, as the VACUUM that stands in for it.
  EXPECT_TRUE(script->statements[2].outside_transaction);
  EXPECT_FALSE(script->statements[0].outside_transaction);
  // A server older than the construct: refused before anything runs, with the position and versions.
  Expected<MigrationScript> too_old = plan_script(source, 17);
  ASSERT_FALSE(too_old);
  EXPECT_EQ(too_old.error().message,
            "m.sql:1:49: a named NOT NULL constraint (PostgreSQL 18+) needs PostgreSQL 18, and the server is "
            "PostgreSQL 17");
  EXPECT_FALSE(plan_script(source, 18)) << "REPACK needs 19";
  // What no grammar reads is still refused, with its position.
  SourceFile broken("m.sql", "ALTER TABLE users ADD CONSTRAINT n NOT NULL email;\nALTER TABLEE a;");
  Expected<MigrationScript> refused = plan_script(broken, 19);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("m.sql:2:"), std::string::npos) << refused.error().message;
}

// The runner's split refuses what the linter refuses, with the position: a run of operator
// characters that PostgreSQL's lexer would read for hours (analyzer/sql/lexer_cost.hpp).
TEST(Script, ARunTheLexerWouldReadForHoursIsAnErrorWithItsPosition) {
  std::string text = "CREATE TABLE a (id int);\nSELECT 1 ";
  for (int i = 0; i < 200'000; ++i) {
    text += "/*";
  }
  SourceFile source("m.sql", text);
  Expected<MigrationScript> script = plan_script(source, 15);
  ASSERT_FALSE(script);
  EXPECT_EQ(
      script.error().message.rfind(
          "m.sql:2:10: cannot split this migration into statements: a run of 400000 operator characters here",
          0),
      0U)
      << script.error().message;
}

TEST(Script, ProblemsAreErrorsWithPositions) {
  SourceFile broken("m.sql", "CREATE TABLE a (id int);\nALTER TABLEE a;");
  Expected<MigrationScript> script = plan_script(broken, 15);
  ASSERT_FALSE(script);
  EXPECT_NE(script.error().message.find("m.sql:2:"), std::string::npos) << script.error().message;

  SourceFile unclosed("m.sql", "BEGIN;\nCREATE TABLE a (id int);");
  script = plan_script(unclosed, 15);
  ASSERT_FALSE(script);
  EXPECT_NE(script.error().message.find("never committed"), std::string::npos) << script.error().message;

  SourceFile inside("m.sql", "BEGIN;\nCREATE INDEX CONCURRENTLY i ON a (id);\nCOMMIT;");
  script = plan_script(inside, 15);
  ASSERT_FALSE(script);
  EXPECT_NE(script.error().message.find("m.sql:2:1"), std::string::npos) << script.error().message;
}

// ------------------------------------------------------------------------------------------------
// Approvals

TEST(Approvals, RoundTripWithEscapesAndReplacement) {
  TempDir dir;
  std::string path = (dir.path() / kApprovalsFileName).string();
  std::vector<Approval> approvals;
  add_approval(approvals,
               Approval{"0002_b.sql", std::string(64, 'a'), "ban-drop-column",
                        "quote \" backslash \\ newline \n tab \t end", "Ann O'Neil", "2026-11-27", ""});
  add_approval(approvals,
               Approval{"0001_a.sql", std::string(64, 'b'), "renaming-column", "old", "x", "2026-11-01", ""});
  add_approval(approvals,
               Approval{"0001_a.sql", std::string(64, 'c'), "renaming-column", "new", "y", "2026-11-02", ""});
  ASSERT_TRUE(save_approvals(path, approvals));
  Expected<std::vector<Approval>> loaded = load_approvals(path);
  ASSERT_TRUE(loaded) << loaded.error().message;
  ASSERT_EQ(loaded->size(), 2U);
  EXPECT_EQ((*loaded)[0].file, "0001_a.sql");  // sorted by file
  EXPECT_EQ((*loaded)[0].reason, "new");       // the same file and rule: replaced
  EXPECT_EQ((*loaded)[1].reason, "quote \" backslash \\ newline \n tab \t end");
  EXPECT_TRUE(is_approved(*loaded, "0002_b.sql", std::string(64, 'a'), "ban-drop-column"));
  EXPECT_FALSE(is_approved(*loaded, "0002_b.sql", std::string(64, 'd'), "ban-drop-column"));  // edited file
  EXPECT_FALSE(is_approved(*loaded, "0002_b.sql", std::string(64, 'a'), "ban-drop-table"));
  EXPECT_FALSE(fs::exists(path + "." + std::to_string(::getpid()) + ".tmp"));
}

TEST(Approvals, MissingFileIsNoApprovalsAndMistakesAreLocated) {
  TempDir dir;
  Expected<std::vector<Approval>> none = load_approvals((dir.path() / "absent.toml").string());
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());
  fs::path bad = dir.write(
      "a.toml",
      "[[approval]]\nfile = \"x.sql\"\nsha256 = \"ab\"\nrule = \"r\"\nreason = \"y\"\nwho = \"z\"\n");
  Expected<std::vector<Approval>> loaded = load_approvals(bad.string());
  ASSERT_FALSE(loaded);
  EXPECT_NE(loaded.error().message.find("a.toml:6:"), std::string::npos) << loaded.error().message;
  fs::path no_reason = dir.write("b.toml", "[[approval]]\nfile = \"x.sql\"\nsha256 = \"ab\"\nrule = \"r\"\n");
  EXPECT_FALSE(load_approvals(no_reason.string()));
}

// ------------------------------------------------------------------------------------------------
// Connection strings: the password never reaches a message.

TEST(DatabaseUrl, PasswordsAreMasked) {
  EXPECT_EQ(mask_database_url("postgresql://app:s3cret@db.example.com:5432/app?sslmode=require"),
            "postgresql://app:***@db.example.com:5432/app?sslmode=require");
  EXPECT_EQ(mask_database_url("postgres://app@db/app?password=s3cret&sslmode=disable"),
            "postgres://app@db/app?password=***&sslmode=disable");
  EXPECT_EQ(mask_database_url("host=db user=app password=s3cret dbname=app"),
            "host=db user=app password=*** dbname=app");
  EXPECT_EQ(mask_database_url("host=db password = 'it\\'s a \\\\ secret' dbname=app"),
            "host=db password=*** dbname=app");
  EXPECT_EQ(mask_database_url("postgresql:///app"), "postgresql:///app");
}

TEST(DatabaseUrl, RedactorScrubsThePasswordAnywhere) {
  Redactor redact("postgresql://app:Tr0ub4dor@db/app");
  EXPECT_EQ(redact("error near Tr0ub4dor, again Tr0ub4dor"), "error near ***, again ***");
  EXPECT_EQ(redact.masked_url(), "postgresql://app:***@db/app");
  Redactor keywords("host=db password=hunter22");
  EXPECT_EQ(keywords("password hunter22 leaked"), "password *** leaked");
}

// ------------------------------------------------------------------------------------------------
// Durations and the [run] table

TEST(Duration, UnitsAndNone) {
  EXPECT_EQ(parse_duration("2s"), milliseconds(2000));
  EXPECT_EQ(parse_duration("500ms"), milliseconds(500));
  EXPECT_EQ(parse_duration("1.5s"), milliseconds(1500));
  EXPECT_EQ(parse_duration("2min"), milliseconds(120000));
  EXPECT_EQ(parse_duration("1h"), milliseconds(3600000));
  EXPECT_EQ(parse_duration("250"), milliseconds(250));
  EXPECT_EQ(parse_duration("none"), milliseconds(0));
  EXPECT_EQ(parse_duration("0"), milliseconds(0));
  EXPECT_FALSE(parse_duration("2 weeks"));
  EXPECT_FALSE(parse_duration("s"));
  EXPECT_FALSE(parse_duration("-1s"));
  EXPECT_FALSE(parse_duration("1000h"));  // more than PostgreSQL's int milliseconds
  EXPECT_EQ(postgres_duration(milliseconds(1500)), "1500ms");
  EXPECT_EQ(postgres_duration(milliseconds(0)), "0");
}

std::set<std::string> rule_ids() {
  std::set<std::string> ids;
  for (const Rule& rule : all_rules()) {
    ids.emplace(rule.id);
  }
  return ids;
}

TEST(RunConfig, KeysAreReadAndCheckedWithPositions) {
  TempDir dir;
  fs::path good =
      dir.write("miglint.toml",
                "[run]\nmigrations = \"db/migrations\"\nlock_timeout = \"500ms\"\nstatement_timeout = "
                "\"1min\"\nconcurrent_statement_timeout = \"none\"\nretries = 3\nlock_wait = \"10s\"\n"
                "schema = \"ops\"\ndatabase_url = \"postgresql:///app\"\n");
  Expected<Config> config =
      load_config(good.string(), rule_ids(), std::vector<ConfigTable>{run_config_table()});
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(run_settings_of(*config).migrations, "db/migrations");
  EXPECT_EQ(run_settings_of(*config).lock_timeout, milliseconds(500));
  EXPECT_EQ(run_settings_of(*config).statement_timeout, milliseconds(60000));
  EXPECT_EQ(run_settings_of(*config).concurrent_statement_timeout, milliseconds(0));
  EXPECT_EQ(run_settings_of(*config).retries, 3);
  EXPECT_EQ(run_settings_of(*config).lock_wait, milliseconds(10000));
  EXPECT_EQ(run_settings_of(*config).schema, "ops");

  fs::path typo = dir.write("typo.toml", "[run]\nlock_timout = \"2s\"\n");
  config = load_config(typo.string(), rule_ids(), std::vector<ConfigTable>{run_config_table()});
  ASSERT_FALSE(config);
  EXPECT_NE(config.error().message.find("typo.toml:2:1: unknown key `run.lock_timout`"), std::string::npos)
      << config.error().message;
  fs::path bad = dir.write("bad.toml", "[run]\nlock_timeout = \"2 weeks\"\n");
  config = load_config(bad.string(), rule_ids(), std::vector<ConfigTable>{run_config_table()});
  ASSERT_FALSE(config);
  EXPECT_NE(config.error().message.find("bad.toml:2:"), std::string::npos) << config.error().message;
}

// Issue 21: what reconciling an interrupted statement needs to know, and what the runner never wraps.
TEST(Script, ReindexTableUnnamedBuildsAndTransactionControlAreKnown) {
  MigrationScript script = plan(
      "-- miglint-no-transaction\nREINDEX TABLE CONCURRENTLY app.tags;\nCREATE INDEX CONCURRENTLY ON t (v);\n"
      "CALL refresh();\nSAVEPOINT s;\nUPDATE t SET v = 1;\n");
  ASSERT_EQ(script.statements.size(), 5U);
  EXPECT_EQ(script.statements[0].reconcile->kind, Reconcile::Kind::ReindexTable);
  EXPECT_EQ(script.statements[0].reconcile->table, "\"app\".\"tags\"");
  EXPECT_EQ(script.statements[1].reconcile->kind, Reconcile::Kind::UnnamedIndexBuild);
  EXPECT_EQ(script.statements[1].reconcile->table, "\"t\"");
  EXPECT_TRUE(script.statements[2].controls_transaction);
  EXPECT_TRUE(script.statements[3].controls_transaction);
  EXPECT_FALSE(script.statements[4].controls_transaction);
  EXPECT_FALSE(script.statements[4].outside_transaction);

  // Before PostgreSQL 12 ADD VALUE runs outside a transaction: reconciled by its type and label.
  MigrationScript enum_script = plan("ALTER TYPE app.\"Mood\" ADD VALUE 'calm' AFTER 'sad';", 11);
  ASSERT_EQ(enum_script.statements.size(), 1U);
  EXPECT_TRUE(enum_script.statements[0].outside_transaction);
  EXPECT_EQ(enum_script.statements[0].reconcile->kind, Reconcile::Kind::AddEnumValue);
  EXPECT_EQ(enum_script.statements[0].reconcile->type, "\"app\".\"Mood\"");
  EXPECT_EQ(enum_script.statements[0].reconcile->label, "calm");
}

}  // namespace
