// `miglint rollback`, `miglint test` and `--ephemeral` against a real PostgreSQL (issue 16): reversible
// and irreversible migration sets, downs that forget an index, a constraint, a default, an enum label
// (each reported with the migration and a difference naming the object), rollback --steps/--to, a
// missing down and an unapproved destructive down refused before any change, a rollback killed between
// two statements of its down migration (shown, refused by `run`, listed by `repair`, resumed), and the
// ephemeral server removed after success, failure, SIGINT and SIGTERM.
#include <gtest/gtest.h>
#include <signal.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/runner_pg_support.hpp"

using namespace miglint::pgtest;
using namespace miglint::runner_pg;
using Json = nlohmann::json;

namespace {

// Every process whose command line mentions `text` (a server's data directory).
std::vector<std::string> processes_mentioning(const std::string& text) {
  std::vector<std::string> found;
  for (const fs::directory_entry& entry : fs::directory_iterator("/proc")) {
    std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) {
      continue;
    }
    std::string cmdline = read_all(entry.path() / "cmdline");
    std::replace(cmdline.begin(), cmdline.end(), '\0', ' ');
    if (cmdline.find(text) != std::string::npos) {
      found.push_back(name + ": " + cmdline);
    }
  }
  return found;
}

// The ephemeral server's directory, from its `started in DIR (port N)` line.
std::string ephemeral_directory(const std::string& output) {
  const std::string marker = "started in ";
  std::size_t at = output.find(marker);
  if (at == std::string::npos) {
    return {};
  }
  at += marker.size();
  return output.substr(at, output.find(' ', at) - at);
}

class DownMigrations : public RunnerAgainstServer {
 protected:
  // golang-migrate: NAME.up.sql and NAME.down.sql.
  void pair(const std::string& name, const std::string& up, const std::string& down) {
    migration(name + ".up.sql", up);
    migration(name + ".down.sql", down);
  }
  void reversible() {
    pair("0001_items", "CREATE TABLE items (id bigint PRIMARY KEY, note text);\n", "DROP TABLE items;\n");
    pair("0002_kind", "ALTER TABLE items ADD COLUMN kind text NOT NULL DEFAULT 'a';\n",
         "ALTER TABLE items DROP COLUMN kind;\n");
    // Outside a transaction both ways: the down runs unwrapped, with its intent recorded.
    pair("0003_kind_idx", "CREATE INDEX CONCURRENTLY items_kind_idx ON items (kind);\n",
         "DROP INDEX CONCURRENTLY items_kind_idx;\n");
  }
  Json test_json(const std::vector<std::string>& extra = {}) {
    std::vector<std::string> all{"--format", "json"};
    all.insert(all.end(), extra.begin(), extra.end());
    Miglint::Result result = miglint(args("test", all), milliseconds(120000));
    EXPECT_TRUE(result.exit == 0 || result.exit == 1) << result;
    try {
      return Json::parse(result.out);
    } catch (const std::exception& error) {
      ADD_FAILURE() << error.what() << "\n" << result;
      return Json::object();
    }
  }
  // The objects a test's problem names in its difference.
  static std::vector<std::string> objects(const Json& document) {
    std::vector<std::string> names;
    for (const Json& difference : document.at("problem").at("differences")) {
      names.push_back(difference.at("object"));
    }
    return names;
  }
  void approve_all(const std::string& file) {
    Miglint::Result approved = miglint({"approve", (migrations_ / file).string(), "--all-findings",
                                        "--reason", "reviewed: the way back", "--by", "tester"});
    ASSERT_EQ(approved.exit, 0) << approved;
  }
  // Starts `miglint test --ephemeral` on a migration that sleeps, interrupts it with `signal` while the
  // migration runs, and checks that the server is stopped and its directory removed.
  void interrupt_ephemeral_run(int signal) {
    pair("0001_slow", "SELECT pg_sleep(30);\n", "SELECT 1;\n");
    Miglint child(work_->path(), {"test", migrations_.string(), "--ephemeral"}, {}, ChildOutput::Pipe);
    std::string output;
    auto deadline = Clock::now() + seconds(60);
    while (ephemeral_directory(output).empty() && Clock::now() < deadline && !child.exited()) {
      output += child.read_pipe(milliseconds(200));
    }
    std::string directory = ephemeral_directory(output);
    ASSERT_FALSE(directory.empty()) << output;
    EXPECT_TRUE(fs::exists(directory));
    EXPECT_FALSE(processes_mentioning(directory).empty()) << "the server runs";
    std::this_thread::sleep_for(milliseconds(1500));  // into the migration's pg_sleep
    ::kill(child.pid(), signal);
    Miglint::Result result = child.wait(milliseconds(60000));
    EXPECT_EQ(result.exit, 1) << "signal " << signal << "\n" << output << result;
    EXPECT_FALSE(fs::exists(directory)) << output << result;
    EXPECT_TRUE(processes_mentioning(directory).empty()) << output << result;
  }
  std::vector<std::string> versions_applied() {
    std::vector<std::string> versions;
    for (const auto& row : history()) {
      versions.push_back(row[0]);
    }
    return versions;
  }
};

