// The lock model checked against a real PostgreSQL 15: every statement of the matrix below (and
// every statement of the fixtures that the setup schema can run) is executed inside
// BEGIN ... ROLLBACK; the session's relation locks (pg_locks, pid = pg_backend_pid()) and whether
// pg_class.relfilenode changed are compared with what the model predicts for version 15.
// Statements that cannot run in a transaction are observed from a second session while a third
// one holds them up.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <regex>
#include <set>
#include <thread>

#include "analyzer/engine/linter.hpp"
#include "analyzer/model/context.hpp"
#include "analyzer/model/lock_model.hpp"
#include "analyzer/sql/relation.hpp"
#include "analyzer/sql/sql_parser.hpp"
#include "rules/registry.hpp"
#include "tests/pg/throwaway_server.hpp"
#include "tests/tool_requirement.hpp"

using namespace miglint;
using namespace miglint::pgtest;

namespace {

constexpr const char* kSetup = R"sql(
CREATE TABLE orgs (id bigint PRIMARY KEY, name text);
CREATE TABLE users (id bigint PRIMARY KEY, email text, org_id bigint, name varchar(20), n int,
                    created timestamp, flag boolean, amount numeric(10,2), net cidr);
CREATE INDEX users_email_idx ON users (email);
CREATE UNIQUE INDEX users_name_uidx ON users (name);
CREATE TABLE widgets (id bigint, code text);
CREATE SEQUENCE widgets_seq AS integer;
CREATE TABLE events (id bigint, at date) PARTITION BY RANGE (at);
CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE events_2025 (id bigint, at date);
CREATE MATERIALIZED VIEW user_counts AS SELECT org_id, count(*) AS c FROM users GROUP BY org_id;
CREATE UNIQUE INDEX user_counts_org ON user_counts (org_id);
CREATE TYPE mood AS ENUM ('sad', 'ok');
CREATE FUNCTION noop_trigger() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;
CREATE TRIGGER users_noop BEFORE INSERT ON users FOR EACH ROW EXECUTE FUNCTION noop_trigger();
ALTER TABLE users ADD CONSTRAINT users_n_check CHECK (n > 0) NOT VALID;
ALTER TABLE users ADD CONSTRAINT users_org_fk FOREIGN KEY (org_id) REFERENCES orgs (id) NOT VALID;
INSERT INTO orgs VALUES (1, 'a');
INSERT INTO users (id, email, org_id, name, n) VALUES (1, 'a@x', 1, 'a', 1);
)sql";

