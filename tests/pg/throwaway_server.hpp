#pragma once

#include <libpq-fe.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace miglint::pgtest {

// A loopback port the kernel says is free right now (bound, then released): nothing listens on it.
int free_port();

// A throwaway PostgreSQL server for one test suite: loopback only, a temporary data directory,
// its own free port; stopped and removed by the destructor (tests/pg/throwaway-postgres).
class ThrowawayServer {
 public:
  // Starts a server, or returns nullopt with `why` set (no PostgreSQL binaries, or start failed).
  static std::unique_ptr<ThrowawayServer> start(std::string& why);
  ~ThrowawayServer();
  ThrowawayServer(const ThrowawayServer&) = delete;
  ThrowawayServer& operator=(const ThrowawayServer&) = delete;

  int port() const { return port_; }
  // Restarts the server (pg_ctl restart -m fast: sessions are terminated); true when it is back.
  bool restart();
  std::string conninfo(const std::string& database = "postgres") const;

 private:
  ThrowawayServer(int port, std::string dir) : port_(port), dir_(std::move(dir)) {}
  int port_;
  std::string dir_;
};

// A libpq connection with helpers that fail loudly.
class Session {
 public:
  explicit Session(const std::string& conninfo);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  bool ok() const;
  std::string error() const;
  // Runs one statement; returns "" on success or the error message.
  std::string exec(const std::string& sql);
  // Runs a query and returns its rows (each a vector of column texts); empty on error.
  std::vector<std::vector<std::string>> rows(const std::string& sql);
  int backend_pid();
  PGconn* raw() { return connection_; }

 private:
  PGconn* connection_;
};

}  // namespace miglint::pgtest
