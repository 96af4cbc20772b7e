// One execution model: the transaction planner (analyzer/project/transaction_plan.hpp) is what the runner
// executes, what vetting lints and what the lint driver's walk follows; one lock model for `locks`,
// `plan` and `lint`; `miglint locks` reads miglint.toml as `lint` does.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "analyzer/engine/linter.hpp"
#include "analyzer/project/transaction_plan.hpp"
#include "rules/registry.hpp"
#include "runner/script.hpp"
#include "runner/state.hpp"
#include "tests/cli_support.hpp"

using namespace miglint;
using namespace miglint::runner;
using namespace miglint::cli_support;

namespace fs = std::filesystem;

namespace {

// A CONCURRENTLY build first, then a schema change and a backfill of the same existing table: the
// runner runs the file segmented, the ALTER and the UPDATE together in one transaction.
constexpr const char* kSegmented =
    "CREATE INDEX CONCURRENTLY t_a_idx ON t (a);\n"
    "ALTER TABLE t ADD COLUMN c int;\n"
    "UPDATE t SET c = 1;\n";

std::vector<const Finding*> findings_at(const std::vector<Finding>& findings, std::string_view rule,
                                        uint32_t line) {
  std::vector<const Finding*> out;
  for (const Finding& finding : findings) {
    if (finding.rule == rule && finding.start.line == line) {
      out.push_back(&finding);
    }
  }
  return out;
}

MigrationState pending_migration(const std::string& relative, const std::string& bytes, int pg_version) {
  MigrationState migration;
  NameReading reading = read_migration_name(relative);
  migration.file = MigrationFile{reading.version, reading.name, "/nonexistent/" + relative, relative};
  migration.display_path = "migrations/" + relative;
  migration.bytes = std::make_shared<const std::string>(bytes);
  migration.sha256 = "0";
  migration.status = MigrationState::Status::Pending;
  SourceFile source(migration.display_path, migration.bytes);
  Expected<MigrationScript> script = plan_script(source, pg_version);
  EXPECT_TRUE(script.has_value()) << (script ? "" : script.error().message);
  if (script) {
    migration.script = std::move(*script);
  }
  return migration;
}

}  // namespace

// The runner groups the ALTER and the UPDATE in one transaction; vetting must lint them so (it
// used to lint every statement of a segmented file as if it ran alone, and missed both findings).
TEST(ExecutionPlan, VettingLintsASegmentedFileAsTheRunnerGroupsIt) {
  SetState state;
  state.server_major = 15;
  state.migrations.push_back(pending_migration("0001_segmented.sql", kSegmented, 15));
  ASSERT_TRUE(state.migrations[0].script);
  const MigrationScript& script = *state.migrations[0].script;
  ASSERT_EQ(script.mode, ScriptMode::Segmented);
  ASSERT_EQ(script.segments.size(), 2U);
  EXPECT_EQ(script.segments[0].kind, Segment::Kind::Autocommit);
  EXPECT_EQ(script.segments[1].kind, Segment::Kind::Wrapped);
  EXPECT_EQ(script.segments[1].first, 1U);
  EXPECT_EQ(script.segments[1].last, 3U);

  RunSettingsResolved settings;
  vet(state, settings);
  std::vector<Finding> unapproved;
  for (const Unapproved& item : state.migrations[0].unapproved) {
    unapproved.push_back(item.finding);
  }
  EXPECT_EQ(findings_at(unapproved, "mixed-ddl-and-dml", 3).size(), 1U);
  EXPECT_EQ(findings_at(unapproved, "statements-after-access-exclusive", 3).size(), 1U);
  // The CONCURRENTLY build runs alone, outside any transaction: nothing to say about that.
  EXPECT_TRUE(findings_at(unapproved, "ban-concurrent-index-creation-in-transaction", 1).empty());
  EXPECT_TRUE(state.refused());
}

