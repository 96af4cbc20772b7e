// Adopting a database another tool migrated (`miglint baseline`, `baseline --from TOOL`) and repairing
// checksums (`miglint repair`), against a real PostgreSQL (issue 14). Each tool's migrations are laid
// out as the tool lays them out; the first ones are applied directly and the tool's history table is
// created and filled as the tool does it; then miglint takes over and applies only the rest.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "tests/runner_pg_support.hpp"

using namespace miglint::pgtest;
using namespace miglint::runner_pg;
namespace fs = std::filesystem;

namespace {

class AdoptAgainstServer : public RunnerAgainstServer {
 protected:
  // The migrations' SQL, applied directly (as the other tool did).
  void apply_directly(const std::string& sql) {
    auto db = session();
    ASSERT_EQ(db->exec(sql), "") << sql;
  }
  fs::path write(const std::string& relative, const std::string& text) {
    fs::path file = migrations_ / relative;
    fs::create_directories(file.parent_path());
    std::ofstream(file, std::ios::binary) << text;
    return file;
  }
  // version, checksum, applied_by, statements_applied, statements_total, success
  std::vector<std::vector<std::string>> rows() {
    auto db = session();
    if (value(std::string("SELECT to_regclass('") + kHistory + "') IS NOT NULL") != "t") {
      return {};
    }
    return db->rows(std::string("SELECT version, checksum_sha256, applied_by, statements_applied, "
                                "statements_total, success FROM ") +
                    kHistory + " ORDER BY version");
  }
  std::vector<std::string> versions() {
    std::vector<std::string> found;
    for (const auto& row : rows()) {
      found.push_back(row[0]);
    }
    return found;
  }
  // `miglint run` applies the rest without meeting what the other tool made.
  void run_applies_only_the_rest(std::size_t expected_total) {
    Miglint::Result applied = run();
    EXPECT_EQ(applied.exit, 0) << applied;
    EXPECT_EQ(applied.err.find("already exists"), std::string::npos) << applied;
    EXPECT_EQ(applied.out.find("already exists"), std::string::npos) << applied;
    EXPECT_EQ(rows().size(), expected_total) << applied;
    Miglint::Result status = miglint(args("status"));
    EXPECT_EQ(status.exit, 0) << status;
    EXPECT_EQ(status.out.find("pending"), std::string::npos) << status;
  }
  void expect_recorded(const std::vector<std::string>& expected_versions, const std::string& applied_by,
                       const std::vector<fs::path>& files, const std::vector<std::string>& statements) {
    auto found = rows();
    ASSERT_EQ(found.size(), expected_versions.size());
    for (std::size_t i = 0; i < found.size(); ++i) {
      EXPECT_EQ(found[i][0], expected_versions[i]);
      EXPECT_EQ(found[i][1], sha256_of(files[i])) << found[i][0];
      EXPECT_EQ(found[i][2], applied_by) << found[i][0];
      EXPECT_EQ(found[i][3], statements[i]) << found[i][0];
      EXPECT_EQ(found[i][4], statements[i]) << found[i][0];
      EXPECT_EQ(found[i][5], "t") << found[i][0];
    }
  }
  void git(const std::string& arguments) {
    std::string command = "cd '" + work_->path().string() +
                          "' && git -c user.email=t@example.com -c user.name=test " + arguments +
                          " >/dev/null 2>&1";
    ASSERT_EQ(std::system(command.c_str()), 0) << command;
  }
};

// ---------------------------------------------------------------------------------------------
// golang-migrate: NNNN_name.up.sql / .down.sql; schema_migrations(version bigint, dirty boolean), one row.

constexpr const char* kGolangMigrateTable =
    "CREATE TABLE IF NOT EXISTS schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT "
    "NULL)";

TEST_F(AdoptAgainstServer, GolangMigrateHistoryIsImportedAndRunAppliesOnlyTheRest) {
  fs::path one = write("0001_create_users.up.sql", "CREATE TABLE users (id bigint PRIMARY KEY);\n");
  write("0001_create_users.down.sql", "DROP TABLE users;\n");
  fs::path two = write("0002_add_email.up.sql",
                       "ALTER TABLE users ADD COLUMN email text;\nALTER TABLE users ADD COLUMN name text;\n");
  write("0002_add_email.down.sql", "ALTER TABLE users DROP COLUMN email;\n");
  write("0003_create_orders.up.sql", "CREATE TABLE orders (id bigint PRIMARY KEY);\n");
  write("0003_create_orders.down.sql", "DROP TABLE orders;\n");
  apply_directly("CREATE TABLE users (id bigint PRIMARY KEY)");
  apply_directly("ALTER TABLE users ADD COLUMN email text");
  apply_directly("ALTER TABLE users ADD COLUMN name text");
  apply_directly(kGolangMigrateTable);
  apply_directly("INSERT INTO schema_migrations (version, dirty) VALUES (2, false)");

  // Without baseline, run would apply 0001 again.
  Miglint::Result plan = miglint(args("plan"));
  EXPECT_NE(plan.out.find("0001"), std::string::npos) << plan;

  Miglint::Result baseline = miglint(args("baseline", {"--from", "golang-migrate"}));
  ASSERT_EQ(baseline.exit, 0) << baseline;
  EXPECT_NE(baseline.out.find("recorded 2 migrations as applied"), std::string::npos) << baseline;
  EXPECT_NE(baseline.out.find("golang-migrate's schema_migrations"), std::string::npos) << baseline;
  EXPECT_NE(baseline.out.find("0003"), std::string::npos) << baseline;  // listed as pending
  expect_recorded({"0001", "0002"}, "miglint baseline --from golang-migrate", {one, two}, {"1", "2"});
  run_applies_only_the_rest(3);
  EXPECT_TRUE(has_relation("orders"));
}

TEST_F(AdoptAgainstServer, GolangMigrateDirtyVersionIsRefused) {
  write("0001_create_users.up.sql", "CREATE TABLE users (id bigint PRIMARY KEY);\n");
  write("0002_add_email.up.sql", "ALTER TABLE users ADD COLUMN email text;\n");
  apply_directly("CREATE TABLE users (id bigint PRIMARY KEY)");
  apply_directly(kGolangMigrateTable);
  apply_directly("INSERT INTO schema_migrations (version, dirty) VALUES (2, true)");
  Miglint::Result baseline = miglint(args("baseline", {"--from", "golang-migrate"}));
  EXPECT_EQ(baseline.exit, 1) << baseline;
  EXPECT_NE(
      baseline.err.find("golang-migrate left version 2 dirty (a failed migration): fix it with `migrate "
                        "force` first"),
      std::string::npos)
      << baseline;
  EXPECT_TRUE(rows().empty());
}

TEST_F(AdoptAgainstServer, VersionsNoFileHasAreRefusedUnlessForced) {
  fs::path one = write("0001_create_users.up.sql", "CREATE TABLE users (id bigint PRIMARY KEY);\n");
  apply_directly("CREATE TABLE users (id bigint PRIMARY KEY)");
  apply_directly(kGolangMigrateTable);
  apply_directly("INSERT INTO schema_migrations (version, dirty) VALUES (5, false)");
  Miglint::Result refused = miglint(args("baseline", {"--from", "golang-migrate"}));
  EXPECT_EQ(refused.exit, 1) << refused;
  EXPECT_NE(refused.err.find("no file in"), std::string::npos) << refused;
  EXPECT_NE(refused.err.find(": 5 (restore the files, or --force to skip them)"), std::string::npos)
      << refused;
  EXPECT_TRUE(rows().empty());
  Miglint::Result forced = miglint(args("baseline", {"--from", "golang-migrate", "--force"}));
  ASSERT_EQ(forced.exit, 0) << forced;
  EXPECT_NE(forced.out.find("skipped (--force), no file has them: 5"), std::string::npos) << forced;
  expect_recorded({"0001"}, "miglint baseline --from golang-migrate", {one}, {"1"});
}

TEST_F(AdoptAgainstServer, SchemaMigrationsOfTheOtherToolIsRefusedByItsColumns) {
  write("20240115100000_create_users.sql", "-- migrate:up\nCREATE TABLE users (id int);\n-- migrate:down\n");
  apply_directly("CREATE TABLE IF NOT EXISTS schema_migrations (version varchar(128) PRIMARY KEY)");
  apply_directly("INSERT INTO schema_migrations (version) VALUES ('20240115100000')");
  Miglint::Result as_golang = miglint(args("baseline", {"--from", "golang-migrate"}));
  EXPECT_EQ(as_golang.exit, 1) << as_golang;
  EXPECT_NE(
      as_golang.err.find("has no `dirty` column: it is not golang-migrate's history table (a table with "
                         "`version` alone is dbmate's: use --from dbmate)"),
      std::string::npos)
      << as_golang;
  apply_directly("DROP TABLE schema_migrations");
  apply_directly(kGolangMigrateTable);
  apply_directly("INSERT INTO schema_migrations (version, dirty) VALUES (20240115100000, false)");
  Miglint::Result as_dbmate = miglint(args("baseline", {"--from", "dbmate"}));
  EXPECT_EQ(as_dbmate.exit, 1) << as_dbmate;
  EXPECT_NE(as_dbmate.err.find("has a `dirty` column: it is golang-migrate's history, not dbmate's"),
            std::string::npos)
      << as_dbmate;
  EXPECT_TRUE(rows().empty());
  Miglint::Result no_table = miglint(args("baseline", {"--from", "diesel"}));
  EXPECT_EQ(no_table.exit, 1) << no_table;
  EXPECT_NE(no_table.err.find("no table __diesel_schema_migrations in the database"), std::string::npos)
      << no_table;
}

// ---------------------------------------------------------------------------------------------
// Flyway: V1__name.sql; flyway_schema_history as Flyway creates it on PostgreSQL.

constexpr const char* kFlywayTable = R"(CREATE TABLE "public"."flyway_schema_history" (
    "installed_rank" INT NOT NULL,
    "version" VARCHAR(50),
    "description" VARCHAR(200) NOT NULL,
    "type" VARCHAR(20) NOT NULL,
    "script" VARCHAR(1000) NOT NULL,
    "checksum" INTEGER,
    "installed_by" VARCHAR(100) NOT NULL,
    "installed_on" TIMESTAMP NOT NULL DEFAULT now(),
    "execution_time" INTEGER NOT NULL,
    "success" BOOLEAN NOT NULL
))";

