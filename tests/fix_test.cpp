// Fixes (fixes/) and `lint --fix` / `--diff`: every fix on every fixture that fires a fixable rule and
// on the corpus (../shared/corpus/sql) leaves a file that parses, on which the fixed rule no longer
// fires, with no new finding of any rule, and which a second --fix leaves as it is. Plus the edit
// type, the unified diff, the atomic write and line endings.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>

#include "analyzer/text/atomic_write.hpp"
#include "analyzer/text/text_edit.hpp"
#include "analyzer/text/unified_diff.hpp"
#include "fixes/constraint_names.hpp"
#include "fixes/file_fixes.hpp"
#include "rules/registry.hpp"
#include "tests/fixture_support.hpp"

namespace fs = std::filesystem;
using namespace miglint;

namespace {

constexpr int kMaxPasses = 8;

struct FixOutcome {
  std::string text;                    // after every pass
  std::map<std::string, int> applied;  // fixes applied, by rule
  std::map<std::string, int> before;   // unsuppressed findings by rule, before
  std::map<std::string, int> after;    // the same after
  int passes = 0;
  bool settled = false;  // a last pass found nothing more to fix
};

std::map<std::string, int> count_by_rule(const FileResult& result) {
  std::map<std::string, int> counts;
  for (const Finding& finding : result.findings) {
    if (!finding.suppressed) {
      ++counts[finding.rule];
    }
  }
  return counts;
}

// What `lint --fix` does to one file, in memory: passes until nothing more is fixed.
FixOutcome fix_in_memory(const std::string& path, std::string text, const LintOptions& options,
                         const RuleSet& rules) {
  FixOutcome outcome;
  for (int pass = 0; pass <= kMaxPasses; ++pass) {
    SourceFile source(path, text);
    FileResult result = lint_source(source, options, rules);
    if (pass == 0) {
      outcome.before = count_by_rule(result);
    }
    outcome.after = count_by_rule(result);
    attach_fixes(source, result, options, FixSettings{});
    FileFixPlan plan = choose_fixes(source, result);
    if (plan.edits.empty()) {
      outcome.settled = true;
      break;
    }
    std::set<const Finding*> seen;
    for (const Finding& finding : result.findings) {
      // The fixes taken are those whose every edit is in the plan.
      if (finding.fix &&
          std::all_of(finding.fix->edits.begin(), finding.fix->edits.end(), [&](const TextEdit& edit) {
            return std::find(plan.edits.begin(), plan.edits.end(), edit) != plan.edits.end();
          })) {
        ++outcome.applied[finding.rule];
      }
    }
    text = apply_to_file_bytes(text, plan.edits);
    outcome.passes = pass + 1;
  }
  outcome.text = text;
  return outcome;
}

// Problems of one fixed file, one line each.
std::vector<std::string> fix_problems(const std::string& path, const FixOutcome& outcome) {
  std::vector<std::string> problems;
  if (!outcome.settled) {
    problems.push_back(path + ": fixes still found after " + std::to_string(kMaxPasses) + " passes");
  }
  for (const char* parse_rule : {"syntax-error", "unsupported-syntax"}) {
    int before = outcome.before.contains(parse_rule) ? outcome.before.at(parse_rule) : 0;
    int after = outcome.after.contains(parse_rule) ? outcome.after.at(parse_rule) : 0;
    if (after > before) {
      problems.push_back(path + ": the fixed file does not parse (" + parse_rule + ")");
    }
  }
  for (const auto& [rule, after] : outcome.after) {
    int before = outcome.before.contains(rule) ? outcome.before.at(rule) : 0;
    int applied = outcome.applied.contains(rule) ? outcome.applied.at(rule) : 0;
    if (after > before - applied) {
      problems.push_back(path + ": " + rule + ": " + std::to_string(before) + " findings before, " +
                         std::to_string(applied) + " fixed, " + std::to_string(after) + " after");
    }
  }
  return problems;
}

struct Totals {
  int files = 0;
  int fixed_files = 0;
  int fixes = 0;
  std::vector<std::string> problems;
};

void check_file(const std::string& path, const std::string& text, const LintOptions& options,
                const RuleSet& rules, Totals& totals) {
  ++totals.files;
  FixOutcome outcome = fix_in_memory(path, text, options, rules);
  if (outcome.text == text) {
    return;
  }
  ++totals.fixed_files;
  for (const auto& [rule, count] : outcome.applied) {
    totals.fixes += count;
  }
  std::vector<std::string> problems = fix_problems(path, outcome);
  totals.problems.insert(totals.problems.end(), problems.begin(), problems.end());
}

std::string read(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace

TEST(FixEdits, ConflictsAndSelection) {
  SourceFile source("a.sql", "CREATE INDEX i ON t (a);\n");
  TextEdit insert = make_edit(source, {12, 12}, " CONCURRENTLY");
  TextEdit same_point = make_edit(source, {12, 12}, " X");
  TextEdit replace = make_edit(source, {7, 12}, "UNIQUE INDEX");
  TextEdit inside = make_edit(source, {10, 10}, "Y");
  EXPECT_FALSE(edits_conflict(insert, insert));
  EXPECT_FALSE(edits_conflict(insert, same_point));
  EXPECT_FALSE(edits_conflict(insert, replace));  // at its end, not inside
  EXPECT_TRUE(edits_conflict(inside, replace));
  EXPECT_EQ(insert.start.line, 1u);
  EXPECT_EQ(insert.start.column, 13u);
  Fix a{"a", {insert}, ""};
  Fix b{"b", {inside}, ""};
  Fix c{"c", {replace}, ""};
  Fix d{"d", {insert}, ""};  // the same edit as a: shared
  std::array<const Fix*, 4> offered{&a, &c, &b, &d};
  FixSelection selection = select_fixes(offered);
  EXPECT_EQ(selection.applied, (std::vector<std::size_t>{0, 1, 3}));
  EXPECT_EQ(selection.conflicts, (std::vector<std::size_t>{2}));
  ASSERT_EQ(selection.edits.size(), 2u);
  EXPECT_EQ(apply_edits(source.text(), selection.edits), "CREATE UNIQUE INDEX CONCURRENTLY i ON t (a);\n");
}

TEST(FixEdits, ByteOrderMarkStaysFirst) {
  std::string bytes =
      "\xEF\xBB\xBF"
      "CREATE INDEX i ON t (a);\n";
  SourceFile source("a.sql", bytes);
  std::vector<TextEdit> edits{make_edit(source, {0, 0}, "-- miglint-no-transaction\n")};
  EXPECT_EQ(apply_to_file_bytes(bytes, edits),
            "\xEF\xBB\xBF-- miglint-no-transaction\nCREATE INDEX i ON t (a);\n");
}

TEST(UnifiedDiff, Hunks) {
  EXPECT_EQ(unified_diff("a.sql", "x\n", "x\n"), "");
  std::string before;
  std::string after;
  for (int i = 1; i <= 20; ++i) {
    before += "line " + std::to_string(i) + "\n";
    after += (i == 2 ? std::string("changed 2") : "line " + std::to_string(i)) + "\n";
    if (i == 15) {
      after += "inserted\n";
    }
  }
  EXPECT_EQ(unified_diff("m/a.sql", before, after),
            "--- a/m/a.sql\n+++ b/m/a.sql\n"
            "@@ -1,5 +1,5 @@\n line 1\n-line 2\n+changed 2\n line 3\n line 4\n line 5\n"
            "@@ -13,6 +13,7 @@\n line 13\n line 14\n line 15\n+inserted\n line 16\n line 17\n line 18\n");
  EXPECT_EQ(unified_diff("a.sql", "a\nb", "a\nc"),
            "--- a/a.sql\n+++ b/a.sql\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+c\n"
            "\\ No newline at end of file\n");
}

TEST(AtomicWrite, ReplacesAndKeepsPermissions) {
  fs::path dir = fs::temp_directory_path() / ("miglint-fix-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  fs::path file = dir / "m.sql";
  std::ofstream(file) << "old";
  ::chmod(file.c_str(), 0640);
  ASSERT_FALSE(write_file_atomically(file.string(), "new contents"));
  EXPECT_EQ(read(file), "new contents");
  struct stat status {};
  ::stat(file.c_str(), &status);
  EXPECT_EQ(status.st_mode & 0777, 0640u);
  EXPECT_EQ(std::distance(fs::directory_iterator(dir), fs::directory_iterator{}), 1);  // no temporary left
  std::optional<Error> failed = write_file_atomically((dir / "missing" / "m.sql").string(), "x");
  ASSERT_TRUE(failed);
  EXPECT_NE(failed->message.find("temporary"), std::string::npos);
  fs::remove_all(dir);
}

TEST(FixRules, CrlfAndTransactions) {
  RuleSet rules(all_rules(), {}, {});
  LintOptions options;
  // CRLF: inserted lines end in CRLF too.
  FixOutcome crlf = fix_in_memory(
      "a.sql", "ALTER TABLE t ADD COLUMN c char(3);\r\nCREATE INDEX i ON t (a);\r\n", options, rules);
  EXPECT_EQ(
      crlf.text,
      "SET lock_timeout = '2s';\r\nSET statement_timeout = '1min';\r\nALTER TABLE t ADD COLUMN c text;\r\n"
      "CREATE INDEX CONCURRENTLY i ON t (a);\r\n");
  // Wrapped by the tool with nothing else: out of the transaction.
  options.assume_in_transaction = true;
  FixOutcome wrapped = fix_in_memory("a.sql", "CREATE INDEX i ON t (a);\n", options, rules);
  EXPECT_EQ(wrapped.text, "-- miglint-no-transaction\nCREATE INDEX CONCURRENTLY i ON t (a);\n");
  // Wrapped with a statement that needs the transaction: no CONCURRENTLY fix.
  FixOutcome kept = fix_in_memory("a.sql", "UPDATE t SET a = 1;\nCREATE INDEX i ON t (a);\n", options, rules);
  EXPECT_EQ(kept.text.find("CONCURRENTLY"), std::string::npos) << kept.text;
  // Inside the file's own transaction: NOT VALID, and VALIDATE after the COMMIT; SET LOCAL.
  options.assume_in_transaction = false;
  FixOutcome explicit_tx = fix_in_memory(
      "a.sql", "BEGIN;\nALTER TABLE t ADD CONSTRAINT c CHECK (a > 0);\nCOMMIT;\n", options, rules);
  EXPECT_NE(explicit_tx.text.find("CHECK (a > 0) NOT VALID;"), std::string::npos) << explicit_tx.text;
  EXPECT_NE(explicit_tx.text.find("COMMIT;\nALTER TABLE t VALIDATE CONSTRAINT c;\n"), std::string::npos)
      << explicit_tx.text;
  EXPECT_NE(explicit_tx.text.find("SET LOCAL lock_timeout"), std::string::npos) << explicit_tx.text;
  // Suppressed findings are not fixed.
  std::string ignored = "-- miglint-ignore prefer-text-field -- legacy\nCREATE TABLE t (a varchar(10));\n";
  EXPECT_EQ(fix_in_memory("a.sql", ignored, options, rules).text, ignored);
  // dbmate: transaction:false on the section's marker.
  FixOutcome dbmate =
      fix_in_memory("a.sql", "-- migrate:up\nCREATE INDEX i ON t (a);\n\n-- migrate:down\n", options, rules);
  EXPECT_NE(dbmate.text.find("-- migrate:up transaction:false\nCREATE INDEX CONCURRENTLY i"),
            std::string::npos)
      << dbmate.text;
}

TEST(ConstraintNames, AsPostgresMakesThem) {
  EXPECT_EQ(postgres_object_name("orders", "customer_id", "fkey"), "orders_customer_id_fkey");
  EXPECT_EQ(postgres_object_name("orders", "", "check"), "orders_check");
  // Too long: the longer name is cut first, one byte at a time (a tie cuts the second), to 63 bytes.
  EXPECT_EQ(postgres_object_name(std::string(40, 'a'), std::string(40, 'b'), "fkey"),
            std::string(29, 'a') + "_" + std::string(28, 'b') + "_fkey");
  // Cut at a character boundary: 55 bytes of two-byte letters keep 27 of them (54 bytes).
  std::string accents;
  for (int i = 0; i < 30; ++i) {
    accents += "\xC3\xA9";  // é
  }
  EXPECT_EQ(postgres_object_name(accents, "c", "check"), accents.substr(0, 54) + "_c_check");
}

TEST(FixRules, UnnamedConstraintsGetThePostgresName) {
  LintOptions options;
  auto fixed = [&](const std::string& rule, const std::string& text) {
    RuleSet rules(all_rules(), {rule}, {});
    return fix_in_memory("a.sql", text, options, rules).text;
  };
  EXPECT_EQ(fixed("adding-foreign-key-constraint",
                  "ALTER TABLE shipments ADD FOREIGN KEY (order_id, line) REFERENCES order_lines (order_id, "
                  "line);\n"),
            "ALTER TABLE shipments ADD CONSTRAINT shipments_order_id_line_fkey FOREIGN KEY (order_id, line) "
            "REFERENCES order_lines (order_id, line) NOT VALID;\n"
            "ALTER TABLE shipments VALIDATE CONSTRAINT shipments_order_id_line_fkey;\n");
  EXPECT_EQ(
      fixed("adding-foreign-key-constraint",
            "ALTER TABLE \"Invoices\" ADD FOREIGN KEY (\"CustomerId\") REFERENCES customers;\n"),
      "ALTER TABLE \"Invoices\" ADD CONSTRAINT \"Invoices_CustomerId_fkey\" FOREIGN KEY (\"CustomerId\") "
      "REFERENCES customers NOT VALID;\n"
      "ALTER TABLE \"Invoices\" VALIDATE CONSTRAINT \"Invoices_CustomerId_fkey\";\n");
  // ADD COLUMN ... REFERENCES: the key becomes a sub-command of its own, its clauses kept.
  EXPECT_EQ(
      fixed("adding-foreign-key-constraint",
            "ALTER TABLE tickets ADD COLUMN agent_id bigint REFERENCES agents (id) ON DELETE SET NULL;\n"),
      "ALTER TABLE tickets ADD COLUMN agent_id bigint, ADD CONSTRAINT tickets_agent_id_fkey FOREIGN KEY "
      "(agent_id) REFERENCES agents (id) ON DELETE SET NULL NOT VALID;\n"
      "ALTER TABLE tickets VALIDATE CONSTRAINT tickets_agent_id_fkey;\n");
  EXPECT_EQ(
      fixed("adding-foreign-key-constraint",
            "ALTER TABLE tickets ADD COLUMN q bigint CONSTRAINT q_fk REFERENCES queues DEFERRABLE NOT NULL,\n"
            "  ADD COLUMN note text;\n"),
      "ALTER TABLE tickets ADD COLUMN q bigint NOT NULL, ADD CONSTRAINT q_fk FOREIGN KEY (q) REFERENCES "
      "queues DEFERRABLE NOT VALID,\n  ADD COLUMN note text;\n"
      "ALTER TABLE tickets VALIDATE CONSTRAINT q_fk;\n");
  EXPECT_EQ(fixed("constraint-missing-not-valid",
                  "BEGIN;\nALTER TABLE products ADD CHECK (price > 0 AND products.price < 100);\nCOMMIT;\n"),
            "BEGIN;\nALTER TABLE products ADD CONSTRAINT products_price_check CHECK (price > 0 AND "
            "products.price < 100) NOT VALID;\nCOMMIT;\n"
            "ALTER TABLE products VALIDATE CONSTRAINT products_price_check;\n");
  EXPECT_EQ(fixed("constraint-missing-not-valid", "ALTER TABLE products ADD CHECK (low <= high);\n"),
            "ALTER TABLE products ADD CONSTRAINT products_check CHECK (low <= high) NOT VALID;\n"
            "ALTER TABLE products VALIDATE CONSTRAINT products_check;\n");
  // No name where PostgreSQL would number one of two alike, nor for a reference it resolves at run time.
  for (const std::string& unsure : {std::string("ALTER TABLE t ADD CHECK (a > 0), ADD CHECK (a < 9);\n"),
                                    std::string("ALTER TABLE t ADD CHECK (a > 0);\nALTER TABLE t ADD "
                                                "CONSTRAINT t_a_check CHECK (a < 9) NOT VALID;\n"),
                                    std::string("ALTER TABLE t ADD CHECK (t IS NOT NULL);\n"),
                                    std::string("ALTER TABLE t ADD CHECK ((a).x > 0 AND a.x > 0);\n")}) {
    EXPECT_EQ(fixed("constraint-missing-not-valid", unsure), unsure);
  }
  std::string if_not_exists = "ALTER TABLE t ADD COLUMN IF NOT EXISTS u_id bigint REFERENCES u;\n";
  EXPECT_EQ(fixed("adding-foreign-key-constraint", if_not_exists), if_not_exists);
}

TEST(FixRules, EveryFixtureThatFiresAFixableRule) {
  RuleSet rules(all_rules(), {}, {});
  Totals totals;
  for (const auto& entry : fs::recursive_directory_iterator(fs::path(MIGLINT_SOURCE_DIR) / "fixtures")) {
    if (entry.path().extension() != ".sql" || !entry.is_regular_file()) {
      continue;
    }
    fixtures::Fixture fixture = fixtures::read_fixture(entry.path().string());
    check_file(entry.path().string(), fixture.text, fixture.options, rules, totals);
  }
  std::cout << "fixtures: " << totals.files << " files, " << totals.fixed_files << " fixed, " << totals.fixes
            << " fixes applied, " << totals.problems.size() << " problems\n";
  EXPECT_GT(totals.fixes, 20);
  for (const std::string& problem : totals.problems) {
    ADD_FAILURE() << problem;
  }
}

TEST(FixRules, Corpus) {
  fs::path corpus = fs::path(MIGLINT_SOURCE_DIR) / ".." / "shared" / "corpus" / "sql";
  if (!fs::is_directory(corpus)) {
    GTEST_SKIP() << "no corpus at " << corpus.string() << " (it sits beside the repository in CI's checkout)";
  }
  RuleSet rules(all_rules(), {}, {});
  Totals totals;
  for (const auto& entry : fs::recursive_directory_iterator(corpus)) {
    if (entry.path().extension() != ".sql" || !entry.is_regular_file()) {
      continue;
    }
    check_file(entry.path().string(), read(entry.path()), LintOptions{}, rules, totals);
  }
  std::cout << "corpus: " << totals.files << " files, " << totals.fixed_files << " fixed, " << totals.fixes
            << " fixes applied, " << totals.problems.size() << " problems\n";
  for (const std::string& problem : totals.problems) {
    ADD_FAILURE() << problem;
  }
}

namespace {

struct CommandRun {
  int status = -1;
  std::string out;
};

// Runs miglint with `args` (a shell command line's tail) in `dir`; standard error goes to `err`.
CommandRun run_miglint(const fs::path& dir, const std::string& args, const fs::path& err) {
  std::string command =
      "cd '" + dir.string() + "' && '" + MIGLINT_BINARY + "' " + args + " 2>'" + err.string() + "'";
  CommandRun run;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) {
    return run;
  }
  std::array<char, 4096> buffer{};
  std::size_t n = 0;
  while ((n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0) {
    run.out.append(buffer.data(), n);
  }
  int status = ::pclose(pipe);
  run.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

}  // namespace

TEST(FixCommand, DiffThenFixThenNothingLeft) {
  fs::path dir = fs::temp_directory_path() / ("miglint-fix-cli-" + std::to_string(::getpid()));
  fs::create_directories(dir / "migrations");
  fs::path err = dir / "stderr.txt";
  std::string crlf_bom =
      "\xEF\xBB\xBF"
      "CREATE TABLE t (id serial PRIMARY KEY, name varchar(20));\r\n"
      "CREATE INDEX t_name ON accounts (name);\r\n";
  std::string plain = "-- a comment with CREATE INDEX in it\nCREATE TABLE u (at timestamp);\n";
  std::ofstream(dir / "migrations" / "001_a.sql", std::ios::binary) << crlf_bom;
  std::ofstream(dir / "migrations" / "002_b.sql", std::ios::binary) << plain;

  CommandRun diff = run_miglint(dir, "lint --diff migrations", err);
  EXPECT_EQ(diff.status, 1) << read(err);
  EXPECT_NE(diff.out.find("--- a/migrations/001_a.sql\n+++ b/migrations/001_a.sql\n"), std::string::npos)
      << diff.out;
  EXPECT_NE(diff.out.find("+CREATE TABLE u (at timestamptz);\n"), std::string::npos) << diff.out;
  EXPECT_EQ(read(dir / "migrations" / "001_a.sql"), crlf_bom);  // --diff writes nothing
  EXPECT_NE(read(err).find("would apply"), std::string::npos) << read(err);

  // The diff applies with patch(1) to the same result --fix writes.
  fs::path copy = dir / "copy";
  fs::create_directories(copy);
  fs::copy(dir / "migrations", copy / "migrations");
  std::ofstream(dir / "diff.patch", std::ios::binary) << diff.out;
  ASSERT_EQ(
      std::system(
          ("cd '" + copy.string() + "' && patch -s -p1 < '" + (dir / "diff.patch").string() + "'").c_str()),
      0);

  CommandRun fixed = run_miglint(dir, "lint --fix migrations", err);
  std::string fixed_a = read(dir / "migrations" / "001_a.sql");
  EXPECT_EQ(fixed_a,
            "\xEF\xBB\xBF"
            "CREATE TABLE t (id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, name text);\r\n"
            "CREATE INDEX CONCURRENTLY t_name ON accounts (name);\r\n");
  EXPECT_EQ(read(dir / "migrations" / "002_b.sql"),
            "-- a comment with CREATE INDEX in it\nCREATE TABLE u (at timestamptz);\n");
  EXPECT_EQ(read(copy / "migrations" / "001_a.sql"), fixed_a);
  EXPECT_NE(read(err).find("applied 5 fixes in 2 files"), std::string::npos) << read(err);
  EXPECT_EQ(fixed.status, 0) << fixed.out << read(err);

  CommandRun again = run_miglint(dir, "lint --fix migrations", err);
  EXPECT_EQ(again.status, 0) << again.out;
  EXPECT_NE(read(err).find("applied 0 fixes in 0 files"), std::string::npos) << read(err);
  EXPECT_EQ(read(dir / "migrations" / "001_a.sql"), fixed_a);
  CommandRun no_diff = run_miglint(dir, "lint --diff migrations", err);
  EXPECT_EQ(no_diff.status, 0);
  EXPECT_EQ(no_diff.out, "");

  CommandRun refused = run_miglint(dir, "lint --fix - < migrations/002_b.sql", err);
  EXPECT_EQ(refused.status, 2);
  EXPECT_NE(read(err).find("not stdin"), std::string::npos) << read(err);
  fs::remove_all(dir);
}

TEST(FixCommand, RulesListMarksFixableRules) {
  fs::path err = fs::temp_directory_path() / ("miglint-fix-rules-" + std::to_string(::getpid()));
  CommandRun rules = run_miglint(fs::temp_directory_path(), "rules", err);
  EXPECT_EQ(rules.status, 0);
  std::istringstream lines(rules.out);
  std::string line;
  int marked = 0;
  while (std::getline(lines, line)) {
    std::string id = line.substr(0, line.find(' '));
    bool marked_fix = line.find("  fix  ") != std::string::npos;
    EXPECT_EQ(marked_fix, find_fixer(id) != nullptr) << line;
    marked += marked_fix ? 1 : 0;
  }
  EXPECT_EQ(marked, static_cast<int>(fixer_table().size()));
  fs::remove(err);
}