// ALTER TABLE sub-commands, each run as `ALTER TABLE users <sub-command>`.
const std::vector<std::string> kUsersSubCommands = {
    "ADD COLUMN a int",
    "ADD COLUMN a int DEFAULT 0",
    "ADD COLUMN a uuid DEFAULT gen_random_uuid()",
    "ADD COLUMN a bigserial",
    "ADD COLUMN a int GENERATED ALWAYS AS (n * 2) STORED",
    "ADD COLUMN a int GENERATED ALWAYS AS IDENTITY",
    "ADD COLUMN a bigint REFERENCES orgs (id)",
    "ADD COLUMN a text UNIQUE",
    "ADD COLUMN a text NOT NULL DEFAULT 'x'",
    "DROP COLUMN email",
    "ALTER COLUMN n SET DEFAULT 1",
    "ALTER COLUMN n DROP DEFAULT",
    "ALTER COLUMN n SET NOT NULL",
    "ALTER COLUMN n DROP NOT NULL",
    "ALTER COLUMN n TYPE bigint",
    "ALTER COLUMN name TYPE varchar(50)",
    "ALTER COLUMN name TYPE text",
    "ALTER COLUMN created TYPE timestamptz",
    "ALTER COLUMN name TYPE varchar(10)",
    "ALTER COLUMN amount TYPE numeric(12,2)",
    "ALTER COLUMN amount TYPE numeric(12,3)",
    "ALTER COLUMN amount TYPE numeric",
    "ALTER COLUMN net TYPE inet",
    "ALTER COLUMN n TYPE bigint USING n::bigint",
    "ALTER COLUMN email TYPE varchar(100)",
    "ALTER COLUMN created TYPE timestamp(3)",
    "ALTER COLUMN n TYPE int",
    "ADD COLUMN a int DEFAULT NULL",
    "ADD COLUMN a text[] DEFAULT '{}'",
    "ALTER COLUMN created TYPE timestamp(3)",
    "ALTER COLUMN n TYPE int",
    "ADD COLUMN a int DEFAULT NULL",
    "ADD COLUMN a text[] DEFAULT '{}'",
    "ALTER COLUMN n SET STATISTICS 100",
    "ALTER COLUMN email SET STORAGE EXTERNAL",
    "ALTER COLUMN email SET (n_distinct = 10)",
    "ALTER COLUMN email SET COMPRESSION pglz",
    "ADD CONSTRAINT c CHECK (n > 0)",
    "ADD CONSTRAINT c CHECK (n > 0) NOT VALID",
    "ADD CONSTRAINT fk2 FOREIGN KEY (org_id) REFERENCES orgs (id)",
    "ADD CONSTRAINT fk2 FOREIGN KEY (org_id) REFERENCES orgs (id) NOT VALID",
    "ADD CONSTRAINT u UNIQUE (email)",
    "ADD CONSTRAINT u UNIQUE USING INDEX users_name_uidx",
    "ADD CONSTRAINT x EXCLUDE USING btree (email WITH =)",
    "VALIDATE CONSTRAINT users_n_check",
    "VALIDATE CONSTRAINT users_org_fk",
    "DROP CONSTRAINT users_n_check",
    "RENAME CONSTRAINT users_n_check TO users_n_positive",
    "SET UNLOGGED",
    "SET (fillfactor = 70)",
    "RESET (fillfactor)",
    "SET (autovacuum_enabled = false)",
    "CLUSTER ON users_email_idx",
    "SET WITHOUT CLUSTER",
    "ENABLE TRIGGER users_noop",
    "DISABLE TRIGGER users_noop",
    "DISABLE TRIGGER USER",
    "ENABLE ROW LEVEL SECURITY",
    "REPLICA IDENTITY FULL",
    "OWNER TO postgres",
    "ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY",
    "ADD COLUMN a int, DROP COLUMN flag",
};

const std::vector<std::string> kStatements = {
    "ALTER TABLE users RENAME COLUMN name TO full_name",
    "ALTER TABLE users RENAME TO people",
    "ALTER TABLE widgets ADD PRIMARY KEY (id)",
    "ALTER TABLE widgets ADD COLUMN id2 bigserial PRIMARY KEY",
    "ALTER TABLE events ATTACH PARTITION events_2025 FOR VALUES FROM ('2025-01-01') TO ('2026-01-01')",
    "ALTER TABLE events DETACH PARTITION events_2024",
    "ALTER TABLE users_email_idx RENAME TO users_email_idx2",
    "ALTER INDEX users_email_idx RENAME TO users_email_idx2",
    "CREATE INDEX users_n_idx ON users (n)",
    "CREATE UNIQUE INDEX users_n_uidx ON users (n)",
    "DROP INDEX users_email_idx",
    "DROP TABLE widgets",
    "DROP TABLE widgets, events_2025",
    "TRUNCATE widgets",
    "UPDATE users SET n = 2",
    "UPDATE users SET n = 2 WHERE id = 1",
    "DELETE FROM users WHERE id = 1",
    "INSERT INTO widgets VALUES (1, 'a')",
    "CREATE TRIGGER users_noop2 BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION noop_trigger()",
    "REFRESH MATERIALIZED VIEW user_counts",
    "REFRESH MATERIALIZED VIEW CONCURRENTLY user_counts",
    "REINDEX TABLE users",
    "REINDEX INDEX users_email_idx",
    "CLUSTER users USING users_email_idx",
    "LOCK TABLE users IN SHARE MODE",
    "LOCK TABLE users",
    "LOCK TABLE users IN ROW EXCLUSIVE MODE",
    "COMMENT ON TABLE users IS 'people'",
    "COMMENT ON COLUMN users.n IS 'count'",
    "CREATE TABLE teams (id bigint PRIMARY KEY, org_id bigint REFERENCES orgs (id))",
    "CREATE TABLE teams (id bigint, org_id bigint, FOREIGN KEY (org_id) REFERENCES orgs (id))",
    "CREATE TABLE events_2026 PARTITION OF events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01')",
    "ALTER TYPE mood ADD VALUE 'happy'",
    "CREATE VIEW active_users AS SELECT * FROM users WHERE flag",
    "CREATE TABLE users_copy AS SELECT * FROM users",
    "ANALYZE users",
    "DROP TRIGGER users_noop ON users",
    "CREATE POLICY users_own ON users USING (true)",
    "CREATE RULE users_no_delete AS ON DELETE TO users DO INSTEAD NOTHING",
    "ALTER SEQUENCE widgets_seq AS bigint",
};