void create_flyway_table(const std::function<void(const std::string&)>& exec) {
  exec(kFlywayTable);
  exec(
      R"(ALTER TABLE "public"."flyway_schema_history" ADD CONSTRAINT "flyway_schema_history_pk" PRIMARY KEY ("installed_rank"))");
  exec(R"(CREATE INDEX "flyway_schema_history_s_idx" ON "public"."flyway_schema_history" ("success"))");
}

TEST_F(AdoptAgainstServer, FlywayHistoryIsImportedWithItsTimesAndRunAppliesOnlyTheRest) {
  fs::path one = write("V1__create_users.sql", "CREATE TABLE users (id bigint PRIMARY KEY);\n");
  fs::path two = write("V1_1__add_email.sql", "ALTER TABLE users ADD COLUMN email text;\n");
  write("V2__create_orders.sql", "CREATE TABLE orders (id bigint PRIMARY KEY);\n");
  apply_directly("CREATE TABLE users (id bigint PRIMARY KEY)");
  apply_directly("ALTER TABLE users ADD COLUMN email text");
  create_flyway_table([&](const std::string& sql) { apply_directly(sql); });
  // Flyway writes V1_1 as version 1.1; a repeatable migration has no version.
  apply_directly(
      "INSERT INTO flyway_schema_history VALUES "
      "(1, '1', 'create users', 'SQL', 'V1__create_users.sql', 1234567, 'postgres', '2024-01-15 10:00:00', "
      "42, "
      "true), "
      "(2, '1.1', 'add email', 'SQL', 'V1_1__add_email.sql', -7654321, 'postgres', '2024-01-16 10:00:00', 7, "
      "true), "
      "(3, NULL, 'views', 'SQL', 'R__views.sql', 99, 'postgres', '2024-01-16 10:00:01', 3, true)");
  Miglint::Result baseline = miglint(args("baseline", {"--from", "flyway"}));
  ASSERT_EQ(baseline.exit, 0) << baseline;
  EXPECT_NE(baseline.out.find("recorded 2 migrations as applied"), std::string::npos) << baseline;
  EXPECT_NE(baseline.out.find("1 repeatable migration row (R__, no version) not imported"), std::string::npos)
      << baseline;
  EXPECT_NE(baseline.out.find("Flyway's checksums are not compared"), std::string::npos) << baseline;
  expect_recorded({"1", "1_1"}, "miglint baseline --from flyway", {one, two}, {"1", "1"});
  EXPECT_EQ(
      value(
          "SELECT to_char(applied_at AT TIME ZONE current_setting('TimeZone'), 'YYYY-MM-DD HH24:MI') || ' ' "
          "|| duration_ms FROM miglint_schema_migrations WHERE version = '1'"),
      "2024-01-15 10:00 42");
  run_applies_only_the_rest(3);
  EXPECT_TRUE(has_relation("orders"));
}