// The entry point `lint` uses when it must see what `run` runs: LintOptions::execution.
TEST(ExecutionPlan, LintInRunnerModeFollowsTheRunnersSegments) {
  RuleSet rules(all_rules(), {}, {});
  SourceFile source("0001_segmented.sql", kSegmented);
  LintOptions runner;
  runner.execution = ExecutionMode::Runner;
  FileResult as_run = lint_source(source, runner, rules);
  EXPECT_EQ(findings_at(as_run.findings, "mixed-ddl-and-dml", 3).size(), 1U);
  EXPECT_EQ(findings_at(as_run.findings, "statements-after-access-exclusive", 3).size(), 1U);
  EXPECT_TRUE(findings_at(as_run.findings, "ban-concurrent-index-creation-in-transaction", 1).empty());

  // A migration tool that does not wrap the file runs every statement on its own.
  LintOptions tool;
  FileResult as_tool = lint_source(source, tool, rules);
  EXPECT_TRUE(findings_at(as_tool.findings, "mixed-ddl-and-dml", 3).empty());
  EXPECT_TRUE(findings_at(as_tool.findings, "statements-after-access-exclusive", 3).empty());
  // One that wraps it runs the CONCURRENTLY build in its transaction, which PostgreSQL refuses.
  LintOptions wrapping;
  wrapping.assume_in_transaction = true;
  FileResult as_wrapped = lint_source(source, wrapping, rules);
  EXPECT_EQ(findings_at(as_wrapped.findings, "ban-concurrent-index-creation-in-transaction", 1).size(), 1U);
}

TEST(ExecutionPlan, PlanFileGivesSectionsSegmentsAndTheFilesOwnTransactions) {
  SourceFile source("x.sql",
                    "SET lock_timeout = '1s';\n"
                    "BEGIN;\n"
                    "ALTER TABLE t ADD COLUMN c int;\n"
                    "COMMIT;\n"
                    "CREATE INDEX CONCURRENTLY i ON t (c);\n"
                    "BEGIN;\n"
                    "UPDATE t SET c = 1 WHERE id < 10;\n");
  PlannedFile planned = plan_file(source, ExecutionMode::Runner, 15);
  const TransactionPlan& plan = planned.plan;
  EXPECT_EQ(plan.script_mode, ScriptMode::AsWritten);
  ASSERT_EQ(plan.sections.size(), 1U);
  using K = TransactionSegment::Kind;
  std::vector<std::tuple<K, std::size_t, std::size_t>> segments;
  for (const TransactionSegment& segment : plan.sections[0].segments) {
    segments.emplace_back(segment.kind, segment.first, segment.last);
  }
  EXPECT_EQ(segments,
            (std::vector<std::tuple<K, std::size_t, std::size_t>>{
                {K::Autocommit, 0, 1}, {K::Explicit, 1, 4}, {K::Autocommit, 4, 5}, {K::Explicit, 5, 7}}));
  EXPECT_EQ(plan.statements[1].control, TransactionControl::Begin);
  EXPECT_EQ(plan.statements[3].control, TransactionControl::Commit);
  EXPECT_TRUE(plan.statements[4].outside_transaction);
  EXPECT_EQ(plan.unclosed_begins, std::vector<uint32_t>{5});
  ASSERT_TRUE(plan.problem);
  EXPECT_EQ(plan.problem->kind, PlanProblem::Kind::NeverCommitted);
  EXPECT_EQ(plan.problem->statement, 5U);

  // The same file for a tool that wraps files: one transaction, the BEGINs nested in it.
  PlannedFile tool = plan_file(source, ExecutionMode::Tool, 15, true);
  ASSERT_EQ(tool.plan.sections.size(), 1U);
  EXPECT_TRUE(tool.plan.sections[0].wrapped);
  EXPECT_TRUE(tool.plan.unclosed_begins.empty());
}

