// What the PostgreSQL-backed runner suites share: the miglint binary as a child process (so that a
// test can SIGKILL it mid-migration), and a fixture with one throwaway server per test process, a
// fresh database and a migrations directory per test.
#pragma once

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/cli_support.hpp"
#include "tests/pg/throwaway_server.hpp"
#include "tests/runner_pg_child.hpp"
#include "tests/tool_requirement.hpp"

namespace miglint::runner_pg {

using namespace miglint::pgtest;
using miglint::cli_support::TempDir;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
using std::chrono::seconds;
namespace fs = std::filesystem;

constexpr const char* kHistory = "miglint_schema_migrations";

inline std::string read_all(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

// The SHA-256 of a file, computed by coreutils (not by the code under test).
inline std::string sha256_of(const fs::path& path) {
  std::string command = "sha256sum '" + path.string() + "'";
  FILE* pipe = popen(command.c_str(), "r");
  std::string out;
  std::array<char, 256> buffer{};
  while (pipe != nullptr && fgets(buffer.data(), buffer.size(), pipe) != nullptr) {
    out += buffer.data();
  }
  if (pipe != nullptr) {
    pclose(pipe);
  }
  return out.substr(0, out.find(' '));
}

inline std::size_t count_of(const std::string& text, const std::string& what) {
  std::size_t count = 0;
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) {
    ++count;
  }
  return count;
}

// The miglint binary as a child process (tests/runner_pg_child.hpp): stdin /dev/null, stdout and
// stderr to files.
using Miglint = MiglintChild;

class RunnerAgainstServer : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::string why;
    server_ = ThrowawayServer::start(why).release();
    if (server_ == nullptr) {
      skip_reason_ = new std::string(why);
    }
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }

  void SetUp() override {
    MIGLINT_REQUIRE_TOOL(server_ != nullptr, "the runner against a real server (runner_pg_test)",
                         skip_reason_ ? *skip_reason_ : std::string());
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    database_ = "rt_";
    for (char c : std::string(info->name())) {
      database_ += std::isalnum(static_cast<unsigned char>(c)) ? static_cast<char>(std::tolower(c)) : '_';
    }
    database_ = database_.substr(0, 60);
    Session admin(server_->conninfo());
    ASSERT_TRUE(admin.ok()) << admin.error();
    admin.exec("SET client_min_messages = warning");
    ASSERT_EQ(admin.exec("DROP DATABASE IF EXISTS " + database_ + " WITH (FORCE)"), "");
    ASSERT_EQ(admin.exec("CREATE DATABASE " + database_), "");
    work_ = std::make_unique<TempDir>("miglint-runner-pg");
    migrations_ = work_->path() / "migrations";
    fs::create_directories(migrations_);
  }

  void TearDown() override {
    if (server_ == nullptr) {
      return;
    }
    Session admin(server_->conninfo());
    admin.exec("DROP DATABASE IF EXISTS " + database_ + " WITH (FORCE)");
  }

  std::string url() const {
    return "postgresql://postgres@127.0.0.1:" + std::to_string(server_->port()) + "/" + database_;
  }
  std::unique_ptr<Session> session() {
    auto session = std::make_unique<Session>(server_->conninfo(database_));
    EXPECT_TRUE(session->ok()) << session->error();
    return session;
  }
  fs::path migration(const std::string& name, const std::string& sql) {
    fs::path file = migrations_ / name;
    std::ofstream(file, std::ios::binary) << sql;
    return file;
  }

  // `miglint COMMAND migrations --db URL EXTRA...`
  std::vector<std::string> args(const std::string& command, const std::vector<std::string>& extra = {}) {
    std::vector<std::string> all{command, migrations_.string(), "--db", url()};
    all.insert(all.end(), extra.begin(), extra.end());
    return all;
  }
  Miglint::Result miglint(const std::vector<std::string>& arguments,
                          milliseconds timeout = milliseconds(60000)) {
    Miglint child(work_->path(), arguments);
    return child.wait(timeout);
  }
  Miglint::Result run(const std::vector<std::string>& extra = {}) { return miglint(args("run", extra)); }

  // One value of a query ("" when there is no row).
  std::string value(const std::string& sql) {
    auto db = session();
    auto rows = db->rows(sql);
    return rows.empty() || rows[0].empty() ? "" : rows[0][0];
  }
  bool has_relation(const std::string& name) {
    return value("SELECT to_regclass('" + name + "') IS NOT NULL") == "t";
  }
  std::vector<std::vector<std::string>> history() {
    auto db = session();
    if (value(std::string("SELECT to_regclass('") + kHistory + "') IS NOT NULL") != "t") {
      return {};
    }
    return db->rows(
        std::string("SELECT version, checksum_sha256, success, statements_applied, statements_total "
                    "FROM ") +
        kHistory + " ORDER BY version");
  }
  // The pid of the runner's backend running a statement that matches `like` (0: none yet).
  int runner_backend(const std::string& like, const std::string& extra_condition = "true") {
    std::string pid =
        value("SELECT pid FROM pg_stat_activity WHERE application_name LIKE 'miglint/%' AND datname = '" +
              database_ + "' AND state = 'active' AND query LIKE '" + like + "' AND " + extra_condition +
              " LIMIT 1");
    return pid.empty() ? 0 : std::stoi(pid);
  }
  // Starts `miglint run`, waits until its backend builds i2 (which the test holds up), and kills the
  // runner with SIGKILL there. Returns that backend's pid (0, with a failure recorded, when the
  // runner never got there).
  int kill_runner_while_building_i2() {
    Miglint runner(work_->path(), args("run", {"--lock-timeout", "60s"}));
    int backend = 0;
    if (!wait_until([&] { return (backend = runner_backend("CREATE INDEX CONCURRENTLY i2%")) != 0; },
                    seconds(20))) {
      ADD_FAILURE() << "the runner never started building i2: " << runner.wait(milliseconds(1));
      return 0;
    }
    runner.kill9();
    EXPECT_EQ(runner.wait().signal, SIGKILL);
    return backend;
  }
  std::string miglint_backends() {
    return value(
        "SELECT count(*) FROM pg_stat_activity WHERE (application_name = 'miglint' OR application_name LIKE "
        "'miglint/%') AND datname = '" +
        database_ + "'");
  }
  bool no_miglint_backends() { return miglint_backends() == "0"; }

  inline static ThrowawayServer* server_ = nullptr;
  inline static std::string* skip_reason_ = nullptr;
  std::string database_;
  std::unique_ptr<TempDir> work_;
  fs::path migrations_;
};

}  // namespace miglint::runner_pg