// ---------------------------------------------------------------------------------------------
// miglint test

TEST_F(DownMigrations, ReversibleSetPasses) {
  reversible();
  Miglint::Result result = miglint(args("test"), milliseconds(120000));
  EXPECT_EQ(result.exit, 0) << result;
  EXPECT_NE(result.out.find("apply all: 3 migrations applied"), std::string::npos) << result;
  EXPECT_NE(result.out.find("0003 kind_idx: up, down (schema restored), up"), std::string::npos) << result;
  EXPECT_NE(result.out.find("passed: 3 migrations"), std::string::npos) << result;
  // It ends with everything applied, recorded as `run` records it.
  EXPECT_EQ(versions_applied(), (std::vector<std::string>{"0001", "0002", "0003"}));
  EXPECT_TRUE(has_relation("items_kind_idx"));
}

TEST_F(DownMigrations, DownThatForgetsAnIndexIsReportedWithTheIndex) {
  pair("0001_items", "CREATE TABLE items (id bigint PRIMARY KEY, kind text);\n", "DROP TABLE items;\n");
  pair("0002_kind_idx", "CREATE INDEX items_kind_idx ON items (kind);\n", "SELECT 1;\n");
  pair("0003_note", "ALTER TABLE items ADD COLUMN note text;\n", "ALTER TABLE items DROP COLUMN note;\n");
  Json document = test_json();
  EXPECT_EQ(document.at("outcome"), "failed") << document.dump(2);
  const Json& problem = document.at("problem");
  EXPECT_EQ(problem.at("kind"), "down-does-not-restore-schema");
  EXPECT_EQ(problem.at("version"), "0002");
  EXPECT_EQ(problem.at("file"), (migrations_ / "0002_kind_idx.down.sql").string());
  EXPECT_EQ(objects(document), (std::vector<std::string>{"index public.items_kind_idx"}));
  EXPECT_TRUE(problem.at("differences")[0].at("before").is_null());
  EXPECT_NE(problem.at("differences")[0].at("after").get<std::string>().find("CREATE INDEX items_kind_idx"),
            std::string::npos);
  // The text says the same, as a diff.
  Miglint::Result text = miglint(args("test", {"--allow-nonempty"}), milliseconds(120000));
  EXPECT_EQ(text.exit, 1) << text;
}