// Differences between the model and PostgreSQL 15 that a static model cannot avoid, with why.
const std::map<std::string, std::string> kKnownDifferences = {
    {"ALTER TABLE users ALTER COLUMN created TYPE timestamptz",
     "timestamp -> timestamptz skips the rewrite when the server's TimeZone is UTC (as this test server's "
     "is); a "
     "static analysis cannot know the server's TimeZone, so the model assumes a rewrite"},
    {"TRUNCATE widgets",
     "TRUNCATE swaps in a new, empty relation file: relfilenode changes, but no row is copied, so the model "
     "does not "
     "call it a rewrite"},
};

struct Observation {
  std::map<std::string, LockMode> locks;  // strongest per relation ("public.users")
  std::set<std::string> rewritten;
};

LockMode parse_mode(const std::string& mode) {
  static const std::map<std::string, LockMode> modes = {
      {"AccessShareLock", LockMode::AccessShare},
      {"RowShareLock", LockMode::RowShare},
      {"RowExclusiveLock", LockMode::RowExclusive},
      {"ShareUpdateExclusiveLock", LockMode::ShareUpdateExclusive},
      {"ShareLock", LockMode::Share},
      {"ShareRowExclusiveLock", LockMode::ShareRowExclusive},
      {"ExclusiveLock", LockMode::Exclusive},
      {"AccessExclusiveLock", LockMode::AccessExclusive}};
  auto it = modes.find(mode);
  return it == modes.end() ? LockMode::None : it->second;
}

// The user relations as they were before a statement, by oid: name, kind and file node. The model
// speaks of tables, partitioned tables and materialized views (indexes follow their table);
// relations the statement creates are not compared, and renamed ones keep their old name.
struct Relation {
  std::string name;
  std::string kind;
  std::string filenode;
};
using Catalog = std::map<std::string, Relation>;