TEST_F(AdoptAgainstServer, FlywayBaselineRowCoversEveryVersionUpToIt) {
  fs::path one = write("V1__create_users.sql", "CREATE TABLE users (id bigint PRIMARY KEY);\n");
  fs::path two = write("V2__add_email.sql", "ALTER TABLE users ADD COLUMN email text;\n");
  fs::path three = write("V3__add_name.sql", "ALTER TABLE users ADD COLUMN name text;\n");
  write("V4__create_orders.sql", "CREATE TABLE orders (id bigint PRIMARY KEY);\n");
  apply_directly("CREATE TABLE users (id bigint PRIMARY KEY, email text)");
  apply_directly("ALTER TABLE users ADD COLUMN name text");
  create_flyway_table([&](const std::string& sql) { apply_directly(sql); });
  // `flyway baseline -baselineVersion=2` on an existing schema, then V3 applied by Flyway.
  apply_directly(
      "INSERT INTO flyway_schema_history VALUES "
      "(1, '2', '<< Flyway Baseline >>', 'BASELINE', '<< Flyway Baseline >>', NULL, 'postgres', now(), 0, "
      "true), "
      "(2, '3', 'add name', 'SQL', 'V3__add_name.sql', 5, 'postgres', now(), 4, true)");
  Miglint::Result baseline = miglint(args("baseline", {"--from", "flyway"}));
  ASSERT_EQ(baseline.exit, 0) << baseline;
  expect_recorded({"1", "2", "3"}, "miglint baseline --from flyway", {one, two, three}, {"1", "1", "1"});
  run_applies_only_the_rest(4);
}

