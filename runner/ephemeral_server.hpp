#pragma once

// `--ephemeral`: a temporary PostgreSQL server for one runner command (run, status, plan, rollback,
// test), started from the installed server programs and removed afterwards, whatever happens: after
// success, failure, SIGINT and SIGTERM. initdb in a temporary directory, a free loopback port, the
// unix socket in the same directory, fsync off. PostgreSQL refuses to run as root: a root runner
// starts the server processes as the `postgres` user (else `nobody`). The server runs in a session of
// its own (a terminal's Ctrl-C reaches miglint only, which then stops the server in order), and with
// a parent-death signal, so that even a SIGKILLed miglint leaves no server running.
#include <sys/types.h>

#include <functional>
#include <iosfwd>
#include <memory>
#include <string>

#include "analyzer/text/expected.hpp"

namespace miglint::runner {

// Where the server programs are: `--pg-bin DIR` when given (it must hold initdb and postgres), else
// the directory of `initdb` on PATH, else the newest /usr/lib/postgresql/<major>/bin. The error is one
// line naming the Debian package to install.
Expected<std::string> find_server_binaries(const std::string& pg_bin);

class EphemeralServer {
 public:
  // initdb, start, wait until it accepts connections. The error is one line (the server's log's
  // last line when it did not start). Interrupted (g_interrupted) while starting: an error, and
  // nothing is left.
  static Expected<std::unique_ptr<EphemeralServer>> start(const std::string& pg_bin);
  ~EphemeralServer();  // stop()
  EphemeralServer(const EphemeralServer&) = delete;
  EphemeralServer& operator=(const EphemeralServer&) = delete;

  // Stops the server (fast shutdown, then immediate, then SIGKILL) and removes the directory.
  void stop();
  // A libpq URL for the `postgres` database, over the unix socket in the temporary directory.
  std::string url() const;
  const std::string& directory() const { return directory_; }
  int port() const { return port_; }
  pid_t pid() const { return pid_; }
  const std::string& version() const { return version_; }

 private:
  EphemeralServer(std::string directory, int port, pid_t pid)
      : directory_(std::move(directory)), port_(port), pid_(pid) {}
  std::string directory_;
  int port_;
  pid_t pid_;
  std::string version_;
};

// Runs `command` against an ephemeral server: starts it (a line on `err` saying where), points
// `database_url` at it, runs the command, stops and removes the server. SIGINT and SIGTERM set
// g_interrupted while it runs (the runner's commands stop at the next safe point); a command that
// finished although interrupted exits 1. The exit status: the command's, or 2 when the server could
// not start.
int with_ephemeral_server(const std::string& pg_bin, std::string& database_url, std::string& url_source,
                          std::ostream& err, const std::function<int()>& command);

}  // namespace miglint::runner