Catalog catalog(Session& session) {
  Catalog relations;
  for (const auto& row : session.rows("SELECT c.oid, n.nspname || '.' || c.relname, c.relkind, c.relfilenode "
                                      "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                                      "WHERE n.nspname = 'public'")) {
    relations[row[0]] = Relation{row[1], row[2], row[3]};
  }
  return relations;
}

bool is_table_like(const Relation& relation) {
  return relation.kind == "r" || relation.kind == "p" || relation.kind == "m";
}

// Relation locks of one backend (granted or awaited) on tables that existed before the statement.
// ACCESS SHARE (plain reads) is left out: the model does not describe reads, which block only
// ACCESS EXCLUSIVE.
std::map<std::string, LockMode> backend_locks(Session& observer, int pid, const Catalog& before) {
  std::map<std::string, LockMode> locks;
  for (const auto& row :
       observer.rows("SELECT relation, mode FROM pg_locks WHERE locktype = 'relation' AND pid = " +
                     std::to_string(pid))) {
    auto it = before.find(row[0]);
    LockMode mode = parse_mode(row[1]);
    if (it == before.end() || !is_table_like(it->second) || mode == LockMode::AccessShare) {
      continue;
    }
    locks[it->second.name] = std::max(locks[it->second.name], mode);
  }
  return locks;
}

// What the model says for a single statement, in the context of the setup schema.
std::vector<RelationEffect> model_effects(const std::string& sql) {
  static const std::string setup = kSetup;
  RuleSet rules(all_rules(), {}, {});
  // The setup and the statement are two files of one run, so the schema facts of the setup (which
  // table an index belongs to, say) are known as they would be in a real migrations folder.
  SchemaHistory history(2);
  Expected<SourceFile> setup_source = source_from_bytes("0001_setup.sql", setup);
  (void)explain_locks(*setup_source, LintOptions{}, rules, &history, 0);
  Expected<SourceFile> source = source_from_bytes("0002_case.sql", sql + ";");
  FileLocks locks = explain_locks(*source, LintOptions{}, rules, &history, 1);
  EXPECT_EQ(locks.statements.size(), 1U) << sql;
  return locks.statements.empty() ? std::vector<RelationEffect>{} : locks.statements.front().relations;
}

std::string describe(const std::map<std::string, LockMode>& locks) {
  std::string out;
  for (const auto& [name, mode] : locks) {
    out += name + "=" + std::string(lock_mode_name(mode)) + " ";
  }
  return out.empty() ? "(none)" : out;
}

class LockModelAgainstServer : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::string why;
    server_ = ThrowawayServer::start(why).release();
    if (server_ == nullptr) {
      skip_reason_ = new std::string(why);
      return;
    }
    Session session(server_->conninfo());
    ASSERT_TRUE(session.ok()) << session.error();
    ASSERT_EQ(session.exec(kSetup), "");
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  void SetUp() override {
    MIGLINT_REQUIRE_TOOL(server_ != nullptr, "the lock model against a real server (lock_model_pg_test)",
                         skip_reason_ ? *skip_reason_ : std::string());
  }

  // Runs `sql` in BEGIN ... ROLLBACK and returns what it locked and rewrote.
  Observation observe_in_transaction(const std::string& sql, std::string& error) {
    Session session(server_->conninfo());
    Observation seen;
    Catalog before = catalog(session);
    session.exec("BEGIN");
    error = session.exec(sql);
    if (error.empty()) {
      seen.locks = backend_locks(session, session.backend_pid(), before);
      for (const auto& [oid, relation] : catalog(session)) {
        auto old = before.find(oid);
        if (old != before.end() && is_table_like(old->second) && old->second.filenode != relation.filenode) {
          seen.rewritten.insert(old->second.name);
        }
      }
    }
    session.exec("ROLLBACK");
    return seen;
  }

  // The model's prediction, restricted to what is compared: tables that exist on the server.
  Observation predict(const std::string& sql) {
    Session session(server_->conninfo());
    std::set<std::string> tables;
    for (const auto& [oid, relation] : catalog(session)) {
      if (is_table_like(relation)) {
        tables.insert(relation.name);
      }
    }
    Observation predicted;
    for (const RelationEffect& effect : model_effects(sql)) {
      if (!tables.contains(effect.relation)) {
        continue;
      }
      predicted.locks[effect.relation] = std::max(predicted.locks[effect.relation], effect.lock);
      if (effect.rewrite) {
        predicted.rewritten.insert(effect.relation);
      }
    }
    return predicted;
  }

  void compare(const std::string& sql, const Observation& seen) {
    Observation model = predict(sql);
    const auto& predicted = model.locks;
    const auto& predicted_rewrites = model.rewritten;
    auto known = kKnownDifferences.find(sql);
    bool matches = predicted == seen.locks && predicted_rewrites == seen.rewritten;
    if (known != kKnownDifferences.end()) {
      EXPECT_FALSE(matches) << sql << ": listed as a known difference (" << known->second
                            << ") but the model now matches: remove it from kKnownDifferences";
      return;
    }
    EXPECT_EQ(describe(predicted), describe(seen.locks)) << "locks of: " << sql;
    EXPECT_EQ(predicted_rewrites, seen.rewritten) << "rewrites of: " << sql;
  }

  static ThrowawayServer* server_;
  static std::string* skip_reason_;
};

ThrowawayServer* LockModelAgainstServer::server_ = nullptr;
std::string* LockModelAgainstServer::skip_reason_ = nullptr;

TEST_F(LockModelAgainstServer, AlterTableSubCommands) {
  for (const std::string& command : kUsersSubCommands) {
    std::string sql = "ALTER TABLE users " + command;
    std::string error;
    Observation seen = observe_in_transaction(sql, error);
    ASSERT_EQ(error, "") << sql;
    compare(sql, seen);
  }
}

TEST_F(LockModelAgainstServer, OtherStatements) {
  for (const std::string& sql : kStatements) {
    std::string error;
    Observation seen = observe_in_transaction(sql, error);
    ASSERT_EQ(error, "") << sql;
    compare(sql, seen);
  }
}

