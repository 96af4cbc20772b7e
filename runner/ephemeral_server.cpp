#include "runner/ephemeral_server.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <grp.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>
#include <vector>

#include "analyzer/report/down_report.hpp"
#include "analyzer/text/message_text.hpp"
#include "runner/database.hpp"

namespace miglint::runner {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

namespace {

constexpr const char* kInstallHint =
    "install the Debian package postgresql (apt-get install postgresql), or give --pg-bin DIR";

bool executable(const fs::path& path) {
  return ::access(path.c_str(), X_OK) == 0 && fs::is_regular_file(path);
}

bool holds_server(const fs::path& dir) {
  return executable(dir / "initdb") && executable(dir / "postgres");
}

// The major version in /usr/lib/postgresql/<major>/bin, for "newest first" (0 when not a number).
int major_of(const fs::path& bin) {
  const std::string name = bin.parent_path().filename().string();
  return std::all_of(name.begin(), name.end(), [](char c) { return c >= '0' && c <= '9'; }) && !name.empty()
             ? std::stoi(name)
             : 0;
}

// A loopback port nothing listens on right now (bound, then released). The server may still lose
// the race for it: start() then tries another.
int free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(address);
  int port = 0;
  if (fd >= 0 && ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
    port = ntohs(address.sin_port);
  }
  if (fd >= 0) {
    ::close(fd);
  }
  return port;
}

// Who runs the server processes: this user, or for root (whom initdb and postgres refuse) the
// `postgres` user the Debian package creates, else `nobody`.
struct ServerUser {
  bool switch_user = false;
  uid_t uid = 0;
  gid_t gid = 0;
};

Expected<ServerUser> server_user() {
  if (::geteuid() != 0) {
    return ServerUser{};
  }
  for (const char* name : {"postgres", "nobody"}) {
    if (const passwd* entry = ::getpwnam(name); entry != nullptr && entry->pw_uid != 0) {
      return ServerUser{true, entry->pw_uid, entry->pw_gid};
    }
  }
  return Error{
      "--ephemeral: running as root, and there is no `postgres` or `nobody` user to run the server as "
      "(PostgreSQL refuses to run as root)"};
}

// Starts `argv` as `user` in a session of its own, in `cwd`, its output appended to `log`; it gets
// `death_signal` when miglint dies. The child's pid, or -1.
pid_t spawn(const std::vector<std::string>& argv, const ServerUser& user, const std::string& cwd,
            const std::string& log, int death_signal) {
  std::vector<char*> args;
  for (const std::string& arg : argv) {
    args.push_back(const_cast<char*>(arg.c_str()));
  }
  args.push_back(nullptr);
  const pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid != 0) {
    return pid;
  }
  // The child: only async-signal-safe calls from here on.
  ::setsid();
  struct sigaction defaults {};
  defaults.sa_handler = SIG_DFL;
  ::sigaction(SIGINT, &defaults, nullptr);
  ::sigaction(SIGTERM, &defaults, nullptr);
  if (user.switch_user) {
    if (::setgroups(0, nullptr) != 0 || ::setgid(user.gid) != 0 || ::setuid(user.uid) != 0) {
      ::_exit(126);
    }
  }
  // After the switch of user, which clears it.
  ::prctl(PR_SET_PDEATHSIG, death_signal);
  if (::getppid() != parent) {
    ::_exit(125);  // miglint died before the signal was armed
  }
  int out = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  int in = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (out < 0 || in < 0 || ::chdir(cwd.c_str()) != 0) {
    ::_exit(124);
  }
  ::dup2(in, STDIN_FILENO);
  ::dup2(out, STDOUT_FILENO);
  ::dup2(out, STDERR_FILENO);
  ::execv(args[0], args.data());
  ::_exit(127);
}

// Waits for `pid` until `deadline`; true when it ended (its status in `status`).
bool wait_until(pid_t pid, Clock::time_point deadline, int& status) {
  while (true) {
    pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid || (done < 0 && errno == ECHILD)) {
      return true;
    }
    if (Clock::now() >= deadline) {
      return false;
    }
    std::this_thread::sleep_for(milliseconds(20));
  }
}