namespace {

std::vector<fs::path> fixture_files() {
  std::vector<fs::path> files;
  for (const auto& entry : fs::recursive_directory_iterator(fs::path(MIGLINT_SOURCE_DIR) / "fixtures")) {
    if (entry.is_regular_file() && entry.path().extension() == ".sql") {
      files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::set<std::string> relations_with_locks(const std::vector<RelationEffect>& effects) {
  std::set<std::string> names;
  for (const RelationEffect& effect : effects) {
    if (effect.lock != LockMode::None) {
      names.insert(effect.relation);
    }
  }
  return names;
}

}  // namespace

// Over every fixture: the lint driver's walk (here through explain_locks, which walks like the lint)
// holds locks exactly within the runner's segments: a statement of a transaction the runner (or the
// file) opens holds the locks of the segment's earlier statements, and nothing from another segment.
TEST(ExecutionPlan, LintWalkHoldsLocksWithinTheRunnersSegmentsOnEveryFixture) {
  RuleSet rules(all_rules(), {}, {});
  std::size_t files = 0;
  std::size_t checked = 0;
  std::size_t multi_statement_transactions = 0;
  for (const fs::path& path : fixture_files()) {
    Expected<SourceFile> source = load_source_file(path.string(), path.string());
    ASSERT_TRUE(source) << path;
    Expected<MigrationScript> script = plan_script(*source, 15);
    if (!script) {
      continue;  // the runner refuses it (a syntax error, a BEGIN never committed, ...)
    }
    ++files;
    LintOptions options;
    options.execution = ExecutionMode::Runner;
    FileLocks locks = explain_locks(*source, options, rules);
    std::map<std::pair<uint32_t, uint32_t>, const StatementLocks*> by_start;
    for (const StatementLocks& statement : locks.statements) {
      by_start[{statement.start.line, statement.start.column}] = &statement;
    }
    for (const Segment& segment : script->segments) {
      std::set<std::string> taken_before;
      multi_statement_transactions +=
          segment.kind != Segment::Kind::Autocommit && segment.last - segment.first > 2;
      for (std::size_t i = segment.first; i < segment.last; ++i) {
        const ScriptStatement& statement = script->statements[i];
        auto found = by_start.find({statement.start.line, statement.start.column});
        ASSERT_NE(found, by_start.end()) << path << ":" << statement.start.line;
        std::set<std::string> own = relations_with_locks(found->second->relations);
        std::set<std::string> held;
        for (const HeldLock& lock : found->second->held) {
          if (lock.lock != LockMode::None) {
            held.insert(lock.relation);
          }
        }
        if (statement.control == ScriptStatement::Control::None) {
          std::set<std::string> expected = own;
          if (segment.kind != Segment::Kind::Autocommit) {
            expected.insert(taken_before.begin(), taken_before.end());
          }
          EXPECT_EQ(held, expected) << path << ":" << statement.start.line << " ("
                                    << statement_label(source->text(), statement) << ")";
          ++checked;
        }
        taken_before.insert(own.begin(), own.end());
      }
    }
  }
  EXPECT_GT(files, 150U);
  EXPECT_GT(checked, 400U);
  EXPECT_GT(multi_statement_transactions, 20U);
}

// The planner's runner plan is the script the applier runs, for every fixture.
TEST(ExecutionPlan, RunnerScriptIsThePlannersPlanOnEveryFixture) {
  for (const fs::path& path : fixture_files()) {
    Expected<SourceFile> source = load_source_file(path.string(), path.string());
    ASSERT_TRUE(source) << path;
    Expected<MigrationScript> script = plan_script(*source, 15);
    PlannedFile planned = plan_file(*source, ExecutionMode::Runner, 15);
    if (!planned.model.parsed.problems.empty()) {
      EXPECT_FALSE(script) << path;
      continue;
    }
    if (!script && !planned.plan.problem && script.error().message.find("backfill") != std::string::npos) {
      // A `-- miglint-backfill` the runner cannot honour (fixtures/malformed-backfill) refuses the
      // file in plan_script; the transaction plan does not judge directives.
      continue;
    }
    ASSERT_EQ(script.has_value(), !planned.plan.problem.has_value()) << path;
    if (!script) {
      continue;
    }
    EXPECT_EQ(script->mode, planned.plan.script_mode) << path;
    EXPECT_EQ(script->statements.size(), planned.plan.last_executed - planned.plan.first_executed) << path;
    std::vector<TransactionSegment> expected;
    if (planned.plan.executed_section) {
      expected = planned.plan.sections[*planned.plan.executed_section].segments;
    }
    ASSERT_EQ(script->segments.size(), expected.size()) << path;
    for (std::size_t k = 0; k < expected.size(); ++k) {
      EXPECT_EQ(script->segments[k].kind, expected[k].kind) << path;
      EXPECT_EQ(script->segments[k].first + planned.plan.first_executed, expected[k].first) << path;
      EXPECT_EQ(script->segments[k].last + planned.plan.first_executed, expected[k].last) << path;
    }
  }
}

namespace {

nlohmann::json locks_json(const fs::path& directory, const std::string& args) {
  CliRun run = run_miglint_in(directory, "locks --format json " + args);
  EXPECT_EQ(run.status, 0) << run.out;
  return nlohmann::json::parse(run.out, nullptr, false);
}

// The relations one statement of `locks --format json` names: {name: [lock, rewrite, scan]}.
std::map<std::string, std::tuple<std::string, bool, bool>> relations_at(const nlohmann::json& out,
                                                                        const std::string& path_suffix,
                                                                        int line) {
  std::map<std::string, std::tuple<std::string, bool, bool>> relations;
  for (const auto& file : out["files"]) {
    if (!file["path"].get<std::string>().ends_with(path_suffix)) {
      continue;
    }
    for (const auto& statement : file["statements"]) {
      if (statement["start"]["line"] == line) {
        for (const auto& relation : statement["relations"]) {
          relations[relation["name"]] = {relation["lock"], relation["rewrite"], relation["scan"]};
        }
      }
    }
  }
  return relations;
}

}  // namespace

// `locks` (and `plan`, which reads the same model) knew no validated CHECK and marked SET NOT NULL
// after one as a full scan, while `lint` knew better.
TEST(OneLockModel, SetNotNullAfterAValidatedCheckIsNoScan) {
  TempDir dir("miglint-locks-not-null");
  fs::path fixtures = fs::path(MIGLINT_SOURCE_DIR) / "fixtures" / "adding-not-nullable-field";
  nlohmann::json proven = locks_json(dir.path(), (fixtures / "silent-check-from-earlier-file").string());
  auto relations = relations_at(proven, "003_set_not_null.sql", 2);
  ASSERT_EQ(relations.size(), 1U) << proven.dump(1);
  EXPECT_EQ(relations.begin()->second, std::make_tuple(std::string("ACCESS EXCLUSIVE"), false, false));
  // Before PostgreSQL 12 the check cannot spare the scan (and the rule fires there).
  nlohmann::json pg11 =
      locks_json(dir.path(), "--pg-version 11 " + (fixtures / "fires-check-from-earlier-file-pg11").string());
  relations = relations_at(pg11, "003_set_not_null.sql", 2);
  ASSERT_EQ(relations.size(), 1U) << pg11.dump(1);
  EXPECT_EQ(relations.begin()->second, std::make_tuple(std::string("ACCESS EXCLUSIVE"), false, true));
}

// DROP INDEX locks the index's table as well (ACCESS EXCLUSIVE; SHARE UPDATE EXCLUSIVE
// CONCURRENTLY) when the index's table is known from an earlier migration.
TEST(OneLockModel, DropIndexLocksItsTableToo) {
  TempDir dir("miglint-locks-drop-index");
  dir.write("migrations/0001_create.sql",
            "CREATE TABLE orders (id bigint, user_id bigint);\n"
            "CREATE INDEX orders_user_id_idx ON orders (user_id);\n"
            "CREATE INDEX orders_id_idx ON orders (id);\n");
  dir.write("migrations/0002_drop.sql",
            "DROP INDEX orders_user_id_idx;\nDROP INDEX CONCURRENTLY orders_id_idx;\n");
  nlohmann::json out = locks_json(dir.path(), "migrations");
  auto plain = relations_at(out, "0002_drop.sql", 1);
  EXPECT_EQ(plain["public.orders_user_id_idx"],
            std::make_tuple(std::string("ACCESS EXCLUSIVE"), false, false));
  EXPECT_EQ(plain["public.orders"], std::make_tuple(std::string("ACCESS EXCLUSIVE"), false, false));
  auto concurrent = relations_at(out, "0002_drop.sql", 2);
  EXPECT_EQ(concurrent["public.orders_id_idx"],
            std::make_tuple(std::string("SHARE UPDATE EXCLUSIVE"), false, false));
  EXPECT_EQ(concurrent["public.orders"],
            std::make_tuple(std::string("SHARE UPDATE EXCLUSIVE"), false, false));
}

// DROP SCHEMA ... CASCADE: ACCESS EXCLUSIVE on every relation of the schema ("r.*", which relations
// is not known statically) and on the tables whose foreign keys or triggers depend on it, as earlier
// migrations added them (tests/lock_model_pg_test.cpp checks the same against a server). Without
// CASCADE it locks no table.
TEST(OneLockModel, DropSchemaCascadeLocksTheSchemaAndWhatDependsOnIt) {
  TempDir dir("miglint-locks-drop-schema");
  dir.write("migrations/0001_create.sql",
            "CREATE SCHEMA r;\n"
            "CREATE TABLE r.invoices (id bigint PRIMARY KEY);\n"
            "CREATE FUNCTION r.touch() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;\n"
            "CREATE TABLE audited (id bigint);\n"
            "CREATE TRIGGER audited_touch BEFORE UPDATE ON audited FOR EACH ROW EXECUTE FUNCTION r.touch();\n"
            "CREATE TABLE payments (id bigint, invoice_id bigint);\n"
            "ALTER TABLE payments ADD CONSTRAINT payments_invoice_fk FOREIGN KEY (invoice_id) REFERENCES "
            "r.invoices (id);\n"
            "CREATE TABLE plain (id bigint);\n");
  dir.write("migrations/0002_drop.sql", "DROP SCHEMA r CASCADE;\nDROP SCHEMA r;\n");
  nlohmann::json out = locks_json(dir.path(), "migrations");
  auto cascade = relations_at(out, "0002_drop.sql", 1);
  ASSERT_EQ(cascade.size(), 3U) << out.dump(1);
  EXPECT_EQ(cascade["r.*"], std::make_tuple(std::string("ACCESS EXCLUSIVE"), false, false));
  EXPECT_EQ(cascade["public.audited"], std::make_tuple(std::string("ACCESS EXCLUSIVE"), false, false));
  EXPECT_EQ(cascade["public.payments"], std::make_tuple(std::string("ACCESS EXCLUSIVE"), false, false));
  EXPECT_TRUE(relations_at(out, "0002_drop.sql", 2).empty()) << out.dump(1);
  // The text view names the set.
  CliRun text = run_miglint_in(dir.path(), "locks migrations");
  EXPECT_NE(text.out.find("every relation of schema \"r\" ACCESS EXCLUSIVE"), std::string::npos) << text.out;
}

// What the PostgreSQL 17 grammar cannot parse but a stand-in shows (analyzer/sql/newer_syntax.hpp):
// REPACK's lock, held for the statements after it in the transaction; a named NOT NULL constraint
// among other commands; and CLUSTER / VACUUM FULL without a table: every table.
TEST(OneLockModel, NewerSyntaxAndDatabaseWideStatementsHaveLocks) {
  TempDir dir("miglint-locks-newer");
  dir.write("newer.sql",
            "BEGIN;\n"
            "REPACK events;\n"
            "UPDATE events SET kind = 'x' WHERE id = 1;\n"
            "COMMIT;\n"
            "ALTER TABLE person ADD COLUMN banned boolean, ADD CONSTRAINT person_banned_nn NOT NULL banned;\n"
            "REPACK (CONCURRENTLY) events;\n"
            "VACUUM FULL;\n"
            "CLUSTER;\n");
  nlohmann::json out = locks_json(dir.path(), "--pg-version 19 newer.sql");
  EXPECT_EQ(relations_at(out, "newer.sql", 2)["public.events"],
            std::make_tuple(std::string("ACCESS EXCLUSIVE"), true, false));
  bool held = false;
  for (const auto& statement : out["files"][0]["statements"]) {
    if (statement["start"]["line"] == 3) {
      for (const auto& lock : statement["held"]) {
        held = held || (lock["name"] == "public.events" && lock["lock"] == "ACCESS EXCLUSIVE");
      }
    }
  }
  EXPECT_TRUE(held) << out.dump(1);
  EXPECT_EQ(relations_at(out, "newer.sql", 5)["public.person"],
            std::make_tuple(std::string("ACCESS EXCLUSIVE"), false, true));
  EXPECT_EQ(relations_at(out, "newer.sql", 6)["public.events"],
            std::make_tuple(std::string("SHARE UPDATE EXCLUSIVE"), false, true));
  for (int line : {7, 8}) {
    auto every = relations_at(out, "newer.sql", line);
    ASSERT_EQ(every.size(), 1U) << line << out.dump(1);
    EXPECT_EQ(every["*"], std::make_tuple(std::string("ACCESS EXCLUSIVE"), true, line == 7)) << line;
  }
  // The notes still say the newer syntax was read through a stand-in; no statement is skipped.
  CliRun text = run_miglint_in(dir.path(), "locks --pg-version 19 newer.sql 2>&1");
  EXPECT_NE(text.out.find("every table of the database ACCESS EXCLUSIVE rewrite"), std::string::npos)
      << text.out;
  EXPECT_NE(text.out.find("it was checked as"), std::string::npos) << text.out;
  EXPECT_EQ(text.out.find("statement skipped"), std::string::npos) << text.out;
}

// `miglint locks` reads miglint.toml like `lint`: with pg_version = 11 there, both say that ATTACH
// PARTITION takes ACCESS EXCLUSIVE on the parent (SHARE UPDATE EXCLUSIVE from 12 on).
TEST(OneLockModel, LocksReadsTheConfigLikeLint) {
  TempDir dir("miglint-locks-config");
  dir.write("attach.sql", "ALTER TABLE events ATTACH PARTITION events_2025 FOR VALUES FROM (1) TO (2);\n");
  auto parent_lock = [&](const std::string& args) {
    nlohmann::json out = locks_json(dir.path(), args + " attach.sql");
    return std::get<0>(relations_at(out, "attach.sql", 1)["public.events"]);
  };
  auto lint_says = [&](const std::string& args) {
    CliRun run = run_miglint_in(
        dir.path(), "lint --format json --select attach-partition-without-check " + args + " attach.sql");
    nlohmann::json out = nlohmann::json::parse(run.out, nullptr, false);
    return out["findings"].size() == 1 ? out["findings"][0]["message"].get<std::string>() : std::string();
  };
  EXPECT_EQ(parent_lock(""), "SHARE UPDATE EXCLUSIVE");
  EXPECT_NE(lint_says("").find("SHARE UPDATE EXCLUSIVE on \"events\""), std::string::npos) << lint_says("");

  dir.write("miglint.toml", "pg_version = 11\n");
  EXPECT_EQ(parent_lock(""), "ACCESS EXCLUSIVE");
  EXPECT_NE(lint_says("").find("ACCESS EXCLUSIVE on \"events\""), std::string::npos) << lint_says("");
  // A flag still wins over the file, as for `lint`.
  EXPECT_EQ(parent_lock("--pg-version 12"), "SHARE UPDATE EXCLUSIVE");
  // --config names another file.
  dir.write("other.toml", "pg_version = 15\n");
  EXPECT_EQ(parent_lock("--config other.toml"), "SHARE UPDATE EXCLUSIVE");
}

// One owner of layouts: the runner's reading of a file name and the lint's (down migrations, the
// migration set whose earlier files teach facts) come from analyzer/migration_layout.
TEST(OneLayoutModule, LintAndRunnerReadLayoutsAlike) {
  for (const char* down : {"0003_x.down.sql", "0003_x_down.sql", "2024-01-15-100000_x/down.sql"}) {
    EXPECT_TRUE(is_down_migration_path(down)) << down;
    EXPECT_EQ(read_migration_name(down).kind, NameReading::Kind::Skip) << down;
  }
  for (const char* up : {"0003_x.up.sql", "0003_x.sql", "V3.1__x.sql", "2024-01-15-100000_x/up.sql"}) {
    EXPECT_FALSE(is_down_migration_path(up)) << up;
    EXPECT_EQ(read_migration_name(up).kind, NameReading::Kind::Migration) << up;
  }
  // diesel: the set (lint's history, the schema facts' scope) is the runner's migrations directory.
  EXPECT_EQ(migration_set_of("db/migrations/2024-01-15-100000_x/up.sql"), "db/migrations");
  EXPECT_EQ(migrations_directory_of("db/migrations/2024-01-15-100000_x/up.sql"), "db/migrations");
  EXPECT_EQ(migration_set_of("db/migrations/0003_x.sql"), "db/migrations");
  EXPECT_EQ(migrations_directory_of("db/migrations/0003_x.sql"), "db/migrations");
  EXPECT_EQ(migration_set_of("0003_x.sql"), "");
  EXPECT_EQ(migrations_directory_of("0003_x.sql"), ".");
}
