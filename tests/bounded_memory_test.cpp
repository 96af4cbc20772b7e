// Peak memory of `miglint lint` on one large file (many small statements, one with a syntax error,
// rows of COPY data) stays within the bound the README states ("Limits and memory"): four times the
// file plus a constant. Each file is generated here (about 20 MB); the peak is the child's own
// (wait4), which does not depend on timing.
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <iterator>
#include <string>

#include "tests/cli_support.hpp"
#include "tests/hostile_support.hpp"
#include "tests/sanitizer_build.hpp"

namespace {

using miglint::cli_support::TempDir;

constexpr uint64_t kMiB = uint64_t{1} << 20;
// The README's bound: 4 times the file, plus a constant for the program itself.
constexpr uint64_t kConstantBytes = 96 * kMiB;

// About `bytes` of one-row INSERTs, with a DDL statement now and then, an ignore comment near the
// start and a finding near the end (so that the file is linted, not only parsed).
std::string many_small_statements(std::size_t bytes) {
  std::string sql =
      "CREATE TABLE t (id bigint, v text);\n"
      "-- miglint-ignore ban-drop-column -- measured\n"
      "ALTER TABLE old_table DROP COLUMN gone;\n";
  for (std::size_t n = 0; sql.size() < bytes; ++n) {
    sql += "INSERT INTO t (id, v) VALUES (" + std::to_string(n) + ", 'value " + std::to_string(n % 1000) +
           "');\n";
    if (n % 10'000 == 0) {
      sql += "ALTER TABLE t ADD COLUMN c" + std::to_string(n) + " integer;\n";
    }
  }
  sql += "ALTER TABLE old_table DROP COLUMN last;\n";
  return sql;
}

std::size_t line_count(const std::string& text) {
  std::size_t lines = 0;
  for (char c : text) {
    lines += c == '\n' ? 1 : 0;
  }
  return lines;
}

// Lints `sql` (written as seed.sql; `sql` is emptied to free it) in a child process in the github
// format and checks its peak against the bound. Returns the run.
miglint::hostile::ProcessRun lint_within_bound(std::string& sql) {
  TempDir dir("miglint-memory");
  const uint64_t size = sql.size();
  dir.write("seed.sql", sql);
  sql.clear();
  sql.shrink_to_fit();
  miglint::hostile::ProcessRun run =
      miglint::hostile::run_process(MIGLINT_BINARY, {"lint", "--format", "github", "seed.sql"},
                                    dir.path().string(), std::chrono::seconds(540));
  EXPECT_FALSE(run.timed_out);
  EXPECT_EQ(run.status, 1) << run.err;  // -1 when killed by a signal
  const uint64_t peak = static_cast<uint64_t>(run.peak_rss_kib) * 1024;
  EXPECT_LE(peak, 4 * size + kConstantBytes)
      << "peak " << peak / kMiB << " MiB for a file of " << size / kMiB << " MiB";
  return run;
}

// Whether the github report has a finding of `rule` at `line` of seed.sql.
bool reported_at(const miglint::hostile::ProcessRun& run, std::size_t line, const std::string& rule) {
  std::string anchor = "file=seed.sql,line=" + std::to_string(line) + ",";
  for (std::size_t at = run.out.find(anchor); at != std::string::npos; at = run.out.find(anchor, at + 1)) {
    std::size_t end = run.out.find('\n', at);
    if (run.out.substr(at, end - at).find("title=" + rule) != std::string::npos) {
      return true;
    }
  }
  return false;
}

std::string head_of(const std::string& out) {
  return out.substr(0, 2000);
}
std::string tail_of(const std::string& out) {
  return out.substr(out.size() > 2000 ? out.size() - 2000 : 0);
}

TEST(BoundedMemory, ManySmallStatementsStayWithinFourTimesTheFile) {
  if (miglint::testing::kSanitizedBuild) {
    GTEST_SKIP() << "sanitized build: its shadow memory is not the program's; checked in the ordinary build";
  }
  std::string sql = many_small_statements(20'000'000);
  std::size_t lines = line_count(sql);
  miglint::hostile::ProcessRun run = lint_within_bound(sql);
  // The ignored finding is silenced, the last statement's is reported at its line.
  EXPECT_FALSE(reported_at(run, 3, "ban-drop-column")) << head_of(run.out);
  EXPECT_TRUE(reported_at(run, lines, "ban-drop-column")) << tail_of(run.out);
}

// A syntax error in the middle of a large file is that statement's finding: the rest of the file
// is still linted a piece at a time (it used to be parsed whole then, at 20 times the file).
TEST(BoundedMemory, ASyntaxErrorInALargeFileStaysWithinFourTimesTheFile) {
  if (miglint::testing::kSanitizedBuild) {
    GTEST_SKIP() << "sanitized build: its shadow memory is not the program's; checked in the ordinary build";
  }
  std::string sql = many_small_statements(10'000'000);
  std::size_t error_line = line_count(sql) + 1;
  sql += "CRATE TABLE misspelt (id bigint);\n";
  sql += many_small_statements(10'000'000);
  std::size_t lines = line_count(sql);
  miglint::hostile::ProcessRun run = lint_within_bound(sql);
  EXPECT_TRUE(reported_at(run, error_line, "syntax-error")) << run.err << head_of(run.out);
  EXPECT_FALSE(reported_at(run, error_line + 3, "ban-drop-column")) << "ignored: " << head_of(run.out);
  EXPECT_TRUE(reported_at(run, lines, "ban-drop-column")) << tail_of(run.out);
  EXPECT_EQ(run.out.find("title=syntax-error", run.out.find("title=syntax-error") + 1), std::string::npos)
      << "one syntax error: " << head_of(run.out);
}

// 20 MB of rows after COPY ... FROM stdin (a pg_dump file): data, not SQL, skipped up to `\.`;
// the statements before and after are linted.
TEST(BoundedMemory, CopyDataStaysWithinFourTimesTheFile) {
  if (miglint::testing::kSanitizedBuild) {
    GTEST_SKIP() << "sanitized build: its shadow memory is not the program's; checked in the ordinary build";
  }
  std::string sql = "CREATE TABLE t (id bigint, v text);\nCOPY t (id, v) FROM stdin;\n";
  for (std::size_t n = 0; sql.size() < 20'000'000; ++n) {
    // Quotes, dashes and semicolons in rows: as SQL they would be syntax errors, and worse.
    sql += std::to_string(n) + "\tit's value " + std::to_string(n % 1000) + "; -- not SQL\n";
  }
  sql += "\\.\nALTER TABLE old_table DROP COLUMN last;\n";
  std::size_t lines = line_count(sql);
  miglint::hostile::ProcessRun run = lint_within_bound(sql);
  EXPECT_EQ(run.out.find("syntax-error"), std::string::npos) << head_of(run.out);
  EXPECT_TRUE(reported_at(run, lines, "ban-drop-column")) << tail_of(run.out);
}

// 100,000 statements, each flagged (unbatched-update): a file whose findings are what takes memory.
std::string many_flagged_statements(std::size_t count) {
  std::string sql;
  for (std::size_t n = 0; n < count; ++n) {
    sql += "UPDATE t SET v = " + std::to_string(n) + ";\n";
  }
  return sql;
}

// `count` CREATE INDEX statements, each flagged (require-concurrent-index-creation), each teaching a
// schema fact (the index and its table) that the migration context and the schema history keep.
std::string many_created_indexes(std::size_t count) {
  std::string sql;
  for (std::size_t n = 0; n < count; ++n) {
    sql += "CREATE INDEX idx_" + std::to_string(n) + " ON orders (c" + std::to_string(n) + ");\n";
  }
  return sql;
}

// What a flagged statement may cost beyond four times the file and the constant (README, "Limits
// and memory"): the finding (376 bytes), its message, rule id and excerpt line, and the room the
// findings' vector grows into; with a schema fact (CREATE INDEX), also the fact, which the statement,
// the migration context and the schema history keep. Main before this bound: 100,000 flagged UPDATEs
// peaked at 165 MiB (this bound: 143 MiB), 100,000 CREATE INDEX at 260 MiB (this bound: 208 MiB).
constexpr uint64_t kBytesPerFinding = 400;
constexpr uint64_t kBytesPerFindingWithSchemaFact = 1000;

std::size_t count_of(const std::string& text, const std::string& what) {
  std::size_t count = 0;
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size())) {
    ++count;
  }
  return count;
}

