#include "runner/database.hpp"

#include "analyzer/text/message_text.hpp"

#include <fmt/format.h>
#include <poll.h>

#include <algorithm>
#include <cstring>
#include <ostream>
#include <thread>

namespace miglint::runner {

std::atomic<bool> g_interrupted{false};

bool sleep_interruptibly(std::chrono::milliseconds duration) {
  auto until = std::chrono::steady_clock::now() + duration;
  while (std::chrono::steady_clock::now() < until) {
    if (g_interrupted) {
      return false;
    }
    std::this_thread::sleep_for(std::min(
        std::chrono::milliseconds(50),
        std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now())));
  }
  return !g_interrupted;
}

namespace {

bool starts_with_uri(const std::string& url) {
  return url.starts_with("postgresql://") || url.starts_with("postgres://");
}

// Masks `password=...` in a key=value string (quoted values with '' and \' escapes included).
std::string mask_keyword_string(const std::string& text) {
  std::string out;
  std::size_t i = 0;
  while (i < text.size()) {
    bool at_word = i == 0 || text[i - 1] == ' ' || text[i - 1] == '\t' || text[i - 1] == '\n';
    if (at_word && text.compare(i, 8, "password") == 0) {
      std::size_t j = i + 8;
      while (j < text.size() && (text[j] == ' ' || text[j] == '\t')) {
        ++j;
      }
      if (j < text.size() && text[j] == '=') {
        ++j;
        while (j < text.size() && (text[j] == ' ' || text[j] == '\t')) {
          ++j;
        }
        if (j < text.size() && text[j] == '\'') {
          ++j;
          while (j < text.size() && text[j] != '\'') {
            j += text[j] == '\\' ? 2 : 1;
          }
          ++j;
        } else {
          while (j < text.size() && text[j] != ' ' && text[j] != '\t' && text[j] != '\n') {
            ++j;
          }
        }
        out += "password=***";
        i = std::min(j, text.size());
        continue;
      }
    }
    out += text[i++];
  }
  return out;
}

std::string mask_uri(const std::string& url) {
  std::size_t scheme_end = url.find("://") + 3;
  std::size_t authority_end = url.find_first_of("/?", scheme_end);
  if (authority_end == std::string::npos) {
    authority_end = url.size();
  }
  std::string out = url.substr(0, scheme_end);
  std::string authority = url.substr(scheme_end, authority_end - scheme_end);
  std::size_t at = authority.rfind('@');
  if (at != std::string::npos) {
    std::string user_info = authority.substr(0, at);
    std::size_t colon = user_info.find(':');
    if (colon != std::string::npos) {
      user_info = user_info.substr(0, colon) + ":***";
    }
    authority = user_info + authority.substr(at);
  }
  out += authority;
  std::string rest = url.substr(authority_end);
  // ?password=... among the query parameters
  std::size_t query = rest.find('?');
  if (query != std::string::npos) {
    std::string head = rest.substr(0, query + 1);
    std::string params = rest.substr(query + 1);
    std::string masked;
    std::size_t start = 0;
    while (start <= params.size()) {
      std::size_t end = params.find('&', start);
      std::string param = params.substr(start, end == std::string::npos ? std::string::npos : end - start);
      if (param.starts_with("password=")) {
        param = "password=***";
      }
      masked += (start == 0 ? "" : "&") + param;
      if (end == std::string::npos) {
        break;
      }
      start = end + 1;
    }
    rest = head + masked;
  }
  return out + rest;
}

}  // namespace

std::string mask_database_url(const std::string& url) {
  return starts_with_uri(url) ? mask_uri(url) : mask_keyword_string(url);
}