TEST_F(AdoptAgainstServer, FlywayFailedEntryIsRefused) {
  write("V1__create_users.sql", "CREATE TABLE users (id bigint PRIMARY KEY);\n");
  write("V2__add_email.sql", "ALTER TABLE users ADD COLUMN email text;\n");
  create_flyway_table([&](const std::string& sql) { apply_directly(sql); });
  apply_directly(
      "INSERT INTO flyway_schema_history VALUES "
      "(1, '1', 'create users', 'SQL', 'V1__create_users.sql', 1, 'postgres', now(), 4, true), "
      "(2, '2', 'add email', 'SQL', 'V2__add_email.sql', 2, 'postgres', now(), 4, false)");
  Miglint::Result baseline = miglint(args("baseline", {"--from", "flyway"}));
  EXPECT_EQ(baseline.exit, 1) << baseline;
  EXPECT_NE(baseline.err.find("Flyway recorded version 2 (V2__add_email.sql) as failed"), std::string::npos)
      << baseline;
  EXPECT_TRUE(rows().empty());
}

TEST_F(AdoptAgainstServer, FlywayUndoneAndDeletedVersionsStayPending) {
  fs::path one = write("V1__create_users.sql", "CREATE TABLE users (id bigint PRIMARY KEY);\n");
  write("V2__add_email.sql", "ALTER TABLE users ADD COLUMN email text;\n");
  write("V3__create_orders.sql", "CREATE TABLE orders (id bigint PRIMARY KEY);\n");
  apply_directly("CREATE TABLE users (id bigint PRIMARY KEY)");
  create_flyway_table([&](const std::string& sql) { apply_directly(sql); });
  // V2 applied then undone (Flyway Teams' U2__), V3 applied then marked deleted by `flyway repair`.
  apply_directly(
      "INSERT INTO flyway_schema_history VALUES "
      "(1, '1', 'create users', 'SQL', 'V1__create_users.sql', 1, 'postgres', now(), 4, true), "
      "(2, '2', 'add email', 'SQL', 'V2__add_email.sql', 2, 'postgres', now(), 4, true), "
      "(3, '2', 'add email', 'UNDO_SQL', 'U2__add_email.sql', 3, 'postgres', now(), 4, true), "
      "(4, '3', 'create orders', 'SQL', 'V3__create_orders.sql', 4, 'postgres', now(), 4, true), "
      "(5, '3', 'create orders', 'DELETE', 'V3__create_orders.sql', 4, 'postgres', now(), 0, true)");
  Miglint::Result baseline = miglint(args("baseline", {"--from", "flyway"}));
  ASSERT_EQ(baseline.exit, 0) << baseline;
  expect_recorded({"1"}, "miglint baseline --from flyway", {one}, {"1"});
  EXPECT_NE(baseline.out.find("pending: `miglint run` applies 2 migrations"), std::string::npos) << baseline;
  run_applies_only_the_rest(3);
}