TEST_F(DownMigrations, DownThatForgetsAConstraintIsReported) {
  pair("0001_items", "CREATE TABLE items (id bigint PRIMARY KEY, price int);\n", "DROP TABLE items;\n");
  pair("0002_positive",
       "ALTER TABLE items ADD CONSTRAINT items_price_positive CHECK (price > 0) NOT VALID;\n", "SELECT 1;\n");
  Json document = test_json();
  EXPECT_EQ(document.at("problem").at("kind"), "down-does-not-restore-schema") << document.dump(2);
  EXPECT_EQ(document.at("problem").at("version"), "0002");
  EXPECT_EQ(objects(document), (std::vector<std::string>{"constraint public.items.items_price_positive"}));
  EXPECT_NE(document.at("problem").at("differences")[0].at("after").get<std::string>().find("NOT VALIDATED"),
            std::string::npos)
      << "validity is part of the definition compared";
}

TEST_F(DownMigrations, DownThatForgetsADefaultIsReportedWithTheColumn) {
  pair("0001_items", "CREATE TABLE items (id bigint PRIMARY KEY, note text);\n", "DROP TABLE items;\n");
  pair("0002_default", "ALTER TABLE items ALTER COLUMN note SET DEFAULT 'none';\n",
       "ALTER TABLE items ALTER COLUMN note SET NOT NULL;\nALTER TABLE items ALTER COLUMN note DROP NOT "
       "NULL;\n");
  Json document = test_json();
  EXPECT_EQ(document.at("problem").at("version"), "0002") << document.dump(2);
  EXPECT_EQ(objects(document), (std::vector<std::string>{"column public.items.note"}));
  const Json& difference = document.at("problem").at("differences")[0];
  EXPECT_EQ(difference.at("before"), "text NULL");
  EXPECT_EQ(difference.at("after"), "text NULL DEFAULT 'none'::text");
}

TEST_F(DownMigrations, DownThatForgetsAnEnumLabelIsReportedWithTheType) {
  pair("0001_mood", "CREATE TYPE mood AS ENUM ('sad', 'ok');\n", "DROP TYPE mood;\n");
  pair("0002_happy", "ALTER TYPE mood ADD VALUE 'happy';\n", "SELECT 1;\n");
  Json document = test_json();
  EXPECT_EQ(document.at("problem").at("version"), "0002") << document.dump(2);
  EXPECT_EQ(objects(document), (std::vector<std::string>{"enum type public.mood"}));
  const Json& difference = document.at("problem").at("differences")[0];
  EXPECT_EQ(difference.at("before"), "ENUM ('sad', 'ok')");
  EXPECT_EQ(difference.at("after"), "ENUM ('sad', 'ok', 'happy')");
}

TEST_F(DownMigrations, IrreversibleDownThatFailsIsReported) {
  pair("0001_items", "CREATE TABLE items (id bigint PRIMARY KEY);\n", "DROP TABLE items;\n");
  pair("0002_drop_legacy", "CREATE TABLE legacy (id int);\nDROP TABLE legacy;\n",
       "DO $$ BEGIN RAISE EXCEPTION 'irreversible migration'; END $$;\n");
  Json document = test_json();
  const Json& problem = document.at("problem");
  EXPECT_EQ(problem.at("kind"), "down-migration-fails") << document.dump(2);
  EXPECT_EQ(problem.at("version"), "0002");
  EXPECT_EQ(problem.at("phase"), "roll back all");
  EXPECT_NE(problem.at("error").get<std::string>().find("irreversible migration"), std::string::npos);
}

TEST_F(DownMigrations, UpThatCannotRunAgainAfterItsDownIsReported) {
  // The down forgets the table: applying the up again fails ("already exists").
  pair("0001_items", "CREATE TABLE items (id bigint PRIMARY KEY);\n", "SELECT 1;\n");
  Json document = test_json();
  const Json& problem = document.at("problem");
  EXPECT_EQ(problem.at("kind"), "up-not-rerunnable-after-down") << document.dump(2);
  EXPECT_EQ(problem.at("file"), (migrations_ / "0001_items.up.sql").string());
  EXPECT_NE(problem.at("error").get<std::string>().find("already exists"), std::string::npos);
  EXPECT_EQ(objects(document),
            (std::vector<std::string>{"column public.items.id", "constraint public.items.items_pkey",
                                      "index public.items_pkey", "table public.items"}));
}