// Ends `pid` and every process of its session: `first` (SIGINT: the postmaster's fast shutdown), then
// SIGQUIT, then SIGKILL.
void end_process(pid_t pid, int first) {
  int status = 0;
  for (auto [signal, wait] : {std::pair{first, milliseconds(15000)}, std::pair{SIGQUIT, milliseconds(5000)},
                              std::pair{SIGKILL, milliseconds(5000)}}) {
    ::kill(pid, signal);
    if (wait_until(pid, Clock::now() + wait, status)) {
      break;
    }
  }
  ::kill(-pid, SIGKILL);  // anything of its session still there (a backend of a killed postmaster)
}

// The last non-empty line of a log, for a one-line error.
std::string last_line(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::string last;
  while (std::getline(in, line)) {
    if (line.find_first_not_of(" \t\r") != std::string::npos) {
      last = line;
    }
  }
  return escape_for_message(last);
}

bool log_says_port_taken(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str().find("could not bind") != std::string::npos ||
         text.str().find("already in use") != std::string::npos;
}

std::string random_password() {
  std::random_device device;
  std::string password;
  constexpr std::string_view kAlphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  for (int i = 0; i < 32; ++i) {
    password += kAlphabet[std::uniform_int_distribution<std::size_t>(0, kAlphabet.size() - 1)(device)];
  }
  return password;
}

std::string socket_url(const std::string& directory, int port) {
  return fmt::format("postgresql:///postgres?host={}&port={}&user=postgres&connect_timeout=10", directory,
                     port);
}

}  // namespace

Expected<std::string> find_server_binaries(const std::string& pg_bin) {
  if (!pg_bin.empty()) {
    if (!holds_server(pg_bin)) {
      return Error{fmt::format("--pg-bin {}: no initdb and postgres programs there; {}",
                               escape_for_message(pg_bin),
                               "install the Debian package postgresql (apt-get install postgresql)")};
    }
    return fs::absolute(pg_bin).string();
  }
  if (const char* path = std::getenv("PATH"); path != nullptr) {
    std::stringstream dirs(path);
    std::string dir;
    while (std::getline(dirs, dir, ':')) {
      if (!dir.empty() && holds_server(dir)) {
        return fs::absolute(dir).string();
      }
    }
  }
  std::vector<fs::path> found;
  std::error_code error;
  for (const fs::directory_entry& entry : fs::directory_iterator("/usr/lib/postgresql", error)) {
    if (holds_server(entry.path() / "bin")) {
      found.push_back(entry.path() / "bin");
    }
  }
  if (found.empty()) {
    return Error{fmt::format(
        "--ephemeral needs the PostgreSQL server programs (initdb, postgres), found neither on PATH nor in "
        "/usr/lib/postgresql/*/bin: {}",
        kInstallHint)};
  }
  std::sort(found.begin(), found.end(),
            [](const fs::path& a, const fs::path& b) { return major_of(a) > major_of(b); });
  return found.front().string();
}

