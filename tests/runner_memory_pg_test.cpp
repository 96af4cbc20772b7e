// Peak memory of the runner on one large migration (issue 12, "Bounded memory"): `plan`, `status`
// and `run` on a 20 MB file of single-row INSERTs stay within four times the file plus a constant,
// as the README states ("Limits and memory"). The runner reads the file once and shares those bytes
// between its checksum, its statements, vetting and what it sends; labels are made when printed.
// The peak is the child's own (wait4), which does not depend on timing.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "tests/hostile_support.hpp"
#include "tests/runner_pg_support.hpp"
#include "tests/sanitizer_build.hpp"

namespace miglint::runner_pg {
namespace {

constexpr uint64_t kMiB = uint64_t{1} << 20;
// The README's bounds for the runner: 4 times the file, plus a constant for the program itself (its
// code, the parse of one piece of the file); `plan` also holds each statement's lock-model entry and
// its line of the plan's view. The binary before 2026-12-06 peaked at 214 MB for status and run and
// 268 MB for plan on a file like this one, and at 1.4 GB for `plan --format json`.
constexpr uint64_t kConstantBytes = 40 * kMiB;
constexpr uint64_t kPlanConstantBytes = 128 * kMiB;

class RunnerMemory : public RunnerAgainstServer {
 protected:
  // Writes 001_seed.sql: a CREATE TABLE and about `bytes` of single-row INSERTs. Returns its size
  // and the number of statements.
  std::pair<uint64_t, std::size_t> write_seed(std::size_t bytes) {
    std::string sql = "CREATE TABLE items (id bigint PRIMARY KEY, note text);\n";
    std::size_t statements = 1;
    for (std::size_t n = 0; sql.size() < bytes; ++n, ++statements) {
      sql += "INSERT INTO items (id, note) VALUES (" + std::to_string(n) + ", 'some text " +
             std::to_string(n) + "');\n";
    }
    migration("001_seed.sql", sql);
    return {sql.size(), statements};
  }

  // `miglint COMMAND` with its standard output to COMMAND.out (read after it ends: a child's peak
  // includes this process's at the spawn, so nothing large is held here while it runs).
  // `output` names the file (COMMAND by default).
  hostile::ProcessRun measure(const std::string& command, const std::vector<std::string>& extra = {},
                              std::string output = {}) {
    output = output.empty() ? command : output;
    std::vector<std::string> shell{"-c", "out=\"$1\"; shift; exec \"$0\" \"$@\" > \"$out\"", MIGLINT_BINARY,
                                   (work_->path() / (output + ".out")).string()};
    for (const std::string& argument : args(command, extra)) {
      shell.push_back(argument);
    }
    return hostile::run_process("/bin/sh", shell, work_->path().string(), std::chrono::seconds(540));
  }

  std::string output_of(const std::string& command) { return read_all(work_->path() / (command + ".out")); }

  // Whether `file` holds `needle`, read a megabyte at a time.
  static bool file_holds(const fs::path& file, const std::string& needle) {
    std::ifstream in(file, std::ios::binary);
    std::vector<char> buffer(std::size_t{1} << 20);
    std::string window;
    while (in.read(buffer.data(), static_cast<std::streamsize>(buffer.size())) || in.gcount() > 0) {
      window.append(buffer.data(), static_cast<std::size_t>(in.gcount()));
      if (window.find(needle) != std::string::npos) {
        return true;
      }
      window.erase(0, window.size() - std::min(window.size(), needle.size()));
    }
    return false;
  }