TEST_F(DownMigrations, MissingDownMigrationIsReportedBeforeAnythingRuns) {
  pair("0001_items", "CREATE TABLE items (id bigint PRIMARY KEY);\n", "DROP TABLE items;\n");
  migration("0002_more.up.sql", "CREATE TABLE more (id int);\n");
  Json document = test_json();
  EXPECT_EQ(document.at("problem").at("kind"), "missing-down-migration") << document.dump(2);
  EXPECT_EQ(document.at("problem").at("version"), "0002");
  EXPECT_FALSE(has_relation("items")) << "nothing ran";
}

TEST_F(DownMigrations, NonEmptyDatabaseIsRefusedUnlessAllowed) {
  reversible();
  session()->exec("CREATE TABLE someone_elses (id int)");
  Miglint::Result refused = miglint(args("test"), milliseconds(120000));
  EXPECT_EQ(refused.exit, 1) << refused;
  EXPECT_NE(refused.out.find("the database holds 1 table (public.someone_elses)"), std::string::npos)
      << refused;
  EXPECT_FALSE(has_relation("items"));
  Miglint::Result allowed = miglint(args("test", {"--allow-nonempty"}), milliseconds(120000));
  EXPECT_EQ(allowed.exit, 0) << allowed;
  EXPECT_TRUE(has_relation("someone_elses"));
}

TEST_F(DownMigrations, SarifPointsAtTheOffendingFileAndValidates) {
  pair("0001_items", "CREATE TABLE items (id bigint PRIMARY KEY, kind text);\n", "DROP TABLE items;\n");
  pair("0002_kind_idx", "CREATE INDEX items_kind_idx ON items (kind);\n", "SELECT 1;\n");
  Miglint::Result result = miglint(args("test", {"--format", "sarif"}), milliseconds(120000));
  EXPECT_EQ(result.exit, 1) << result;
  Json sarif = Json::parse(result.out);
  const Json& results = sarif.at("runs")[0].at("results");
  ASSERT_EQ(results.size(), 1U) << result.out;
  EXPECT_EQ(results[0].at("ruleId"), "down-does-not-restore-schema");
  std::string uri = results[0].at("locations")[0].at("physicalLocation").at("artifactLocation").at("uri");
  EXPECT_TRUE(uri.ends_with("0002_kind_idx.down.sql")) << uri;
  EXPECT_NE(results[0].at("message").at("text").get<std::string>().find("index public.items_kind_idx"),
            std::string::npos);
  const fs::path validator = MIGLINT_SARIF_VALIDATOR;
  if (!fs::exists(validator)) {
    GTEST_SKIP() << "SARIF validator not found at " << validator;
  }
  fs::path document = work_->path() / "test.sarif";
  std::ofstream(document) << result.out;
  std::string command = "'" + validator.string() + "' '" + document.string() + "' >/dev/null 2>&1";
  EXPECT_EQ(std::system(command.c_str()), 0) << result.out;
}

// ---------------------------------------------------------------------------------------------
// miglint rollback