// The findings of a file are held until the file is done (they are sorted and matched with ignore
// comments): that is not bounded yet (README, "Limits and memory"). The reports add little to it:
// the JSON report writes as it goes, the SARIF report keeps its results as text in a temporary
// file, not as one JSON tree (100,000 findings: json used 130 MB more than text, sarif 345 MB more).
TEST(BoundedMemory, ReportsOfManyFindingsAddLittleToTheFindings) {
  if (miglint::testing::kSanitizedBuild) {
    GTEST_SKIP() << "sanitized build: its shadow memory is not the program's; checked in the ordinary build";
  }
  TempDir dir("miglint-memory");
  dir.write("seed.sql", many_flagged_statements(100'000));
  // Each report goes to a file, read once all three have run: a spawned child's peak (ru_maxrss)
  // includes the peak of this process at the spawn (the child shares its memory until exec), so
  // holding the text report's output here while linting to sarif measured this process, not sarif.
  auto lint = [&](const std::string& format) {
    miglint::hostile::ProcessRun run = miglint::hostile::run_process(
        "/bin/sh", {"-c", "exec \"$0\" lint --format \"$1\" seed.sql > \"$1.out\"", MIGLINT_BINARY, format},
        dir.path().string(), std::chrono::seconds(300));
    EXPECT_FALSE(run.timed_out) << format;
    EXPECT_EQ(run.status, 1) << format << ": " << run.err;
    return run;
  };
  auto output_of = [&](miglint::hostile::ProcessRun& run, const std::string& format) {
    std::ifstream in(dir.path() / (format + ".out"), std::ios::binary);
    run.out.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  };
  miglint::hostile::ProcessRun text = lint("text");
  miglint::hostile::ProcessRun json = lint("json");
  miglint::hostile::ProcessRun sarif = lint("sarif");
  output_of(text, "text");
  output_of(json, "json");
  output_of(sarif, "sarif");
  EXPECT_EQ(count_of(text.out, "[unbatched-update]\n"), 100'000u) << head_of(text.out);
  EXPECT_EQ(count_of(json.out, "\"rule\": \"unbatched-update\""), 100'000u) << head_of(json.out);
  EXPECT_EQ(count_of(sarif.out, "\"ruleId\": \"unbatched-update\""), 100'000u) << head_of(sarif.out);
  EXPECT_NE(sarif.out.find("\"startLine\": 100000,"), std::string::npos) << tail_of(sarif.out);
  EXPECT_TRUE(sarif.out.ends_with("      ]\n    }\n  ]\n}\n")) << tail_of(sarif.out);

  const uint64_t text_peak = static_cast<uint64_t>(text.peak_rss_kib) * 1024;
  const uint64_t json_peak = static_cast<uint64_t>(json.peak_rss_kib) * 1024;
  const uint64_t sarif_peak = static_cast<uint64_t>(sarif.peak_rss_kib) * 1024;
  // JSON holds nothing per finding; SARIF holds a statement key (a SHA-256 in hex) per finding and a
  // count per statement for its fingerprints: about 300 bytes each.
  EXPECT_LE(json_peak, text_peak + 16 * kMiB)
      << "json " << json_peak / kMiB << " MiB, text " << text_peak / kMiB;
  EXPECT_LE(sarif_peak, text_peak + 48 * kMiB)
      << "sarif " << sarif_peak / kMiB << " MiB, text " << text_peak / kMiB;
  // The findings themselves: a bounded amount each (a Finding was about 600 bytes and each held its
  // own copy of the rule's help).
  const uint64_t size = many_flagged_statements(100'000).size();
  EXPECT_LE(text_peak, 4 * size + kConstantBytes + 100'000 * kBytesPerFinding)
      << "text " << text_peak / kMiB << " MiB for 100,000 findings";
}

// 100,000 flagged CREATE INDEX: the findings, and the indexes the migration context and the schema
// history record, stay within the same amount per finding (each event was kept three times, at 208
// bytes, by the statement, the context and the history).
TEST(BoundedMemory, ManyCreatedIndexesTakeABoundedAmountPerFinding) {
  if (miglint::testing::kSanitizedBuild) {
    GTEST_SKIP() << "sanitized build: its shadow memory is not the program's; checked in the ordinary build";
  }
  TempDir dir("miglint-memory");
  std::string sql = many_created_indexes(100'000);
  const uint64_t size = sql.size();
  dir.write("seed.sql", sql);
  miglint::hostile::ProcessRun run =
      miglint::hostile::run_process(MIGLINT_BINARY, {"lint", "--format", "text", "seed.sql"},
                                    dir.path().string(), std::chrono::seconds(300));
  EXPECT_FALSE(run.timed_out);
  EXPECT_EQ(run.status, 1) << run.err;
  EXPECT_EQ(count_of(run.out, "[require-concurrent-index-creation]\n"), 100'000u) << head_of(run.out);
  EXPECT_NE(run.out.find("seed.sql:100000:1: warning: creating index \"idx_99999\""), std::string::npos)
      << tail_of(run.out);
  const uint64_t peak = static_cast<uint64_t>(run.peak_rss_kib) * 1024;
  EXPECT_LE(peak, 4 * size + kConstantBytes + 100'000 * kBytesPerFindingWithSchemaFact)
      << "text " << peak / kMiB << " MiB for 100,000 findings";
}

}  // namespace
