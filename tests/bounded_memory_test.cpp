// Peak memory of `miglint lint` on one large file of many small statements stays within the bound
// the README states ("Limits and memory"): four times the file plus a constant. The file is
// generated here (about 20 MB); the peak is the child's own (wait4), which does not depend on timing.
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "tests/cli_support.hpp"
#include "tests/sanitizer_build.hpp"

namespace {

namespace fs = std::filesystem;
using miglint::cli_support::TempDir;

constexpr uint64_t kMiB = uint64_t{1} << 20;
// The README's bound: 4 times the file, plus a constant for the program itself.
constexpr uint64_t kConstantBytes = 96 * kMiB;

struct ChildRun {
  int exit_code = -1;
  int signal = 0;
  uint64_t peak_rss = 0;  // bytes
  std::string out;
  std::string err;
};

std::string read_all(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

ChildRun run_miglint(const fs::path& dir, const std::vector<std::string>& args) {
  fs::path out_file = dir / ".stdout";
  fs::path err_file = dir / ".stderr";
  pid_t pid = fork();
  if (pid == 0) {
    if (chdir(dir.c_str()) != 0) {
      _exit(126);
    }
    int out = open(out_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int err = open(err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(out, 1);
    dup2(err, 2);
    std::vector<char*> argv;
    std::string binary = MIGLINT_BINARY;
    argv.push_back(binary.data());
    std::vector<std::string> copies = args;
    for (std::string& arg : copies) {
      argv.push_back(arg.data());
    }
    argv.push_back(nullptr);
    execv(binary.c_str(), argv.data());
    _exit(127);
  }
  ChildRun run;
  int status = 0;
  rusage usage{};
  wait4(pid, &status, 0, &usage);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  run.signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
  run.peak_rss = static_cast<uint64_t>(usage.ru_maxrss) * 1024;
  run.out = read_all(out_file);
  run.err = read_all(err_file);
  return run;
}

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
  ChildRun run = run_miglint(dir.path(), {"lint", "--format", "github", "seed.sql"});
  EXPECT_EQ(run.signal, 0);
  EXPECT_EQ(run.exit_code, 1) << run.err;
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
  EXPECT_LE(run.peak_rss, 4 * size + kConstantBytes)
      << "peak " << run.peak_rss / kMiB << " MiB for a file of " << size / kMiB << " MiB";
}

}  // namespace