// Statements PostgreSQL refuses in a transaction block: a blocker session holds them up while an
// observer reads their locks (granted or awaited) from pg_locks.
TEST_F(LockModelAgainstServer, StatementsOutsideTransactions) {
  struct Case {
    std::string sql;
    std::string blocker;  // run in its own open transaction first
  };
  // A snapshot held elsewhere makes the concurrent forms wait after taking their table lock; a
  // conflicting lock makes the others queue for theirs.
  const std::string snapshot = "BEGIN ISOLATION LEVEL REPEATABLE READ; SELECT count(*) FROM orgs";
  const std::vector<Case> cases = {
      {"CREATE INDEX CONCURRENTLY users_n_cidx ON users (n)", snapshot},
      {"DROP INDEX CONCURRENTLY users_email_idx", "BEGIN; SELECT count(*) FROM users"},
      {"REINDEX INDEX CONCURRENTLY users_name_uidx", snapshot},
      // DETACH ... CONCURRENTLY releases its locks while it waits for old snapshots: hold it up on the
      // partition's lock instead, after it has locked the parent.
      {"ALTER TABLE events DETACH PARTITION events_2024 CONCURRENTLY",
       "BEGIN; LOCK TABLE events_2024 IN SHARE UPDATE EXCLUSIVE MODE"},
      {"VACUUM FULL widgets", "BEGIN; SELECT count(*) FROM widgets"},
      {"VACUUM widgets", "BEGIN; LOCK TABLE widgets IN SHARE UPDATE EXCLUSIVE MODE"},
  };
  for (const Case& c : cases) {
    Session blocker(server_->conninfo());
    Session worker(server_->conninfo());
    Session observer(server_->conninfo());
    for (std::size_t start = 0, end; start < c.blocker.size(); start = end + 1) {
      end = c.blocker.find(';', start);
      end = end == std::string::npos ? c.blocker.size() : end;
      ASSERT_EQ(blocker.exec(c.blocker.substr(start, end - start)), "") << c.blocker;
    }
    int pid = worker.backend_pid();
    Catalog before = catalog(observer);
    ASSERT_EQ(PQsendQuery(worker.raw(), c.sql.c_str()), 1) << c.sql;
    // Wait until the worker waits (on a lock or on the blocker's snapshot).
    bool waiting = false;
    for (int i = 0; i < 200 && !waiting; ++i) {
      auto rows =
          observer.rows("SELECT wait_event_type FROM pg_stat_activity WHERE pid = " + std::to_string(pid));
      waiting = !rows.empty() && rows[0][0] == "Lock";
      if (!waiting) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
    }
    ASSERT_TRUE(waiting) << c.sql << " never waited";
    Observation seen;
    seen.locks = backend_locks(observer, pid, before);
    blocker.exec("COMMIT");
    while (PGresult* result = PQgetResult(worker.raw())) {
      EXPECT_EQ(PQresultStatus(result), PGRES_COMMAND_OK) << c.sql << ": " << PQresultErrorMessage(result);
      PQclear(result);
    }
    EXPECT_EQ(describe(predict(c.sql).locks), describe(seen.locks)) << "locks of: " << c.sql;
    // Undo what the statement changed so that the next case sees the setup schema.
    Session fix(server_->conninfo());
    if (c.sql.find("DROP INDEX") != std::string::npos) {
      fix.exec("CREATE INDEX users_email_idx ON users (email)");
    } else if (c.sql.find("DETACH") != std::string::npos) {
      fix.exec(
          "ALTER TABLE events ATTACH PARTITION events_2024 FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')");
    } else if (c.sql.find("CREATE INDEX") != std::string::npos) {
      fix.exec("DROP INDEX users_n_cidx");
    }
  }
}

// Relations of every user schema by oid (catalog() reads public only).
Catalog catalog_of_all_schemas(Session& session) {
  Catalog relations;
  for (const auto& row : session.rows("SELECT c.oid, n.nspname || '.' || c.relname, c.relkind, c.relfilenode "
                                      "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                                      "WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') "
                                      "AND n.nspname NOT LIKE 'pg_toast%'")) {
    relations[row[0]] = Relation{row[1], row[2], row[3]};
  }
  return relations;
}

// The model's locks with its sets of relations ("billing.*": every relation of schema billing)
// spelled out as the tables of `catalog` they stand for.
std::map<std::string, LockMode> expand_relation_sets(const std::vector<RelationEffect>& effects,
                                                     const Catalog& catalog) {
  std::map<std::string, LockMode> locks;
  for (const RelationEffect& effect : effects) {
    for (const auto& [oid, relation] : catalog) {
      bool member = effect.relation == relation.name ||
                    (effect.relation.ends_with(".*") &&
                     relation.name.starts_with(effect.relation.substr(0, effect.relation.size() - 1)));
      if (member && is_table_like(relation)) {
        locks[relation.name] = std::max(locks[relation.name], effect.lock);
      }
    }
  }
  return locks;
}