TEST_F(DownMigrations, RollbackStepsAndToApplyDownMigrationsNewestFirst) {
  reversible();
  approve_all("0001_items.down.sql");
  approve_all("0002_kind.down.sql");  // 0003's DROP INDEX CONCURRENTLY needs no approval
  ASSERT_EQ(run().exit, 0);
  Miglint::Result one = miglint(args("rollback"));
  EXPECT_EQ(one.exit, 0) << one;
  EXPECT_NE(one.out.find("rolled back 1 migration; 0002 is now the last applied"), std::string::npos) << one;
  EXPECT_EQ(versions_applied(), (std::vector<std::string>{"0001", "0002"}));
  EXPECT_FALSE(has_relation("items_kind_idx"));
  Miglint::Result status = miglint(args("status"));
  EXPECT_NE(status.out.find("pending  0003"), std::string::npos) << status;
  ASSERT_EQ(run().exit, 0) << "a rolled back migration runs again";
  Miglint::Result two = miglint(args("rollback", {"--steps", "2", "--format", "json"}));
  EXPECT_EQ(two.exit, 0) << two;
  Json document = Json::parse(two.out);
  EXPECT_EQ(document.at("outcome"), "done");
  ASSERT_EQ(document.at("rolled_back").size(), 2U);
  EXPECT_EQ(document.at("rolled_back")[0].at("version"), "0003");
  EXPECT_EQ(document.at("rolled_back")[1].at("version"), "0002");
  EXPECT_EQ(versions_applied(), (std::vector<std::string>{"0001"}));
  ASSERT_EQ(run().exit, 0);
  Miglint::Result to = miglint(args("rollback", {"--to", "0001"}));
  EXPECT_EQ(to.exit, 0) << to;
  EXPECT_EQ(versions_applied(), (std::vector<std::string>{"0001"}));
  EXPECT_TRUE(has_relation("items"));
  // One row per version: its latest rollback.
  EXPECT_EQ(value("SELECT string_agg(version, ',' ORDER BY version) FROM miglint_schema_rollbacks WHERE "
                  "finished_at IS NOT NULL"),
            "0002,0003");
  Miglint::Result unknown = miglint(args("rollback", {"--to", "0042"}));
  EXPECT_EQ(unknown.exit, 2) << unknown;
}

TEST_F(DownMigrations, RollbackRefusesAMissingDownBeforeAnyChange) {
  pair("0001_items", "CREATE TABLE items (id bigint PRIMARY KEY);\n", "DROP TABLE items;\n");
  migration("0002_more.up.sql", "CREATE TABLE more (id int);\n");
  approve_all("0001_items.down.sql");
  ASSERT_EQ(run().exit, 0);
  Miglint::Result refused = miglint(args("rollback", {"--steps", "2"}));
  EXPECT_EQ(refused.exit, 1) << refused;
  EXPECT_NE(refused.err.find("version 0002 has no down migration (expected 0002_more.down.sql)"),
            std::string::npos)
      << refused;
  EXPECT_EQ(versions_applied(), (std::vector<std::string>{"0001", "0002"}));
  EXPECT_TRUE(has_relation("items"));
  EXPECT_TRUE(has_relation("more"));
}

TEST_F(DownMigrations, RollbackRefusesAnUnapprovedDestructiveDown) {
  pair("0001_items", "CREATE TABLE items (id bigint PRIMARY KEY, note text);\n", "DROP TABLE items;\n");
  ASSERT_EQ(run().exit, 0);
  Miglint::Result refused = miglint(args("rollback"));
  EXPECT_EQ(refused.exit, 1) << refused;
  EXPECT_NE(refused.err.find("[ban-drop-table]"), std::string::npos) << refused;
  EXPECT_NE(refused.err.find("destructive: always needs an approval"), std::string::npos) << refused;
  EXPECT_TRUE(has_relation("items"));
  EXPECT_EQ(versions_applied(), (std::vector<std::string>{"0001"}));
  approve_all("0001_items.down.sql");
  Miglint::Result approved = miglint(args("rollback"));
  EXPECT_EQ(approved.exit, 0) << approved;
  EXPECT_FALSE(has_relation("items"));
  EXPECT_TRUE(versions_applied().empty());
}

