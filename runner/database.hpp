#pragma once

#include <libpq-fe.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "analyzer/text/expected.hpp"

namespace miglint::runner {

// The connection string with its password replaced by `***` (URIs and key=value strings), for
// messages. Credentials never reach output, logs or errors.
std::string mask_database_url(const std::string& url);

// Removes a connection string's password from any text before it is shown (libpq and server
// messages included), as libpq reads it and as it is written (percent-encoded), and names the
// database by its masked connection string.
class Redactor {
 public:
  explicit Redactor(const std::string& url);
  std::string operator()(std::string text) const;
  const std::string& masked_url() const { return masked_url_; }

 private:
  std::vector<std::string> secrets_;  // longest first
  std::string masked_url_;
};

// Set by SIGINT/SIGTERM while the runner works: the running statement is cancelled.
extern std::atomic<bool> g_interrupted;

// Sleeps for `duration` in short steps; false as soon as g_interrupted is set (a retry's backoff or a
// backfill's pause must not outlast Ctrl-C).
bool sleep_interruptibly(std::chrono::milliseconds duration);

struct PgError {
  std::string sqlstate;  // "55P03"; empty when the server sent none (connection problems)
  std::string message;   // primary message (redacted), one line
  std::string detail;
  bool connection_lost = false;
};

using PgRow = std::vector<std::optional<std::string>>;

// The outcome of one command: rows, or an error.
struct PgOutcome {
  bool ok = false;
  std::vector<PgRow> rows;
  PgError error;
};

// One libpq session. `application_name` names it in pg_stat_activity: `miglint/<run id>` for the
// two sessions of one `miglint run` (a waiting runner tells a live runner's backends from a killed
// one's by it), `miglint-status` and `miglint-plan` for the read-only commands.
class PgSession {
 public:
  // Connects; an error message is redacted and names the database by its masked URL. `database`
  // (not empty) connects to that database of the URL's server instead of the URL's own, with the
  // URL's user and other settings (`miglint trace` working in a temporary copy of a database).
  static Expected<std::unique_ptr<PgSession>> connect(const std::string& url, const Redactor& redact,
                                                      const std::string& application_name,
                                                      const std::string& database = {});
  ~PgSession();
  PgSession(const PgSession&) = delete;
  PgSession& operator=(const PgSession&) = delete;

  // A bookkeeping query: parameters are passed as values, never spliced into the SQL.
  PgOutcome query(const std::string& sql, const std::vector<std::optional<std::string>>& params = {});
  // One migration statement, sent on its own with the simple protocol. While it runs, `tick` is
  // called every `tick_every` (to watch what blocks it); a SIGINT cancels it.
  PgOutcome run(const std::string& sql, const std::function<void()>& tick,
                std::chrono::milliseconds tick_every = std::chrono::milliseconds(200));

  int backend_pid() const { return PQbackendPID(connection_); }
  int server_version() const { return PQserverVersion(connection_); }  // 150004
  bool in_transaction() const;  // inside a transaction block (also a failed one)
  bool alive() const { return PQstatus(connection_) == CONNECTION_OK; }
  // Where server notices (NOTICE, WARNING) go; nullptr drops them.
  void show_notices(std::ostream* out) { notices_ = out; }

 private:
  PgSession(PGconn* connection, const Redactor& redact) : connection_(connection), redact_(redact) {}
  PgOutcome collect(PGresult* result);
  PGconn* connection_;
  const Redactor& redact_;
  std::ostream* notices_ = nullptr;
};

}  // namespace miglint::runner
