#pragma once

// The miglint binary as a child process for the tests against a real PostgreSQL: fork/exec, so
// that a test can SIGKILL it mid-migration, set its environment, and read its output from files
// or from a pipe while it runs. And a fixture with one throwaway server per test process and a
// fresh database and migrations directory per test.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/cli_support.hpp"
#include "tests/pg/throwaway_server.hpp"
#include "tests/tool_requirement.hpp"

namespace miglint::pgtest {

using ChildClock = std::chrono::steady_clock;

inline std::string read_whole_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

inline bool wait_until(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
  auto deadline = ChildClock::now() + timeout;
  while (ChildClock::now() < deadline) {
    if (condition()) {
      return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return condition();
}

// How a child's stdout and stderr leave it.
enum class ChildOutput {
  Files,  // each to its own file (read at the end, or while it runs)
  Pipe,   // both into one pipe that the test reads while the child runs
};

class MiglintChild {
 public:
  struct Result {
    int exit = -1;   // exit status; -1 when killed by a signal or timed out
    int signal = 0;  // the signal that ended it
    bool timed_out = false;
    std::string out;
    std::string err;
    std::string all() const { return out + err; }
  };

  // `environment`: variables set in the child (MIGLINT_DATABASE_URL is unset unless given here).
  MiglintChild(const std::filesystem::path& cwd, const std::vector<std::string>& args,
               const std::map<std::string, std::string>& environment = {},
               ChildOutput output = ChildOutput::Files) {
    static int counter = 0;
    int n = counter++;
    out_path_ = cwd / (".miglint-child-stdout-" + std::to_string(::getpid()) + "-" + std::to_string(n));
    err_path_ = cwd / (".miglint-child-stderr-" + std::to_string(::getpid()) + "-" + std::to_string(n));
    std::vector<std::string> argv_text{MIGLINT_BINARY};
    argv_text.insert(argv_text.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (std::string& arg : argv_text) {
      argv.push_back(arg.data());
    }
    argv.push_back(nullptr);
    // The environment is built before fork: only async-signal-safe calls between fork and exec.
    std::vector<std::string> env_text;
    for (char** variable = environ; *variable != nullptr; ++variable) {
      std::string entry(*variable);
      if (!entry.starts_with("MIGLINT_DATABASE_URL=")) {
        env_text.push_back(entry);
      }
    }
    for (const auto& [name, value] : environment) {
      env_text.push_back(name + "=" + value);
    }
    std::vector<char*> envp;
    for (std::string& entry : env_text) {
      envp.push_back(entry.data());
    }
    envp.push_back(nullptr);
    std::string cwd_text = cwd.string();
    std::string out_text = out_path_.string();
    std::string err_text = err_path_.string();
    int pipe_ends[2] = {-1, -1};
    if (output == ChildOutput::Pipe && ::pipe(pipe_ends) != 0) {
      ADD_FAILURE() << "pipe() failed";
      return;
    }
    pid_ = ::fork();
    if (pid_ == 0) {
      int in = ::open("/dev/null", O_RDONLY);
      int out = pipe_ends[1];
      int err = pipe_ends[1];
      if (output == ChildOutput::Files) {
        out = ::open(out_text.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        err = ::open(err_text.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      }
      if (in < 0 || out < 0 || err < 0 || ::chdir(cwd_text.c_str()) != 0) {
        ::_exit(127);
      }
      ::dup2(in, 0);
      ::dup2(out, 1);
      ::dup2(err, 2);
      if (pipe_ends[0] >= 0) {
        ::close(pipe_ends[0]);
      }
      ::execve(argv[0], argv.data(), envp.data());
      ::_exit(127);
    }
    if (output == ChildOutput::Pipe) {
      ::close(pipe_ends[1]);
      pipe_ = pipe_ends[0];
      ::fcntl(pipe_, F_SETFL, ::fcntl(pipe_, F_GETFL) | O_NONBLOCK);
    }
  }
  ~MiglintChild() {
    if (pid_ > 0 && !reaped_) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    if (pipe_ >= 0) {
      ::close(pipe_);
    }
    std::error_code ignored;
    std::filesystem::remove(out_path_, ignored);
    std::filesystem::remove(err_path_, ignored);
  }
  MiglintChild(const MiglintChild&) = delete;
  MiglintChild& operator=(const MiglintChild&) = delete;

  pid_t pid() const { return pid_; }
  // The child has ended (not reaped: wait() still reads its result).
  bool exited() const {
    siginfo_t info{};
    return ::waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOHANG | WNOWAIT) == 0 &&
           info.si_pid == pid_;
  }
  void kill9() { ::kill(pid_, SIGKILL); }

  // What the child has written to its stdout file so far (ChildOutput::Files).
  std::string stdout_so_far() const { return read_whole_file(out_path_); }
  // Reads what the pipe holds now (ChildOutput::Pipe), waiting at most `wait` for the first byte.
  std::string read_pipe(std::chrono::milliseconds wait) {
    pollfd descriptor{pipe_, POLLIN, 0};
    if (::poll(&descriptor, 1, static_cast<int>(wait.count())) > 0) {
      char buffer[4096];
      ssize_t got = 0;
      while ((got = ::read(pipe_, buffer, sizeof buffer)) > 0) {
        piped_.append(buffer, static_cast<std::size_t>(got));
      }
    }
    return piped_;
  }

  // Waits for the child to end; past `timeout` it is killed and the result says so.
  Result wait(std::chrono::milliseconds timeout = std::chrono::milliseconds(60000)) {
    Result result;
    auto deadline = ChildClock::now() + timeout;
    int status = 0;
    while (true) {
      if (pipe_ >= 0) {
        read_pipe(std::chrono::milliseconds(0));
      }
      pid_t done = ::waitpid(pid_, &status, WNOHANG);
      if (done == pid_) {
        break;
      }
      if (ChildClock::now() >= deadline) {
        result.timed_out = true;
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, &status, 0);
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    reaped_ = true;
    if (WIFEXITED(status)) {
      result.exit = WEXITSTATUS(status);
    } else if (WIFSIGNALED(status)) {
      result.signal = WTERMSIG(status);
    }
    if (pipe_ >= 0) {
      result.out = read_pipe(std::chrono::milliseconds(0));
    } else {
      result.out = read_whole_file(out_path_);
      result.err = read_whole_file(err_path_);
    }
    return result;
  }

 private:
  pid_t pid_ = -1;
  bool reaped_ = false;
  int pipe_ = -1;
  std::string piped_;
  std::filesystem::path out_path_;
  std::filesystem::path err_path_;
};

inline std::ostream& operator<<(std::ostream& os, const MiglintChild::Result& result) {
  return os << "[exit " << result.exit
            << (result.signal != 0 ? ", signal " + std::to_string(result.signal) : "")
            << (result.timed_out ? ", TIMED OUT" : "") << "]\n--- stdout ---\n"
            << result.out << "--- stderr ---\n"
            << result.err;
}

// One throwaway server per test process; a fresh database and migrations directory per test.
class RunnerServerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::string why;
    server_ = ThrowawayServer::start(why).release();
    if (server_ == nullptr) {
      skip_reason_ = why;
    }
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }

  void SetUp() override {
    MIGLINT_REQUIRE_TOOL(server_ != nullptr, "the runner against a real server (runner_hardening_pg_test)",
                         skip_reason_);
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    database_ = "rh_";
    for (char c : std::string(info->name())) {
      database_ += std::isalnum(static_cast<unsigned char>(c)) ? static_cast<char>(std::tolower(c)) : '_';
    }
    database_ = database_.substr(0, 60);
    recreate_database();
    work_ = std::make_unique<cli_support::TempDir>("miglint-runner-hardening");
    migrations_ = work_->path() / "migrations";
    std::filesystem::create_directories(migrations_);
  }

  void TearDown() override {
    if (server_ == nullptr) {
      return;
    }
    Session admin(server_->conninfo());
    admin.exec("DROP DATABASE IF EXISTS " + database_ + " WITH (FORCE)");
  }

  void recreate_database() {
    Session admin(server_->conninfo());
    ASSERT_TRUE(admin.ok()) << admin.error();
    admin.exec("SET client_min_messages = warning");
    ASSERT_EQ(admin.exec("DROP DATABASE IF EXISTS " + database_ + " WITH (FORCE)"), "");
    ASSERT_EQ(admin.exec("CREATE DATABASE " + database_), "");
  }

  std::string url() const {
    return "postgresql://postgres@127.0.0.1:" + std::to_string(server_->port()) + "/" + database_;
  }
  std::unique_ptr<Session> session() {
    auto session = std::make_unique<Session>(server_->conninfo(database_));
    EXPECT_TRUE(session->ok()) << session->error();
    return session;
  }
  std::filesystem::path migration(const std::string& name, const std::string& sql) {
    std::filesystem::path file = migrations_ / name;
    std::ofstream(file, std::ios::binary) << sql;
    return file;
  }
  // `miglint COMMAND migrations --db URL EXTRA...`
  std::vector<std::string> args(const std::string& command, const std::vector<std::string>& extra = {}) {
    std::vector<std::string> all{command, migrations_.string(), "--db", url()};
    all.insert(all.end(), extra.begin(), extra.end());
    return all;
  }
  MiglintChild::Result miglint(const std::vector<std::string>& arguments,
                               const std::map<std::string, std::string>& environment = {},
                               std::chrono::milliseconds timeout = std::chrono::milliseconds(60000)) {
    MiglintChild child(work_->path(), arguments, environment);
    return child.wait(timeout);
  }
  MiglintChild::Result run(const std::vector<std::string>& extra = {}) { return miglint(args("run", extra)); }

  // One value of a query ("" when there is no row).
  std::string value(const std::string& sql) {
    auto db = session();
    auto rows = db->rows(sql);
    return rows.empty() || rows[0].empty() ? "" : rows[0][0];
  }
  bool has_relation(const std::string& name) {
    return value("SELECT to_regclass('" + name + "') IS NOT NULL") == "t";
  }
  // The pid of a runner's backend (application_name miglint/<run id>) running a statement that
  // matches `like` (0: none yet).
  int runner_backend(const std::string& like, const std::string& extra_condition = "true") {
    std::string pid =
        value("SELECT pid FROM pg_stat_activity WHERE application_name LIKE 'miglint/%' AND datname = '" +
              database_ + "' AND state = 'active' AND query LIKE '" + like + "' AND " + extra_condition +
              " LIMIT 1");
    return pid.empty() ? 0 : std::stoi(pid);
  }

  static inline ThrowawayServer* server_ = nullptr;
  static inline std::string skip_reason_;
  std::string database_;
  std::unique_ptr<cli_support::TempDir> work_;
  std::filesystem::path migrations_;
};

}  // namespace miglint::pgtest