// ---------------------------------------------------------------------------------------------
// diesel: <yyyy-mm-dd-hhmmss>_name/up.sql and down.sql; __diesel_schema_migrations(version, run_on).

TEST_F(AdoptAgainstServer, DieselHistoryIsImportedAndAVersionItSkippedStaysPendingOutOfOrder) {
  fs::path one =
      write("2024-01-15-100000_create_users/up.sql", "CREATE TABLE users (id bigint PRIMARY KEY);\n");
  write("2024-01-15-100000_create_users/down.sql", "DROP TABLE users;\n");
  write("2024-01-16-100000_create_tags/up.sql", "CREATE TABLE tags (id bigint PRIMARY KEY);\n");
  write("2024-01-16-100000_create_tags/down.sql", "DROP TABLE tags;\n");
  fs::path three = write("2024-01-17-100000_add_email/up.sql", "ALTER TABLE users ADD COLUMN email text;\n");
  write("2024-01-17-100000_add_email/down.sql", "ALTER TABLE users DROP COLUMN email;\n");
  write("2024-01-18-100000_create_orders/up.sql", "CREATE TABLE orders (id bigint PRIMARY KEY);\n");
  write("2024-01-18-100000_create_orders/down.sql", "DROP TABLE orders;\n");
  apply_directly("CREATE TABLE users (id bigint PRIMARY KEY)");
  apply_directly("ALTER TABLE users ADD COLUMN email text");
  apply_directly(
      "CREATE TABLE IF NOT EXISTS __diesel_schema_migrations (version VARCHAR(50) PRIMARY KEY NOT NULL, "
      "run_on "
      "TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP)");
  // diesel stores the directory's version as digits; the 16th's migration came from a late branch.
  apply_directly(
      "INSERT INTO __diesel_schema_migrations (version, run_on) VALUES ('20240115100000', '2024-01-15 "
      "11:00:00'), ('20240117100000', '2024-01-17 11:00:00')");
  Miglint::Result baseline = miglint(args("baseline", {"--from", "diesel"}));
  ASSERT_EQ(baseline.exit, 0) << baseline;
  EXPECT_NE(baseline.out.find("2024-01-16-100000 create_tags"), std::string::npos) << baseline;
  EXPECT_NE(baseline.out.find("out of order"), std::string::npos) << baseline;
  expect_recorded({"2024-01-15-100000", "2024-01-17-100000"}, "miglint baseline --from diesel", {one, three},
                  {"1", "1"});
  Miglint::Result status = miglint(args("status"));
  EXPECT_NE(status.out.find("out of order"), std::string::npos) << status;
  run_applies_only_the_rest(4);
  EXPECT_TRUE(has_relation("tags"));
  EXPECT_TRUE(has_relation("orders"));
}

// ---------------------------------------------------------------------------------------------
// dbmate: <timestamp>_name.sql with -- migrate:up / -- migrate:down; schema_migrations(version).

TEST_F(AdoptAgainstServer, DbmateHistoryIsImportedAndRunAppliesOnlyTheRest) {
  fs::path one =
      write("20240115100000_create_users.sql",
            "-- migrate:up\nCREATE TABLE users (id bigint PRIMARY KEY);\n\n-- migrate:down\nDROP TABLE "
            "users;\n");
  fs::path two =
      write("20240116100000_add_email.sql",
            "-- migrate:up\nALTER TABLE users ADD COLUMN email text;\nALTER TABLE users ADD COLUMN "
            "name text;\n\n-- migrate:down\nALTER TABLE users DROP COLUMN email;\n");
  write(
      "20240117100000_create_orders.sql",
      "-- migrate:up\nCREATE TABLE orders (id bigint PRIMARY KEY);\n\n-- migrate:down\nDROP TABLE orders;\n");
  apply_directly("CREATE TABLE users (id bigint PRIMARY KEY)");
  apply_directly("ALTER TABLE users ADD COLUMN email text");
  apply_directly("ALTER TABLE users ADD COLUMN name text");
  apply_directly("CREATE TABLE IF NOT EXISTS schema_migrations (version varchar(128) PRIMARY KEY)");
  apply_directly("INSERT INTO schema_migrations (version) VALUES ('20240115100000'), ('20240116100000')");
  Miglint::Result baseline = miglint(args("baseline", {"--from", "dbmate"}));
  ASSERT_EQ(baseline.exit, 0) << baseline;
  // The up sections' statements only.
  expect_recorded({"20240115100000", "20240116100000"}, "miglint baseline --from dbmate", {one, two},
                  {"1", "2"});
  run_applies_only_the_rest(3);
  EXPECT_TRUE(has_relation("orders"));
}