TEST_F(DownMigrations, RollbackOfDieselFlywayAndDbmateLayouts) {
  // dbmate: the down section of the migration's own file.
  migration("20240101000000_items.sql",
            "-- migrate:up\nCREATE TABLE items (id bigint PRIMARY KEY);\n-- migrate:down\n"
            "DROP TABLE items; -- miglint-ignore ban-drop-table -- the way back\n");
  ASSERT_EQ(run().exit, 0);
  Miglint::Result rolled = miglint(args("rollback"));
  EXPECT_EQ(rolled.exit, 0) << rolled;
  EXPECT_FALSE(has_relation("items"));
  fs::remove_all(migrations_);
  fs::create_directories(migrations_ / "2024-01-01-000000_items");
  migration("2024-01-01-000000_items/up.sql", "CREATE TABLE d_items (id int);\n");
  migration("2024-01-01-000000_items/down.sql",
            "DROP TABLE d_items; -- miglint-ignore ban-drop-table -- way back\n");
  Miglint::Result diesel = miglint(args("test", {"--allow-nonempty"}), milliseconds(120000));
  EXPECT_EQ(diesel.exit, 0) << diesel;
  fs::remove_all(migrations_);
  fs::create_directories(migrations_);
  session()->exec("DROP TABLE d_items");
  migration("V1__f_items.sql", "CREATE TABLE f_items (id int);\n");
  migration("U1__f_items.sql", "DROP TABLE f_items;\n");
  Miglint::Result flyway =
      miglint(args("test", {"--allow-nonempty", "--schema", "flyway_history"}), milliseconds(120000));
  EXPECT_EQ(flyway.exit, 0) << flyway;
}

// A down migration of two statements run outside a transaction, killed (SIGKILL) after the first
// committed, while the second waits for a transaction using its table: the migration is neither
// applied nor pending. `status` says so, `run` refuses (it would otherwise skip it as applied, or
// apply later migrations on a half-undone one), `repair` lists it, and `rollback` resumes it.
TEST_F(DownMigrations, RollbackKilledBetweenTwoDownStatementsIsShownRefusedByRunAndResumed) {
  pair("0001_tables",
       "CREATE TABLE items (id bigint PRIMARY KEY, note text);\n"
       "CREATE TABLE others (id bigint PRIMARY KEY, note text);\n",
       "SELECT 1;\n");
  pair("0002_indexes",
       "CREATE INDEX CONCURRENTLY items_note_idx ON items (note);\n"
       "CREATE INDEX CONCURRENTLY others_note_idx ON others (note);\n",
       "DROP INDEX CONCURRENTLY items_note_idx;\nDROP INDEX CONCURRENTLY others_note_idx;\n");
  ASSERT_EQ(run().exit, 0);
  auto blocker = session();
  ASSERT_EQ(blocker->exec("BEGIN; LOCK TABLE others IN ROW EXCLUSIVE MODE"), "");
  {
    Miglint rollback(work_->path(), args("rollback"));
    ASSERT_TRUE(wait_until(
        [&] { return runner_backend("DROP INDEX CONCURRENTLY others%", "wait_event_type = 'Lock'") != 0; },
        seconds(20)))
        << rollback.wait(milliseconds(1));
    rollback.kill9();
    EXPECT_EQ(rollback.wait().signal, SIGKILL);
  }
  ASSERT_TRUE(wait_until([&] { return no_miglint_backends(); }, seconds(20)));
  ASSERT_EQ(blocker->exec("ROLLBACK"), "");
  ASSERT_FALSE(has_relation("items_note_idx")) << "the first statement of the down migration committed";
  ASSERT_EQ(versions_applied(), (std::vector<std::string>{"0001", "0002"}));

  Miglint::Result status = miglint(args("status"));
  EXPECT_EQ(status.exit, 1) << status;
  EXPECT_NE(status.out.find("partly rolled back 0002"), std::string::npos) << status;
  EXPECT_NE(
      status.out.find("1 of 2 statements of its down migration 0002_indexes.down.sql ran; interrupted in "
                      "statement 2 (`miglint rollback` resumes it"),
      std::string::npos)
      << status;
  EXPECT_NE(status.out.find("miglint run would refuse:"), std::string::npos) << status;
  Miglint::Result status_json = miglint(args("status", {"--format", "json"}));
  Json document = Json::parse(status_json.out);
  const Json& shown = document.at("migrations").at(1);
  EXPECT_EQ(shown.at("state"), "partly_rolled_back") << status_json;
  EXPECT_EQ(shown.at("would_run"), false);
  EXPECT_EQ(shown.at("rollback").at("down_file"), "0002_indexes.down.sql");
  EXPECT_EQ(shown.at("rollback").at("statements_applied"), 1);
  EXPECT_EQ(shown.at("rollback").at("statements_total"), 2);
  EXPECT_EQ(shown.at("rollback").at("interrupted_statement"), 2);

  Miglint::Result refused = run();
  EXPECT_EQ(refused.exit, 1) << refused;
  EXPECT_NE(refused.err.find("version 0002 is partly rolled back (1 of 2 statements of its down migration "
                             "0002_indexes.down.sql ran, interrupted in statement 2): finish the rollback "
                             "with `miglint rollback`"),
            std::string::npos)
      << refused;
  EXPECT_FALSE(has_relation("items_note_idx")) << "run changed nothing";
  EXPECT_TRUE(has_relation("others_note_idx"));

  Miglint::Result repair = miglint(args("repair", {"--yes"}));
  EXPECT_EQ(repair.exit, 1) << repair;
  EXPECT_NE(repair.out.find("not repaired:"), std::string::npos) << repair;
  EXPECT_NE(repair.out.find("0002_indexes.up.sql: partly rolled back (1 of 2 statements"), std::string::npos)
      << repair;

  Miglint::Result resumed = miglint(args("rollback"));
  EXPECT_EQ(resumed.exit, 0) << resumed;
  EXPECT_FALSE(has_relation("others_note_idx"));
  EXPECT_EQ(value("SELECT count(*) FROM pg_index WHERE NOT indisvalid"), "0");
  EXPECT_EQ(versions_applied(), (std::vector<std::string>{"0001"}));
  Miglint::Result after = miglint(args("status"));
  EXPECT_NE(after.out.find("pending  0002"), std::string::npos) << after;
  ASSERT_EQ(run().exit, 0);
  EXPECT_TRUE(has_relation("items_note_idx"));
  EXPECT_TRUE(has_relation("others_note_idx"));
}