Redactor::Redactor(const std::string& url) : masked_url_(mask_database_url(url)) {
  if (starts_with_uri(url)) {
    // The password as written in the URL (percent-encoded): user:PASSWORD@host.
    std::size_t begin = url.find("://") + 3;
    std::size_t end = url.find_first_of("/?", begin);
    std::string authority = url.substr(begin, end == std::string::npos ? std::string::npos : end - begin);
    std::size_t at = authority.rfind('@');
    std::size_t colon = authority.find(':');
    if (at != std::string::npos && colon < at && colon + 1 < at) {
      secrets_.push_back(authority.substr(colon + 1, at - colon - 1));
    }
  }
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(url.c_str(), &error);
  if (error != nullptr) {
    PQfreemem(error);
  }
  if (options != nullptr) {
    for (PQconninfoOption* option = options; option->keyword != nullptr; ++option) {
      if (std::strcmp(option->keyword, "password") == 0 && option->val != nullptr && *option->val != '\0') {
        secrets_.emplace_back(option->val);
      }
    }
    PQconninfoFree(options);
  }
  std::sort(secrets_.begin(), secrets_.end(),
            [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
}

std::string Redactor::operator()(std::string text) const {
  for (const std::string& secret : secrets_) {
    std::size_t at = 0;
    while ((at = text.find(secret, at)) != std::string::npos) {
      text.replace(at, secret.size(), "***");
      at += 3;
    }
  }
  return text;
}

namespace {

std::string first_line(const char* text) {
  std::string line = text == nullptr ? std::string() : std::string(text);
  while (!line.empty() && (line.back() == '\n' || line.back() == ' ')) {
    line.pop_back();
  }
  std::size_t newline = line.find('\n');
  return newline == std::string::npos ? line : line.substr(0, newline);
}

// A server's message whole, for one line once escaped: its newlines come from identifiers and
// values it echoes (a relation "a<newline>b"), so they are escaped (after redacting), not cut.
std::string server_text(const char* text) {
  std::string line = text == nullptr ? std::string() : std::string(text);
  while (!line.empty() && (line.back() == '\n' || line.back() == ' ')) {
    line.pop_back();
  }
  return line;
}

bool means_connection_lost(const std::string& sqlstate) {
  // 08xxx connection exceptions; 57P01 admin shutdown, 57P02 crash shutdown, 57P03 cannot connect now.
  return sqlstate.starts_with("08") || sqlstate == "57P01" || sqlstate == "57P02" || sqlstate == "57P03";
}

}  // namespace

Expected<std::unique_ptr<PgSession>> PgSession::connect(const std::string& url, const Redactor& redact,
                                                        const std::string& application_name,
                                                        const std::string& database) {
  // The URL's own settings override the connect_timeout default; application_name is always ours.
  // Only the first dbname is read as a connection string; a later one overrides its database.
  const char* keywords[] = {"connect_timeout", "dbname", "application_name", "dbname", nullptr};
  const char* values[] = {"10", url.c_str(), application_name.c_str(), database.c_str(), nullptr};
  if (database.empty()) {
    keywords[3] = nullptr;
  }
  PGconn* connection = PQconnectdbParams(keywords, values, 1);
  if (connection == nullptr || PQstatus(connection) != CONNECTION_OK) {
    std::string why = connection == nullptr ? "out of memory" : first_line(PQerrorMessage(connection));
    if (connection != nullptr) {
      PQfinish(connection);
    }
    std::string where = database.empty() ? redact.masked_url()
                                         : fmt::format("database {} of {}", database, redact.masked_url());
    return Error{escape_for_message(redact(fmt::format("cannot connect to {}: {}", where, why)))};
  }
  auto session = std::unique_ptr<PgSession>(new PgSession(connection, redact));
  // Server notices of migration statements are shown (redacted, one line each); libpq's default
  // would print them raw to stderr.
  PQsetNoticeReceiver(
      connection,
      [](void* context, const PGresult* result) {
        auto* self = static_cast<PgSession*>(context);
        if (self->notices_ != nullptr) {
          const char* primary = PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY);
          const char* severity = PQresultErrorField(result, PG_DIAG_SEVERITY);
          *self->notices_ << fmt::format("  server {}: {}\n", severity != nullptr ? severity : "NOTICE",
                                         escape_for_message(self->redact_(server_text(primary))));
        }
      },
      session.get());
  // A backend notices within a second that its client is gone (a killed runner), instead of
  // working on, holding locks, until its statement ends (PostgreSQL 14+).
  if (session->server_version() >= 140000) {
    session->query("SET client_connection_check_interval = '1s'");
  }
  return session;
}

PgSession::~PgSession() {
  PQfinish(connection_);
}

bool PgSession::in_transaction() const {
  PGTransactionStatusType status = PQtransactionStatus(connection_);
  return status == PQTRANS_INTRANS || status == PQTRANS_INERROR || status == PQTRANS_ACTIVE;
}

PgOutcome PgSession::collect(PGresult* result) {
  PgOutcome outcome;
  // With the simple protocol the last result decides; earlier ones are freed as they come.
  PGresult* last = nullptr;
  bool copy_refused = false;
  for (; result != nullptr; result = PQgetResult(connection_)) {
    // A COPY that waits for data from the client (or sends it rows) would keep PQgetResult
    // returning the same state forever: end it. Vetting refuses these statements before anything
    // runs; this is the last line of defence.
    ExecStatusType status = PQresultStatus(result);
    if (status == PGRES_COPY_IN) {
      copy_refused = true;
      PQputCopyEnd(connection_, "miglint run sends no COPY data");
    } else if (status == PGRES_COPY_OUT) {
      copy_refused = true;
      char* buffer = nullptr;
      while (PQgetCopyData(connection_, &buffer, 0) > 0) {
        PQfreemem(buffer);
      }
    } else if (status == PGRES_COPY_BOTH) {
      copy_refused = true;
      PQclear(result);
      PQclear(last);
      outcome.error.message = "a replication COPY started, which miglint run cannot take part in";
      outcome.error.connection_lost = true;
      return outcome;
    }
    PQclear(last);
    last = result;
  }
  ExecStatusType status = last == nullptr ? PGRES_FATAL_ERROR : PQresultStatus(last);
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK || status == PGRES_EMPTY_QUERY) {
    outcome.ok = !copy_refused;
    for (int row = 0; row < PQntuples(last); ++row) {
      PgRow values;
      for (int column = 0; column < PQnfields(last); ++column) {
        values.push_back(PQgetisnull(last, row, column)
                             ? std::nullopt
                             : std::optional<std::string>(PQgetvalue(last, row, column)));
      }
      outcome.rows.push_back(std::move(values));
    }
    if (copy_refused) {
      outcome.error.message = "COPY TO STDOUT sends rows to the client, which miglint run does not read";
    }
  } else {
    const char* state = last == nullptr ? nullptr : PQresultErrorField(last, PG_DIAG_SQLSTATE);
    outcome.error.sqlstate = state == nullptr ? "" : state;
    const char* primary = last == nullptr ? nullptr : PQresultErrorField(last, PG_DIAG_MESSAGE_PRIMARY);
    // Server text echoes identifiers and values of the migration: one line, no control characters.
    outcome.error.message = escape_for_message(
        redact_(primary != nullptr ? server_text(primary) : first_line(PQerrorMessage(connection_))));
    const char* detail = last == nullptr ? nullptr : PQresultErrorField(last, PG_DIAG_MESSAGE_DETAIL);
    outcome.error.detail = escape_for_message(redact_(server_text(detail)));
    outcome.error.connection_lost =
        PQstatus(connection_) != CONNECTION_OK || means_connection_lost(outcome.error.sqlstate);
    if (outcome.error.message.empty()) {
      outcome.error.message = "the server closed the connection";
    }
  }
  PQclear(last);
  return outcome;
}

