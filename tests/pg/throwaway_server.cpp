#include "tests/pg/throwaway_server.hpp"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

namespace miglint::pgtest {

namespace {

const std::string kScript = std::string(MIGLINT_SOURCE_DIR) + "/tests/pg/throwaway-postgres";

}  // namespace

int free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof(address);
  int port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
    port = ntohs(address.sin_port);
  }
  ::close(fd);
  return port;
}

std::unique_ptr<ThrowawayServer> ThrowawayServer::start(std::string& why) {
  // PGBIN names the server's binaries, as for tests/pg/throwaway-postgres (which also honours it).
  const char* pgbin = std::getenv("PGBIN");
  if (pgbin != nullptr && *pgbin != '\0') {
    if (::access((std::string(pgbin) + "/initdb").c_str(), X_OK) != 0) {
      why = "PGBIN=" + std::string(pgbin) + " holds no initdb";
      return nullptr;
    }
  } else if (std::system("ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1") != 0) {
    why = "PostgreSQL server binaries are not installed (ci/install-deps installs the postgresql package)";
    return nullptr;
  }
  for (int attempt = 0; attempt < 3; ++attempt) {
    int port = free_port();
    std::string dir = (std::filesystem::temp_directory_path() /
                       ("miglint-pg-" + std::to_string(::getpid()) + "-" + std::to_string(port)))
                          .string();
    std::string command = kScript + " start " + std::to_string(port) + " " + dir + " 2>&1";
    if (std::system(command.c_str()) == 0) {
      return std::unique_ptr<ThrowawayServer>(new ThrowawayServer(port, dir));
    }
    std::system((kScript + " stop " + dir + " >/dev/null 2>&1").c_str());
  }
  why = "could not start a throwaway PostgreSQL server (see the output above)";
  return nullptr;
}

ThrowawayServer::~ThrowawayServer() {
  std::system((kScript + " stop " + dir_ + " >/dev/null 2>&1").c_str());
}

bool ThrowawayServer::restart() {
  return std::system((kScript + " restart " + dir_ + " 2>&1").c_str()) == 0;
}

std::string ThrowawayServer::conninfo(const std::string& database) const {
  return "host=127.0.0.1 port=" + std::to_string(port_) + " user=postgres dbname=" + database +
         " connect_timeout=10 application_name=miglint-test";
}

Session::Session(const std::string& conninfo) : connection_(PQconnectdb(conninfo.c_str())) {}
Session::~Session() {
  PQfinish(connection_);
}
bool Session::ok() const {
  return PQstatus(connection_) == CONNECTION_OK;
}
std::string Session::error() const {
  return PQerrorMessage(connection_);
}

std::string Session::exec(const std::string& sql) {
  PGresult* result = PQexec(connection_, sql.c_str());
  ExecStatusType status = PQresultStatus(result);
  std::string error;
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    error = PQresultErrorMessage(result);
    if (error.empty()) {
      error = "query failed";
    }
  }
  PQclear(result);
  return error;
}

std::vector<std::vector<std::string>> Session::rows(const std::string& sql) {
  std::vector<std::vector<std::string>> out;
  PGresult* result = PQexec(connection_, sql.c_str());
  if (PQresultStatus(result) == PGRES_TUPLES_OK) {
    for (int r = 0; r < PQntuples(result); ++r) {
      std::vector<std::string> row;
      for (int c = 0; c < PQnfields(result); ++c) {
        row.emplace_back(PQgetvalue(result, r, c));
      }
      out.push_back(std::move(row));
    }
  }
  PQclear(result);
  return out;
}

int Session::backend_pid() {
  return PQbackendPID(connection_);
}

}  // namespace miglint::pgtest