// A dbmate down section is approved with `miglint approve --down` (an approval of its own section,
// bound to the file's checksum): the up part's approval does not cover it, nor it the up part.
TEST_F(DownMigrations, DbmateDownSectionIsApprovedWithApproveDown) {
  const std::string items = "20240101000000_items.sql";
  migration(
      items,
      "-- migrate:up\nCREATE TABLE items (id bigint PRIMARY KEY);\n-- migrate:down\nDROP TABLE items;\n");
  ASSERT_EQ(run().exit, 0);
  Miglint::Result refused = miglint(args("rollback"));
  EXPECT_EQ(refused.exit, 1) << refused;
  EXPECT_NE(refused.err.find("[ban-drop-table]"), std::string::npos) << refused;
  // Without --down, approve looks at the up part, which drops nothing.
  Miglint::Result up_only = miglint({"approve", (migrations_ / items).string(), "--rule", "ban-drop-table",
                                     "--reason", "the way back", "--by", "tester"});
  EXPECT_EQ(up_only.exit, 1) << up_only;
  EXPECT_NE(up_only.err.find("has no finding of ban-drop-table (as `miglint run` vets it)"),
            std::string::npos)
      << up_only;
  Miglint::Result approved = miglint({"approve", (migrations_ / items).string(), "--down", "--rule",
                                      "ban-drop-table", "--reason", "the way back", "--by", "tester"});
  ASSERT_EQ(approved.exit, 0) << approved;
  EXPECT_NE(approved.out.find("approved ban-drop-table in " + items + " (its -- migrate:down section)"),
            std::string::npos)
      << approved;
  EXPECT_NE(read_all(migrations_ / "miglint.approvals.toml").find("section = \"down\""), std::string::npos);
  Miglint::Result rolled = miglint(args("rollback"));
  EXPECT_EQ(rolled.exit, 0) << rolled;
  EXPECT_FALSE(has_relation("items"));

  // A file whose up part drops a table too: the down section's approval leaves the up's unapproved.
  const std::string swap = "20240102000000_swap.sql";
  migration(swap,
            "-- migrate:up\nCREATE TABLE b (id int);\nDROP TABLE legacy;\n-- migrate:down\nDROP TABLE b;\n"
            "CREATE TABLE legacy (id int);\n");
  ASSERT_EQ(session()->exec("CREATE TABLE legacy (id int)"), "");
  Miglint::Result down_approved = miglint({"approve", (migrations_ / swap).string(), "--down",
                                           "--all-findings", "--reason", "way back", "--by", "tester"});
  ASSERT_EQ(down_approved.exit, 0) << down_approved;
  Miglint::Result run_refused = run();
  EXPECT_EQ(run_refused.exit, 1) << run_refused;
  EXPECT_NE(run_refused.err.find(swap + ":3:1: "), std::string::npos) << run_refused;
  EXPECT_TRUE(has_relation("legacy"));
  const std::string plain = "20240103000000_no_down.sql";
  migration(plain, "-- migrate:up\nDROP TABLE legacy;\n");
  Miglint::Result no_section = miglint(
      {"approve", (migrations_ / plain).string(), "--down", "--rule", "ban-drop-table", "--reason", "r"});
  EXPECT_EQ(no_section.exit, 2) << no_section;
  EXPECT_NE(no_section.err.find("this file has none"), std::string::npos) << no_section;
}

