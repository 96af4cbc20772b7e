// Peak memory of `miglint lint` on one large file of many small statements stays within the bound
// the README states ("Limits and memory"): four times the file plus a constant. The file is
// generated here (about 20 MB); the peak is the child's own (wait4), which does not depend on timing.
#include <gtest/gtest.h>

#include <chrono>
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

TEST(BoundedMemory, ManySmallStatementsStayWithinFourTimesTheFile) {
  if (miglint::testing::kSanitizedBuild) {
    GTEST_SKIP() << "sanitized build: its shadow memory is not the program's; checked in the ordinary build";
  }
  TempDir dir("miglint-memory");
  std::string sql = many_small_statements(20'000'000);
  const uint64_t size = sql.size();
  std::size_t lines = 0;
  for (char c : sql) {
    lines += c == '\n' ? 1 : 0;
  }
  dir.write("seed.sql", sql);
  sql.clear();
  sql.shrink_to_fit();
  miglint::hostile::ProcessRun run =
      miglint::hostile::run_process(MIGLINT_BINARY, {"lint", "--format", "github", "seed.sql"},
                                    dir.path().string(), std::chrono::seconds(540));
  EXPECT_FALSE(run.timed_out);
  EXPECT_EQ(run.status, 1) << run.err;  // -1 when killed by a signal
  // The ignored finding is silenced, the last statement's is reported at its line.
  auto ban_drop_column_at = [&](std::size_t line) {
    std::string anchor = "file=seed.sql,line=" + std::to_string(line) + ",";
    for (std::size_t at = run.out.find(anchor); at != std::string::npos; at = run.out.find(anchor, at + 1)) {
      std::size_t end = run.out.find('\n', at);
      if (run.out.substr(at, end - at).find("title=ban-drop-column") != std::string::npos) {
        return true;
      }
    }
    return false;
  };
  EXPECT_FALSE(ban_drop_column_at(3)) << run.out.substr(0, 2000);
  EXPECT_TRUE(ban_drop_column_at(lines)) << run.out.substr(run.out.size() > 2000 ? run.out.size() - 2000 : 0);
  const uint64_t peak = static_cast<uint64_t>(run.peak_rss_kib) * 1024;
  EXPECT_LE(peak, 4 * size + kConstantBytes)
      << "peak " << peak / kMiB << " MiB for a file of " << size / kMiB << " MiB";
}

}  // namespace