// DROP SCHEMA ... CASCADE: ACCESS EXCLUSIVE on every table of the schema (the model's "billing.*"),
// on a table elsewhere whose foreign key into the schema is dropped with it, and on a table whose
// trigger runs a function of the schema (both known from the migration that added them).
TEST_F(LockModelAgainstServer, DropSchemaCascade) {
  const std::string schema_setup =
      "CREATE SCHEMA billing;\n"
      "CREATE TABLE billing.invoices (id bigint PRIMARY KEY);\n"
      "CREATE TABLE billing.lines (id bigint PRIMARY KEY, invoice_id bigint REFERENCES billing.invoices "
      "(id));\n"
      "CREATE TABLE payments (id bigint PRIMARY KEY, invoice_id bigint);\n"
      "ALTER TABLE payments ADD CONSTRAINT payments_invoice_fk FOREIGN KEY (invoice_id) REFERENCES "
      "billing.invoices (id);\n"
      "CREATE FUNCTION billing.touch() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;\n"
      "CREATE TABLE audited (id bigint);\n"
      "CREATE TRIGGER audited_touch BEFORE UPDATE ON audited FOR EACH ROW EXECUTE FUNCTION "
      "billing.touch();\n";
  const std::string sql = "DROP SCHEMA billing CASCADE";
  Session session(server_->conninfo());
  ASSERT_EQ(session.exec(schema_setup), "");
  Catalog before = catalog_of_all_schemas(session);
  session.exec("BEGIN");
  std::string error = session.exec(sql);
  std::map<std::string, LockMode> seen = backend_locks(session, session.backend_pid(), before);
  session.exec("ROLLBACK");
  session.exec("DROP SCHEMA billing CASCADE");
  session.exec("DROP TABLE payments, audited");
  ASSERT_EQ(error, "") << sql;

  RuleSet rules(all_rules(), {}, {});
  SchemaHistory history(2);
  Expected<SourceFile> setup = source_from_bytes("0001_setup.sql", std::string(kSetup) + schema_setup);
  (void)explain_locks(*setup, LintOptions{}, rules, &history, 0);
  Expected<SourceFile> source = source_from_bytes("0002_case.sql", sql + ";");
  FileLocks locks = explain_locks(*source, LintOptions{}, rules, &history, 1);
  ASSERT_EQ(locks.statements.size(), 1U);
  std::map<std::string, LockMode> predicted =
      expand_relation_sets(locks.statements.front().relations, before);
  EXPECT_EQ(describe(predicted), describe(seen)) << "locks of: " << sql;
  EXPECT_TRUE(seen.contains("public.payments")) << describe(seen);
  EXPECT_TRUE(seen.contains("public.audited")) << describe(seen);
}