// ---------------------------------------------------------------------------------------------
// --ephemeral

TEST_F(DownMigrations, EphemeralServerIsRemovedAfterSuccessAndFailure) {
  reversible();
  Miglint::Result passed = miglint({"test", migrations_.string(), "--ephemeral"}, milliseconds(120000));
  EXPECT_EQ(passed.exit, 0) << passed;
  std::string directory = ephemeral_directory(passed.err);
  ASSERT_FALSE(directory.empty()) << passed;
  EXPECT_FALSE(fs::exists(directory)) << passed;
  EXPECT_TRUE(processes_mentioning(directory).empty());
  pair("0004_broken", "SELECT * FROM nosuch;\n", "SELECT 1;\n");
  Miglint::Result failed = miglint({"run", migrations_.string(), "--ephemeral"}, milliseconds(120000));
  EXPECT_EQ(failed.exit, 1) << failed;
  EXPECT_NE(failed.err.find("nosuch"), std::string::npos) << failed;
  directory = ephemeral_directory(failed.err);
  ASSERT_FALSE(directory.empty()) << failed;
  EXPECT_FALSE(fs::exists(directory));
  EXPECT_TRUE(processes_mentioning(directory).empty());
}

TEST_F(DownMigrations, EphemeralServerIsRemovedAfterSigint) {
  interrupt_ephemeral_run(SIGINT);
}

TEST_F(DownMigrations, EphemeralServerIsRemovedAfterSigterm) {
  interrupt_ephemeral_run(SIGTERM);
}

TEST_F(DownMigrations, EphemeralWithoutServerProgramsSaysWhatToInstall) {
  reversible();
  Miglint::Result missing = miglint(
      {"status", migrations_.string(), "--ephemeral", "--pg-bin", (work_->path() / "nowhere").string()});
  EXPECT_EQ(missing.exit, 2) << missing;
  EXPECT_NE(missing.err.find("install the Debian package postgresql"), std::string::npos) << missing;
  EXPECT_EQ(std::count(missing.err.begin(), missing.err.end(), '\n'), 1) << missing;
}

}  // namespace
