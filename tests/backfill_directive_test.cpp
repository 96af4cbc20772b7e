// `-- miglint-backfill` (docs/runner.md, "Managed backfills"): the directive as the analyzer reads it,
// the statement it applies to, the statements that cannot be batched, the SQL of one batch, and the
// runner's plan for a file with backfills.
#include <gtest/gtest.h>

#include "analyzer/project/transaction_plan.hpp"
#include "analyzer/sql/backfill_statement.hpp"
#include "analyzer/sql/file_model.hpp"
#include "runner/script.hpp"

namespace miglint {
namespace {

BackfillDirective read(std::string_view body) {
  std::optional<BackfillDirective> directive = read_backfill_directive(body, ByteSpan{0, 0});
  EXPECT_TRUE(directive.has_value()) << body;
  return directive.value_or(BackfillDirective{});
}

TEST(BackfillDirective, ReadsItsParameters) {
  BackfillDirective directive = read("miglint-backfill batch=5000 sleep=100ms key=id");
  EXPECT_EQ(directive.problem, "");
  EXPECT_EQ(directive.batch, 5000u);
  EXPECT_EQ(directive.sleep.count(), 100);
  EXPECT_EQ(directive.key, "id");
  BackfillDirective defaults = read("miglint-backfill");
  EXPECT_EQ(defaults.problem, "");
  EXPECT_EQ(defaults.batch, 1000u);
  EXPECT_EQ(defaults.sleep.count(), 0);
  EXPECT_EQ(defaults.key, "id");
  EXPECT_EQ(read("miglint-backfill key=Account_ID").key, "account_id");  // folded, as PostgreSQL does
  EXPECT_EQ(read("miglint-backfill key=\"Id\"").key, "Id");
  EXPECT_EQ(read("miglint-backfill key=\"a\"\"b\"").key, "a\"b");
  EXPECT_EQ(read("miglint-backfill batch=10 -- a reason").problem, "");
}

TEST(BackfillDirective, MalformedOnesSayWhatIsWrong) {
  EXPECT_NE(read("MIGLINT-BACKFILL batch=10").problem.find("lower case"), std::string::npos);
  EXPECT_NE(read("miglint-backfill: batch=10").problem.find("after the keyword"), std::string::npos);
  EXPECT_NE(read("miglint-backfill batch=0").problem.find("batch="), std::string::npos);
  EXPECT_NE(read("miglint-backfill batch=2000000").problem.find("batch="), std::string::npos);
  EXPECT_NE(read("miglint-backfill batch=10x").problem.find("batch="), std::string::npos);
  EXPECT_NE(read("miglint-backfill sleep=soon").problem.find("sleep="), std::string::npos);
  EXPECT_NE(read("miglint-backfill key=a,b").problem.find("key="), std::string::npos);  // composite
  EXPECT_NE(read("miglint-backfill key=1a").problem.find("key="), std::string::npos);
  EXPECT_NE(read("miglint-backfill size=3").problem.find("unknown parameter `size`"), std::string::npos);
  EXPECT_NE(read("miglint-backfill batch=1 batch=2").problem.find("twice"), std::string::npos);
  EXPECT_NE(read("miglint-backfill 5000").problem.find("name=value"), std::string::npos);
  EXPECT_FALSE(read_backfill_directive("miglint-backfills batch=1", ByteSpan{}).has_value());
  EXPECT_FALSE(read_backfill_directive("see miglint-backfill below", ByteSpan{}).has_value());
}

struct Parsed {
  SourceFile source;
  FileModel model;
  explicit Parsed(std::string sql) : source("m.sql", std::move(sql)), model(build_model(source)) {}
};

TEST(BackfillDirective, AppliesToTheNextStatementWhenItIsAnUpdateOrDelete) {
  Parsed file(
      "ALTER TABLE t ADD COLUMN c int;\n"
      "-- miglint-backfill batch=10\n"
      "UPDATE t SET c = 1;\n"
      "-- miglint-backfill\n"
      "SELECT 1;\n"
      "-- miglint-backfill sleep=x\n"
      "DELETE FROM t;\n"
      "-- miglint-backfill\n");
  std::vector<BackfillUse> uses = resolve_backfills(file.model);
  ASSERT_EQ(uses.size(), 4u);
  EXPECT_EQ(uses[0].statement, std::optional<std::size_t>(1));
  EXPECT_EQ(uses[0].problem, "");
  EXPECT_FALSE(uses[1].statement.has_value());
  EXPECT_NE(uses[1].problem.find("not an UPDATE or a DELETE"), std::string::npos);
  EXPECT_FALSE(uses[2].statement.has_value());
  EXPECT_NE(uses[2].problem.find("sleep="), std::string::npos);
  EXPECT_NE(uses[3].problem.find("no statement follows"), std::string::npos);
}

std::string shape_problem(const std::string& sql) {
  Parsed file(sql);
  return backfill_statement_problem(file.model.statements.at(0), "id");
}

TEST(BackfillDirective, RefusesWhatCannotBeBatchedByItsKey) {
  EXPECT_EQ(shape_problem("UPDATE t SET n = n + 1 WHERE n < 5"), "");
  EXPECT_EQ(shape_problem("DELETE FROM t WHERE id IN (SELECT id FROM u)"), "");
  EXPECT_NE(shape_problem("UPDATE t SET n = u.n FROM u WHERE u.id = t.id").find("FROM"), std::string::npos);
  EXPECT_NE(shape_problem("DELETE FROM t USING u WHERE u.id = t.id").find("USING"), std::string::npos);
  EXPECT_NE(shape_problem("UPDATE t SET n = 1 RETURNING id").find("RETURNING"), std::string::npos);
  EXPECT_NE(shape_problem("WITH x AS (SELECT 1) UPDATE t SET n = 1").find("WITH"), std::string::npos);
  EXPECT_NE(shape_problem("UPDATE t SET id = id + 1").find("key column"), std::string::npos);
  EXPECT_NE(shape_problem("DELETE FROM t WHERE CURRENT OF c").find("CURRENT OF"), std::string::npos);
}

TEST(BackfillDirective, ABatchKeepsTheStatementsWhereAndAddsTheKeyRange) {
  Parsed file(
      "UPDATE app.items AS i SET n = (SELECT max(v) FROM w WHERE w.id = i.id) -- why\n"
      "  WHERE n IS NULL OR i.flag;\n"
      "DELETE FROM ONLY logs;\n"
      "update \"Where\" set \"where\" = 1 where \"where\" = 2");
  Expected<BackfillSql> update = backfill_sql(file.model.statements.at(0), "id");
  ASSERT_TRUE(update) << update.error().message;
  EXPECT_EQ(update->table, "\"app\".\"items\"");
  EXPECT_EQ(update->from, "\"app\".\"items\" AS \"i\"");
  EXPECT_EQ(update->key_ref, "\"i\".\"id\"");
  EXPECT_EQ(update->batch(std::nullopt, 100),
            "UPDATE app.items AS i SET n = (SELECT max(v) FROM w WHERE w.id = i.id) -- why\n"
            "   WHERE ( n IS NULL OR i.flag) AND \"i\".\"id\" <= 100");
  EXPECT_EQ(update->range(-5, 7), "\"i\".\"id\" > -5 AND \"i\".\"id\" <= 7");
  Expected<BackfillSql> remove = backfill_sql(file.model.statements.at(1), "id");
  ASSERT_TRUE(remove) << remove.error().message;
  EXPECT_EQ(remove->from, "ONLY \"logs\"");
  EXPECT_EQ(remove->batch(10, 20),
            "DELETE FROM ONLY logs WHERE \"logs\".\"id\" > 10 AND \"logs\".\"id\" <= 20");
  Expected<BackfillSql> quoted = backfill_sql(file.model.statements.at(2), "id");
  ASSERT_TRUE(quoted) << quoted.error().message;
  EXPECT_EQ(quoted->condition, " \"where\" = 2");
}

TEST(BackfillDirective, TheRunnerRunsBackfillsAfterTheSchemaPartEachInASegmentOfItsOwn) {
  SourceFile source("0001_x.sql",
                    "ALTER TABLE t ADD COLUMN c int;\n"
                    "ALTER TABLE t ADD COLUMN d int;\n"
                    "-- miglint-backfill batch=10\n"
                    "UPDATE t SET c = 1;\n"
                    "-- miglint-backfill batch=10\n"
                    "DELETE FROM t WHERE d = 3;\n");
  Expected<runner::MigrationScript> script = runner::plan_script(source, 15);
  ASSERT_TRUE(script) << script.error().message;
  EXPECT_EQ(script->mode, ScriptMode::Segmented);
  ASSERT_EQ(script->segments.size(), 3u);
  EXPECT_EQ(script->segments[0].kind, TransactionSegment::Kind::Wrapped);
  EXPECT_EQ(script->segments[0].last, 2u);
  EXPECT_EQ(script->segments[1].kind, TransactionSegment::Kind::Autocommit);
  EXPECT_TRUE(script->statements[2].backfill != nullptr);
  EXPECT_TRUE(script->statements[3].backfill != nullptr);
  EXPECT_FALSE(script->statements[0].backfill != nullptr);

  SourceFile after("0002_x.sql",
                   "-- miglint-backfill\n"
                   "UPDATE t SET c = 1;\n"
                   "ALTER TABLE t ALTER COLUMN c SET NOT NULL;\n");
  Expected<runner::MigrationScript> refused = runner::plan_script(after, 15);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("0002_x.sql:3:1: ALTER TABLE"), std::string::npos)
      << refused.error().message;
  EXPECT_NE(refused.error().message.find("must come last"), std::string::npos);

  SourceFile malformed("0003_x.sql", "-- miglint-backfill batch=none\nUPDATE t SET c = 1;\n");
  Expected<runner::MigrationScript> bad = runner::plan_script(malformed, 15);
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("0003_x.sql:1:1: this -- miglint-backfill directive batches nothing"),
            std::string::npos)
      << bad.error().message;

  SourceFile joined("0004_x.sql", "-- miglint-backfill\nUPDATE t SET c = u.c FROM u WHERE u.id = t.id;\n");
  Expected<runner::MigrationScript> join = runner::plan_script(joined, 15);
  ASSERT_FALSE(join);
  EXPECT_NE(join.error().message.find("0004_x.sql:2:1: this statement cannot be run as a backfill"),
            std::string::npos)
      << join.error().message;
}

}  // namespace
}  // namespace miglint