// ---------------------------------------------------------------------------------------------
// baseline --version V.

TEST_F(AdoptAgainstServer, BaselineVersionRecordsItAndEverythingBeforeOnAnEmptyHistory) {
  fs::path one = write("001_create_users.sql", "CREATE TABLE users (id bigint PRIMARY KEY);\n");
  fs::path two = write("002_add_email.sql", "ALTER TABLE users ADD COLUMN email text;\n");
  write("003_create_orders.sql", "CREATE TABLE orders (id bigint PRIMARY KEY);\n");
  apply_directly("CREATE TABLE users (id bigint PRIMARY KEY, email text)");

  Miglint::Result unknown = miglint(args("baseline", {"--version", "009"}));
  EXPECT_EQ(unknown.exit, 2) << unknown;
  EXPECT_NE(unknown.err.find("--version 009: no migration in"), std::string::npos) << unknown;
  Miglint::Result neither = miglint(args("baseline"));
  EXPECT_EQ(neither.exit, 2) << neither;

  Miglint::Result baseline = miglint(args("baseline", {"--version", "002"}));
  ASSERT_EQ(baseline.exit, 0) << baseline;
  EXPECT_NE(baseline.out.find("recorded 2 migrations as applied"), std::string::npos) << baseline;
  expect_recorded({"001", "002"}, "miglint baseline", {one, two}, {"1", "1"});
  run_applies_only_the_rest(3);
}

TEST_F(AdoptAgainstServer, BaselineOnAHistoryWithRowsIsRefusedThenForcedNeverOverwriting) {
  fs::path one = write("001_create_users.sql", "CREATE TABLE users (id bigint PRIMARY KEY);\n");
  ASSERT_EQ(run().exit, 0);
  std::string recorded_one = rows().at(0).at(2);  // applied_by: the role that ran it
  fs::path two = write("002_add_email.sql", "ALTER TABLE users ADD COLUMN email text;\n");
  write("003_create_orders.sql", "CREATE TABLE orders (id bigint PRIMARY KEY);\n");
  apply_directly("ALTER TABLE users ADD COLUMN email text");

  Miglint::Result refused = miglint(args("baseline", {"--version", "002"}));
  EXPECT_EQ(refused.exit, 1) << refused;
  EXPECT_NE(refused.err.find("already has 1 row"), std::string::npos) << refused;
  EXPECT_NE(refused.err.find("--force"), std::string::npos) << refused;
  EXPECT_EQ(rows().size(), 1u);

  Miglint::Result forced = miglint(args("baseline", {"--version", "002", "--force"}));
  ASSERT_EQ(forced.exit, 0) << forced;
  EXPECT_NE(forced.out.find("recorded 1 migration as applied"), std::string::npos) << forced;
  EXPECT_NE(forced.out.find("already in the history, left as recorded (1):\n  001 create_users"),
            std::string::npos)
      << forced;
  auto found = rows();
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0][2], recorded_one);  // never overwritten
  EXPECT_EQ(found[1][0], "002");
  EXPECT_EQ(found[1][1], sha256_of(two));
  EXPECT_EQ(found[1][2], "miglint baseline");
  run_applies_only_the_rest(3);
}

TEST_F(AdoptAgainstServer, BaselineWaitsForTheRunnerLock) {
  write("001_create_users.sql", "CREATE TABLE users (id bigint PRIMARY KEY);\n");
  // Another runner holds the lock: baseline waits, then gives up after --lock-wait.
  auto holder = session();
  ASSERT_EQ(
      holder->rows("SELECT pg_advisory_lock(hashtextextended('miglint:public.miglint_schema_migrations', 0))")
          .size(),
      1u);
  Miglint::Result blocked = miglint(args("baseline", {"--version", "001", "--lock-wait", "500ms"}));
  EXPECT_EQ(blocked.exit, 1) << blocked;
  EXPECT_NE(blocked.err.find("held the runner lock"), std::string::npos) << blocked;
  EXPECT_TRUE(rows().empty());
}

// ---------------------------------------------------------------------------------------------
// repair.