// CLUSTER and VACUUM FULL without a table: each table in a transaction of its own, under ACCESS
// EXCLUSIVE. The model's "*" (every table) is checked on the table a blocker holds them up on: the
// statement waits there for ACCESS EXCLUSIVE, and holds no other lock meanwhile.
TEST_F(LockModelAgainstServer, DatabaseWideRewrites) {
  struct Case {
    std::string sql;
    std::string blocked_table;
  };
  Session setup(server_->conninfo());
  ASSERT_EQ(setup.exec("ALTER TABLE users CLUSTER ON users_email_idx"), "");  // CLUSTER's candidate
  for (const Case& c : {Case{"VACUUM FULL", "public.widgets"}, Case{"CLUSTER", "public.users"}}) {
    std::vector<RelationEffect> model = model_effects(c.sql);
    ASSERT_EQ(model.size(), 1U) << c.sql;
    EXPECT_EQ(model[0].relation, std::string(kEveryTable)) << c.sql;
    EXPECT_EQ(model[0].lock, LockMode::AccessExclusive) << c.sql;
    EXPECT_TRUE(model[0].rewrite) << c.sql;

    Session blocker(server_->conninfo());
    Session worker(server_->conninfo());
    Session observer(server_->conninfo());
    ASSERT_EQ(blocker.exec("BEGIN"), "");
    ASSERT_EQ(blocker.exec("SELECT count(*) FROM " + c.blocked_table), "");
    Catalog before = catalog(observer);
    int pid = worker.backend_pid();
    ASSERT_EQ(PQsendQuery(worker.raw(), c.sql.c_str()), 1) << c.sql;
    std::map<std::string, LockMode> seen;
    for (int i = 0; i < 500 && !seen.contains(c.blocked_table); ++i) {
      auto rows =
          observer.rows("SELECT wait_event_type FROM pg_stat_activity WHERE pid = " + std::to_string(pid));
      if (!rows.empty() && rows[0][0] == "Lock") {
        seen = backend_locks(observer, pid, before);
      } else {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
    }
    blocker.exec("COMMIT");
    while (PGresult* result = PQgetResult(worker.raw())) {
      EXPECT_EQ(PQresultStatus(result), PGRES_COMMAND_OK) << c.sql << ": " << PQresultErrorMessage(result);
      PQclear(result);
    }
    ASSERT_TRUE(seen.contains(c.blocked_table)) << c.sql << " never waited on " << c.blocked_table;
    for (const auto& [name, mode] : seen) {
      EXPECT_EQ(mode, LockMode::AccessExclusive) << c.sql << " on " << name;
    }
  }
  setup.exec("ALTER TABLE users SET WITHOUT CLUSTER");
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

// Every statement of every fixture, run on the server in its fixture's order. Each fixture gets a
// fresh database; a statement is measured in BEGIN ... ROLLBACK, then applied so that the next one
// sees its schema. The setup a statement needs is made on the fly: a missing table is created
// (id bigint PRIMARY KEY), a missing column added (text), and the statement tried again. What still
// fails (wrong types, statements that cannot run in a transaction, syntax the fixture is about) is
// skipped; the test requires that most statements ran.
TEST_F(LockModelAgainstServer, FixtureStatements) {
  namespace fs = std::filesystem;
  std::vector<fs::path> files;
  for (const auto& entry : fs::recursive_directory_iterator(fs::path(MIGLINT_SOURCE_DIR) / "fixtures")) {
    // fixtures/trace holds what the static model cannot see (tests/trace_pg_test.cpp traces it).
    if (entry.is_regular_file() && entry.path().extension() == ".sql" &&
        entry.path().string().find("/fixtures/trace/") == std::string::npos) {
      files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  std::size_t measured = 0;
  std::size_t statements = 0;
  int database = 0;
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
    RuleSet rules(all_rules(), {}, {});
    FileLocks model = explain_locks(*source, LintOptions{}, rules);
    std::string name = "fixture_" + std::to_string(database++ % 2);
    // A clean public schema per fixture (cheaper than a database per fixture).
    {
      Session reset(server_->conninfo());
      if (database <= 2) {
        reset.exec("CREATE DATABASE " + name);
      }
    }
    {
      Session session(server_->conninfo(name));
      ASSERT_TRUE(session.ok()) << session.error();
      session.exec("DROP SCHEMA public CASCADE");
      session.exec("CREATE SCHEMA public");

      ASSERT_TRUE(session.ok()) << session.error();
      // The statements in file order, parsed the same way the linter parses them.
      simdjson::dom::parser parser;
      ParsedSql parsed = parse_sql(source->c_str(), source->size(), parser);
      // The model's entries by where their statement starts: statements only newer PostgreSQL parses
      // (read from their tokens) have entries too, between the parsed ones.
      std::map<std::pair<uint32_t, uint32_t>, std::size_t> entry_at;
      for (std::size_t k = 0; k < model.statements.size(); ++k) {
        entry_at[{model.statements[k].start.line, model.statements[k].start.column}] = k;
      }
      for (std::size_t i = 0; i < parsed.statements.size(); ++i) {
        Statement statement(*source, parsed.statements[i].ast, parsed.statements[i].raw,
                            parsed.statements[i].location_base, static_cast<uint32_t>(i));
        Position start = source->position(statement.begin());
        auto entry = entry_at.find({start.line, start.column});
        if (entry == entry_at.end()) {
          ADD_FAILURE() << file.filename() << ": no lock model entry for the statement at " << start.line
                        << ":" << start.column;
          continue;
        }
        const StatementLocks& modelled = model.statements[entry->second];
        std::string sql(statement.text());
        std::string_view kind = statement.kind();
        if (kind == "TransactionStmt" || kind == "VariableSetStmt") {
          continue;
        }
        ++statements;
        std::string error;
        Observation seen;
        for (int attempt = 0; attempt < 6; ++attempt) {
          Catalog before = catalog(session);
          session.exec("BEGIN");
          error = session.exec(sql);
          if (error.empty()) {
            seen.locks = backend_locks(session, session.backend_pid(), before);
            for (const auto& [oid, relation] : catalog(session)) {
              auto old = before.find(oid);
              if (old != before.end() && is_table_like(old->second) &&
                  old->second.filenode != relation.filenode) {
                seen.rewritten.insert(old->second.name);
              }
            }
          }
          session.exec("ROLLBACK");
          if (error.empty()) {
            break;
          }
          // Make the setup the statement needs, then try again.
          std::smatch match;
          static const std::regex missing_relation(R"re(relation "([^"]+)" does not exist)re");
          static const std::regex missing_column(
              R"re(column "([^"]+)" of relation "([^"]+)" does not exist)re");
          static const std::regex missing_column_plain(R"re(column "([^"]+)" does not exist)re");
          if (std::regex_search(error, match, missing_column)) {
            session.exec("ALTER TABLE \"" + match[2].str() + "\" ADD COLUMN \"" + match[1].str() + "\" text");
          } else if (std::regex_search(error, match, missing_relation) && !names_an_index(statement)) {
            std::string relation = match[1].str();
            std::string table =
                relation.substr(relation.find('.') == std::string::npos ? 0 : relation.find('.') + 1);
            if (relation.find('.') != std::string::npos) {
              session.exec("CREATE SCHEMA IF NOT EXISTS " + relation.substr(0, relation.find('.')));
            }
            session.exec("CREATE TABLE " + relation + " (id bigint PRIMARY KEY)");
          } else if (std::regex_search(error, match, missing_column_plain) && kind != "CreateStmt") {
            Node range_var = statement.body()["relation"];
            if (!range_var) {
              break;
            }
            session.exec("ALTER TABLE " + display_name(range_var) + " ADD COLUMN \"" + match[1].str() +
                         "\" text");
          } else {
            break;
          }
        }
        if (!error.empty()) {
          continue;  // not measurable here; the statement is still applied below if it can be
        }
        ++measured;
        Observation predicted;
        std::set<std::string> existing;
        for (const auto& [oid, relation] : catalog(session)) {
          if (is_table_like(relation)) {
            existing.insert(relation.name);
          }
        }
        for (const RelationEffect& effect : modelled.relations) {
          if (existing.contains(effect.relation)) {
            predicted.locks[effect.relation] = std::max(predicted.locks[effect.relation], effect.lock);
            if (effect.rewrite) {
              predicted.rewritten.insert(effect.relation);
            }
          }
        }
        bool truncate = kind == "TruncateStmt";
        if (truncate && statement.body()["behavior"].str() == "DROP_CASCADE") {
          // TRUNCATE ... CASCADE also empties (and locks) every table whose foreign keys point at the
          // named ones; a static model knows only the foreign keys added by the migrations it read.
          std::erase_if(seen.locks,
                        [&](const auto& seen_lock) { return !predicted.locks.contains(seen_lock.first); });
        }
        EXPECT_EQ(describe(predicted.locks), describe(seen.locks))
            << file.filename() << ": locks of: " << sql;
        // A rewrite the model predicts for a column of unknown type (made up here as text) is not
        // a difference: the model assumes a rewrite when it cannot know. TRUNCATE swaps in an empty
        // file without copying a row: not a rewrite.
        if (predicted.rewritten != seen.rewritten && !(seen.rewritten.empty() && kind == "AlterTableStmt") &&
            !truncate) {
          ADD_FAILURE() << file.filename() << ": rewrites of: " << sql;
        }
        session.exec(sql);  // apply it, so that later statements see its schema
      }
    }
  }
  // Most fixture statements run on the made-up setup; a drop here means the harness broke.
  EXPECT_GT(measured * 2, statements) << measured << " of " << statements << " fixture statements measured";
  std::cout << "[ INFO     ] measured " << measured << " of " << statements << " fixture statements\n";
}

}  // namespace