Expected<std::unique_ptr<EphemeralServer>> EphemeralServer::start(const std::string& pg_bin) {
  Expected<std::string> bin = find_server_binaries(pg_bin);
  if (!bin) {
    return bin.error();
  }
  Expected<ServerUser> user = server_user();
  if (!user) {
    return user.error();
  }
  std::string pattern = (fs::temp_directory_path() / "miglint-ephemeral-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    return Error{fmt::format("--ephemeral: cannot create a temporary directory in {}: {}",
                             fs::temp_directory_path().string(), std::strerror(errno))};
  }
  const std::string directory = pattern;
  // From here on, every way out removes the directory.
  auto fail = [&](std::string message) -> Expected<std::unique_ptr<EphemeralServer>> {
    std::error_code ignored;
    fs::remove_all(directory, ignored);
    return Error{std::move(message)};
  };
  if (user->switch_user && ::chown(directory.c_str(), user->uid, user->gid) != 0) {
    return fail(
        fmt::format("--ephemeral: cannot hand {} to the server's user: {}", directory, std::strerror(errno)));
  }
  const std::string log = directory + "/server.log";
  const std::string password_file = directory + "/password";
  {
    // A password nobody knows for TCP connections: the server listens on loopback, where any local
    // user could reach it; miglint itself connects over the unix socket, in a directory only the
    // server's user (and root) can enter.
    int fd = ::open(password_file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
      return fail(fmt::format("--ephemeral: cannot write {}: {}", password_file, std::strerror(errno)));
    }
    std::string password = random_password() + "\n";
    bool written = ::write(fd, password.data(), password.size()) == static_cast<ssize_t>(password.size());
    if (user->switch_user) {
      written = written && ::fchown(fd, user->uid, user->gid) == 0;
    }
    ::close(fd);
    if (!written) {
      return fail(fmt::format("--ephemeral: cannot write {}", password_file));
    }
  }
  pid_t initdb =
      spawn({*bin + "/initdb", "-D", directory + "/data", "-U", "postgres", "-E", "UTF8", "--locale=C",
             "--no-sync", "--auth-local=trust", "--auth-host=scram-sha-256", "--pwfile=" + password_file},
            *user, directory, directory + "/initdb.log", SIGKILL);
  if (initdb < 0) {
    return fail(fmt::format("--ephemeral: cannot start initdb: {}", std::strerror(errno)));
  }
  int status = 0;
  while (!wait_until(initdb, Clock::now() + milliseconds(100), status)) {
    if (g_interrupted) {
      end_process(initdb, SIGKILL);
      return fail("interrupted while the ephemeral server was set up: nothing was left behind");
    }
  }
  fs::remove(password_file);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return fail(fmt::format("--ephemeral: initdb failed: {}", last_line(directory + "/initdb.log")));
  }
  for (int attempt = 0; attempt < 5; ++attempt) {
    std::error_code ignored;
    fs::remove(log, ignored);  // a port lost to another program is read from this attempt's log only
    int port = free_port();
    pid_t postmaster =
        spawn({*bin + "/postgres", "-D", directory + "/data", "-p", std::to_string(port), "-k", directory,
               "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "full_page_writes=off", "-c",
               "synchronous_commit=off", "-c", "max_connections=50"},
              *user, directory, log, SIGQUIT);
    if (postmaster < 0) {
      return fail(fmt::format("--ephemeral: cannot start postgres: {}", std::strerror(errno)));
    }
    std::unique_ptr<EphemeralServer> server(new EphemeralServer(directory, port, postmaster));
    const std::string conninfo =
        fmt::format("host={} port={} user=postgres dbname=postgres", directory, port);
    auto deadline = Clock::now() + std::chrono::seconds(60);
    bool ended = false;
    while (true) {
      if (PQping(conninfo.c_str()) == PQPING_OK) {
        break;
      }
      if (g_interrupted || Clock::now() >= deadline) {
        bool interrupted = g_interrupted;
        server->stop();
        return Error{
            interrupted
                ? std::string("interrupted while the ephemeral server started: nothing was left behind")
                : fmt::format("--ephemeral: the server did not accept connections within 60 s")};
      }
      if (wait_until(postmaster, Clock::now(), status)) {
        ended = true;
        break;
      }
      std::this_thread::sleep_for(milliseconds(50));
    }
    if (!ended) {
      PGconn* connection = PQconnectdb(conninfo.c_str());
      if (PQstatus(connection) == CONNECTION_OK) {
        server->version_ = PQparameterStatus(connection, "server_version");
      }
      PQfinish(connection);
      return server;
    }
    server->pid_ = 0;  // reaped
    if (!log_says_port_taken(log)) {
      std::string why = last_line(log);
      server->stop();
      return Error{fmt::format("--ephemeral: the server did not start: {}", why)};
    }
    server->directory_.clear();  // the next attempt keeps the directory
  }
  return fail("--ephemeral: the server found no free loopback port in 5 attempts");
}

EphemeralServer::~EphemeralServer() {
  stop();
}

void EphemeralServer::stop() {
  if (pid_ > 0) {
    end_process(pid_, SIGINT);
    pid_ = 0;
  }
  if (!directory_.empty()) {
    std::error_code ignored;
    fs::remove_all(directory_, ignored);
    directory_.clear();
  }
}

std::string EphemeralServer::url() const {
  return socket_url(directory_, port_);
}

int with_ephemeral_server(const std::string& pg_bin, std::string& database_url, std::string& url_source,
                          std::ostream& err, const std::function<int()>& command) {
  struct sigaction action {};
  action.sa_handler = [](int) { g_interrupted = true; };
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
  Expected<std::unique_ptr<EphemeralServer>> server = EphemeralServer::start(pg_bin);
  if (!server) {
    err << fmt::format("miglint: error: {}\n", server.error().message);
    return 2;
  }
  const std::string directory = (*server)->directory();
  write_ephemeral_started(err, (*server)->version(), directory, (*server)->port());
  database_url = (*server)->url();
  url_source = "--ephemeral";
  int status = command();
  (*server)->stop();
  write_ephemeral_removed(err, directory, g_interrupted);
  if (g_interrupted && status == 0) {
    return 1;
  }
  return status;
}

}  // namespace miglint::runner