TEST_F(AdoptAgainstServer, RepairClassifiesEachChangeAsksForYesAndReRecords) {
  fs::path comment = write("001_comment.sql", "-- users\nCREATE TABLE users (id bigint PRIMARY KEY);\n");
  fs::path spaces = write("002_spaces.sql", "ALTER TABLE users ADD COLUMN email text;\n");
  fs::path statement = write("003_statement.sql", "CREATE TABLE orders (id bigint PRIMARY KEY);\n");
  fs::path crlf = write("004_crlf.sql", "CREATE TABLE tags (id bigint PRIMARY KEY);\n-- tags\n");
  git("init -q .");
  git("add -A");
  git("commit -qm applied");
  ASSERT_EQ(run().exit, 0);
  std::string crlf_recorded = sha256_of(crlf);
  std::string comment_recorded = sha256_of(comment);

  write("001_comment.sql",
        "-- the users of the application\n/* one row per login */\n"
        "CREATE TABLE users (id bigint PRIMARY KEY); -- keyed by id\n");
  write("002_spaces.sql", "ALTER  TABLE users\n    ADD COLUMN email text ;\n\n");
  write("003_statement.sql", "CREATE TABLE orders (id bigint PRIMARY KEY, total numeric);\n");
  write("004_crlf.sql", "CREATE TABLE tags (id bigint PRIMARY KEY);\r\n-- tags\r\n");

  Miglint::Result status = miglint(args("status"));
  EXPECT_EQ(status.exit, 1) << status;
  EXPECT_EQ(count_of(status.out, "CHANGED"), 3u) << status;
  EXPECT_EQ(status.out.find("004_crlf.sql: changed"), std::string::npos) << status;

  // stdin is not a terminal here: --yes is required.
  Miglint::Result asked = miglint(args("repair"));
  EXPECT_EQ(asked.exit, 1) << asked;
  EXPECT_NE(
      asked.err.find("re-recording 3 checksums needs a confirmation and stdin is not a terminal: run again "
                     "with --yes"),
      std::string::npos)
      << asked;
  EXPECT_NE(asked.out.find("001_comment.sql: comments or whitespace only"), std::string::npos) << asked;
  EXPECT_NE(asked.out.find("002_spaces.sql: comments or whitespace only"), std::string::npos) << asked;
  EXPECT_NE(asked.out.find("003_statement.sql: statements changed"), std::string::npos) << asked;
  EXPECT_NE(asked.out.find("- CREATE TABLE orders (id bigint PRIMARY KEY)"), std::string::npos) << asked;
  EXPECT_NE(asked.out.find("+ CREATE TABLE orders (id bigint PRIMARY KEY, total numeric)"), std::string::npos)
      << asked;
  EXPECT_EQ(asked.out.find("004_crlf"), std::string::npos) << asked;  // line endings are no change
  EXPECT_EQ(rows().at(0).at(1), comment_recorded);                    // refused: nothing re-recorded

  Miglint::Result repaired = miglint(args("repair", {"--yes"}));
  ASSERT_EQ(repaired.exit, 0) << repaired;
  EXPECT_NE(repaired.out.find("re-recorded 3 checksums"), std::string::npos) << repaired;
  auto found = rows();
  ASSERT_EQ(found.size(), 4u);
  EXPECT_EQ(found[0][1], sha256_of(comment));
  EXPECT_EQ(found[1][1], sha256_of(spaces));
  EXPECT_EQ(found[2][1], sha256_of(statement));
  EXPECT_EQ(found[3][1], crlf_recorded);  // untouched: the checksum of the bytes as applied
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_NE(found[i][2].find("checksum re-recorded by miglint repair"), std::string::npos) << found[i][2];
  }
  EXPECT_NE(found[0][2].find("comments or whitespace only"), std::string::npos) << found[0][2];
  EXPECT_NE(found[2][2].find("statements changed"), std::string::npos) << found[2][2];
  EXPECT_EQ(found[3][2].find("repair"), std::string::npos) << found[3][2];

  Miglint::Result after = miglint(args("status"));
  EXPECT_EQ(after.exit, 0) << after;
  EXPECT_EQ(count_of(after.out, "applied"), 4u) << after;
  Miglint::Result nothing = miglint(args("repair"));
  EXPECT_EQ(nothing.exit, 0) << nothing;
  EXPECT_NE(nothing.out.find("nothing to repair"), std::string::npos) << nothing;
}