PgOutcome PgSession::query(const std::string& sql, const std::vector<std::optional<std::string>>& params) {
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const auto& param : params) {
    values.push_back(param ? param->c_str() : nullptr);
  }
  PGresult* result = PQexecParams(connection_, sql.c_str(), static_cast<int>(values.size()), nullptr,
                                  values.data(), nullptr, nullptr, 0);
  if (result == nullptr) {
    PgOutcome outcome;
    outcome.error.message = escape_for_message(redact_(first_line(PQerrorMessage(connection_))));
    outcome.error.connection_lost = PQstatus(connection_) != CONNECTION_OK;
    return outcome;
  }
  // PQexecParams returns the last result itself; nothing is left to collect.
  return collect(result);
}

PgOutcome PgSession::run(const std::string& sql, const std::function<void()>& tick,
                         std::chrono::milliseconds tick_every) {
  PgOutcome outcome;
  if (PQsendQuery(connection_, sql.c_str()) == 0) {
    outcome.error.message = escape_for_message(redact_(first_line(PQerrorMessage(connection_))));
    outcome.error.connection_lost = PQstatus(connection_) != CONNECTION_OK;
    return outcome;
  }
  bool cancel_sent = false;
  auto next_tick = std::chrono::steady_clock::now() + tick_every;
  while (true) {
    if (PQconsumeInput(connection_) == 0) {
      break;  // the connection broke: PQgetResult reports it
    }
    if (PQisBusy(connection_) == 0) {
      break;
    }
    if (g_interrupted && !cancel_sent) {
      cancel_sent = true;
      if (PGcancel* cancel = PQgetCancel(connection_)) {
        char error[256];
        PQcancel(cancel, error, sizeof error);
        PQfreeCancel(cancel);
      }
    }
    auto now = std::chrono::steady_clock::now();
    if (now >= next_tick) {
      if (tick) {
        tick();
      }
      next_tick = now + tick_every;
    }
    pollfd descriptor{PQsocket(connection_), POLLIN, 0};
    auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(next_tick - now).count();
    poll(&descriptor, 1, static_cast<int>(std::clamp<int64_t>(wait, 1, 50)));
  }
  return collect(PQgetResult(connection_));
}

}  // namespace miglint::runner