  // The last `bytes` bytes of `file`.
  static std::string file_tail(const fs::path& file, std::size_t bytes) {
    std::ifstream in(file, std::ios::binary | std::ios::ate);
    const auto size = static_cast<std::size_t>(in.tellg());
    in.seekg(static_cast<std::streamoff>(size - std::min(size, bytes)));
    std::string tail(std::min(size, bytes), '\0');
    in.read(tail.data(), static_cast<std::streamsize>(tail.size()));
    return tail;
  }
};

TEST_F(RunnerMemory, PlanStatusAndRunOfALargeFileStayWithinFourTimesTheFile) {
  if (miglint::testing::kSanitizedBuild) {
    GTEST_SKIP() << "sanitized build: its shadow memory is not the program's; checked in the ordinary build";
  }
  const auto [size, statements] = write_seed(20'000'000);
  const uint64_t bound = 4 * size + kConstantBytes;
  const uint64_t plan_bound = 4 * size + kPlanConstantBytes;

  hostile::ProcessRun plan = measure("plan");
  ASSERT_FALSE(plan.timed_out);
  EXPECT_EQ(plan.status, 0) << plan.err;
  {  // freed before the next child starts
    const std::string planned = output_of("plan");
    // Every statement is in the plan, the last one with its label and its lock.
    EXPECT_NE(planned.find(": one transaction, " + std::to_string(statements) + " statements\n"),
              std::string::npos)
        << planned.substr(0, 2000);
    const std::string last_id = std::to_string(statements - 2);
    EXPECT_NE(planned.find(std::to_string(statements) + ":1 INSERT INTO items (id, note) VALUES (" + last_id +
                           ", 'some text " + last_id + "')  -- ROW EXCLUSIVE public.items\n"),
              std::string::npos);
  }
  EXPECT_LE(static_cast<uint64_t>(plan.peak_rss_kib) * 1024, plan_bound)
      << "plan: peak " << plan.peak_rss_kib / 1024 << " MiB for a file of " << size / kMiB << " MiB";

  // The JSON plan is written a statement at a time: it was one tree of 1.4 GB for a file like this.
  hostile::ProcessRun plan_json = measure("plan", {"--format", "json"}, "plan-json");
  ASSERT_FALSE(plan_json.timed_out);
  EXPECT_EQ(plan_json.status, 0) << plan_json.err;
  // Its 230 MB are searched a megabyte at a time: read whole here, they stayed in this process's
  // memory and counted in the peaks of the children started after (status and run showed 501 MiB).
  const fs::path planned = work_->path() / "plan-json.out";
  EXPECT_EQ(file_tail(planned, 3), "\n}\n");
  EXPECT_TRUE(file_holds(planned, "\"number\": " + std::to_string(statements) + ",\n"));
  EXPECT_TRUE(file_holds(planned, "\"statements_total\": " + std::to_string(statements) + ",\n"));
  EXPECT_LE(static_cast<uint64_t>(plan_json.peak_rss_kib) * 1024, plan_bound)
      << "plan --format json: peak " << plan_json.peak_rss_kib / 1024 << " MiB for a file of " << size / kMiB
      << " MiB";

  hostile::ProcessRun status = measure("status");
  EXPECT_EQ(status.status, 0) << status.err;
  EXPECT_NE(output_of("status").find("pending  001"), std::string::npos) << output_of("status");
  EXPECT_LE(static_cast<uint64_t>(status.peak_rss_kib) * 1024, bound)
      << "status: peak " << status.peak_rss_kib / 1024 << " MiB for a file of " << size / kMiB << " MiB";

  hostile::ProcessRun run = measure("run");
  ASSERT_FALSE(run.timed_out);
  EXPECT_EQ(run.status, 0) << run.err;
  EXPECT_LE(static_cast<uint64_t>(run.peak_rss_kib) * 1024, bound)
      << "run: peak " << run.peak_rss_kib / 1024 << " MiB for a file of " << size / kMiB << " MiB";
  // Every row arrived, and the history has the file's own checksum.
  EXPECT_EQ(value("SELECT count(*) FROM items"), std::to_string(statements - 1));
  EXPECT_EQ(value(std::string("SELECT checksum_sha256 FROM ") + kHistory + " WHERE version = '001'"),
            sha256_of(migrations_ / "001_seed.sql"));
}

}  // namespace
}  // namespace miglint::runner_pg