TEST_F(AdoptAgainstServer, RepairWithoutGitHistorySaysItCannotTellHowAndLeavesMissingFilesAlone) {
  write("001_a.sql", "CREATE TABLE a (id int);\n");
  fs::path two = write("002_b.sql", "CREATE TABLE b (id int);\n");
  ASSERT_EQ(run().exit, 0);
  write("001_a.sql", "CREATE TABLE a (id int); -- edited\n");
  fs::remove(two);
  Miglint::Result repaired = miglint(args("repair", {"--yes"}));
  EXPECT_EQ(repaired.exit, 0) << repaired;
  EXPECT_NE(repaired.out.find("the applied contents are not in git's history: cannot tell how"),
            std::string::npos)
      << repaired;
  EXPECT_NE(repaired.out.find("version 002 (b) is in the history but no file has it"), std::string::npos)
      << repaired;
  auto found = rows();
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0][1], sha256_of(migrations_ / "001_a.sql"));
}

TEST_F(AdoptAgainstServer, RepairOnATerminalAsksAndReRecordsOnlyOnYes) {
  if (std::system("command -v script >/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "util-linux `script` (a terminal for the question) is not installed";
  }
  write("001_a.sql", "CREATE TABLE a (id int);\n");
  ASSERT_EQ(run().exit, 0);
  std::string applied = rows().at(0).at(1);
  fs::path edited = write("001_a.sql", "-- a note\nCREATE TABLE a (id int);\n");
  // miglint under a pseudo-terminal (util-linux `script`), the answer typed on it.
  auto answered = [&](const std::string& answer, std::string& shown) {
    std::string command = "cd '" + work_->path().string() + "' && printf '" + answer +
                          "\\n' | script -qec \"" + MIGLINT_BINARY + " repair migrations --db " + url() +
                          "\" /dev/null";
    FILE* pipe = popen(command.c_str(), "r");
    std::array<char, 512> buffer{};
    shown.clear();
    while (pipe != nullptr && fgets(buffer.data(), buffer.size(), pipe) != nullptr) {
      shown += buffer.data();
    }
    int status = pipe != nullptr ? pclose(pipe) : -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  };
  std::string shown;
  EXPECT_EQ(answered("n", shown), 1) << shown;
  EXPECT_NE(shown.find("re-record 1 checksum? [y/N]"), std::string::npos) << shown;
  EXPECT_NE(shown.find("nothing was re-recorded"), std::string::npos) << shown;
  EXPECT_EQ(rows().at(0).at(1), applied);
  EXPECT_EQ(answered("y", shown), 0) << shown;
  EXPECT_NE(shown.find("re-recorded 1 checksum"), std::string::npos) << shown;
  EXPECT_EQ(rows().at(0).at(1), sha256_of(edited));
}

TEST_F(AdoptAgainstServer, FromTableNamesTheOtherToolsTableInAnotherSchema) {
  fs::path one =
      write("2024-01-15-100000_create_users/up.sql", "CREATE TABLE users (id bigint PRIMARY KEY);\n");
  write("2024-01-16-100000_create_orders/up.sql", "CREATE TABLE orders (id bigint PRIMARY KEY);\n");
  apply_directly("CREATE TABLE users (id bigint PRIMARY KEY)");
  apply_directly("CREATE SCHEMA legacy");
  apply_directly(
      "CREATE TABLE legacy.__diesel_schema_migrations (version VARCHAR(50) PRIMARY KEY NOT NULL, run_on "
      "TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP)");
  apply_directly("INSERT INTO legacy.__diesel_schema_migrations (version) VALUES ('20240115100000')");
  Miglint::Result missing = miglint(args("baseline", {"--from", "diesel"}));
  EXPECT_EQ(missing.exit, 1) << missing;
  EXPECT_NE(missing.err.find("give its name with --from-table"), std::string::npos) << missing;
  Miglint::Result baseline =
      miglint(args("baseline", {"--from", "diesel", "--from-table", "legacy.__diesel_schema_migrations"}));
  ASSERT_EQ(baseline.exit, 0) << baseline;
  EXPECT_NE(baseline.out.find("diesel's legacy.__diesel_schema_migrations"), std::string::npos) << baseline;
  expect_recorded({"2024-01-15-100000"}, "miglint baseline --from diesel", {one}, {"1"});
  Miglint::Result without_from =
      miglint(args("baseline", {"--from-table", "x", "--version", "2024-01-15-100000"}));
  EXPECT_EQ(without_from.exit, 2) << without_from;
  run_applies_only_the_rest(2);
}

}  // namespace
