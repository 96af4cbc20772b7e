#include "runner/connection_string.hpp"

#include <fmt/format.h>
#include <libpq-fe.h>

#include <cstring>
#include <string_view>

namespace miglint::runner {

namespace {

bool is_hex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// What is wrong with the percent-encoding of one part of a URL, or "".
std::string percent_problem(std::string_view part, std::string_view what) {
  for (std::size_t i = 0; i < part.size(); ++i) {
    if (part[i] != '%') {
      continue;
    }
    if (i + 2 >= part.size() || !is_hex(part[i + 1]) || !is_hex(part[i + 2])) {
      return fmt::format(
          "invalid percent-encoding in the {} (`%` must be followed by two hex digits; write a "
          "literal % as %25)",
          what);
    }
    if (part[i + 1] == '0' && part[i + 2] == '0') {
      return fmt::format("%00 (a NUL character) in the {}, which PostgreSQL cannot take", what);
    }
  }
  return {};
}

// A postgresql:// URL, checked for the mistakes that make libpq misread it (and echo parts of it):
// characters of the user name or password that must be percent-encoded, and bad encodings.
std::string uri_problem(const std::string& url) {
  std::string_view rest(url);
  rest.remove_prefix(rest.find("://") + 3);
  std::size_t authority_end = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, authority_end);
  std::string_view after =
      authority_end == std::string_view::npos ? std::string_view() : rest.substr(authority_end);
  std::size_t at = authority.find('@');
  if (at != std::string_view::npos && authority.find('@', at + 1) != std::string_view::npos) {
    return "an unencoded `@` in the user name or password (write it as %40)";
  }
  std::size_t query = after.find('?');
  if (after.substr(0, query).find('@') != std::string_view::npos) {
    // `app:abc/def@host`: the password's `/` ended the authority early.
    return "an unencoded `/` in the user name or password, or an `@` in the database name (write `/` as %2F, "
           "`@` as %40)";
  }
  if (at != std::string_view::npos) {
    std::string_view user_info = authority.substr(0, at);
    std::size_t colon = user_info.find(':');
    std::string problem = percent_problem(user_info.substr(0, colon), "user name");
    if (problem.empty() && colon != std::string_view::npos) {
      problem = percent_problem(user_info.substr(colon + 1), "password");
    }
    if (!problem.empty()) {
      return problem;
    }
    authority.remove_prefix(at + 1);
  }
  std::string problem = percent_problem(authority, "host");
  if (problem.empty()) {
    problem = percent_problem(after.substr(0, query), "database name");
  }
  if (problem.empty() && query != std::string_view::npos) {
    std::string_view parameters = after.substr(query + 1);
    problem = percent_problem(parameters, "query parameters");
    std::size_t start = 0;
    while (problem.empty() && start < parameters.size()) {
      std::size_t end = parameters.find('&', start);
      std::string_view parameter =
          parameters.substr(start, end == std::string_view::npos ? end : end - start);
      if (!parameter.empty() && parameter.find('=') == std::string_view::npos) {
        problem =
            "a query parameter without `=` (parameters are key=value, joined by &), or an unencoded `?` in "
            "the password (write it as %3F)";
      }
      start = end == std::string_view::npos ? parameters.size() : end + 1;
    }
  }
  return problem;
}

// libpq's reason, in words that quote nothing of the string (its own messages echo the token it
// stumbled on, which may be part of a password).
std::string keyword_problem(const std::string& libpq_message) {
  if (libpq_message.find("unterminated quoted string") != std::string::npos) {
    return "a quoted value is not terminated";
  }
  if (libpq_message.find("missing \"=\"") != std::string::npos) {
    return "a word without `=` (quote a value that has spaces: password='a b')";
  }
  if (libpq_message.find("invalid connection option") != std::string::npos) {
    return "an unknown keyword";
  }
  return "libpq cannot read it";
}

}  // namespace

std::string connection_string_problem(const std::string& text, const std::string& source) {
  bool uri = text.starts_with("postgresql://") || text.starts_with("postgres://");
  std::string what = uri ? "database URL" : "database connection string";
  std::string problem = uri ? uri_problem(text) : std::string();
  if (problem.empty()) {
    char* error = nullptr;
    PQconninfoOption* options = PQconninfoParse(text.c_str(), &error);
    if (options == nullptr) {
      problem = uri ? "libpq cannot read it" : keyword_problem(error != nullptr ? error : "");
    }
    if (error != nullptr) {
      PQfreemem(error);
    }
    if (options != nullptr) {
      PQconninfoFree(options);
    }
  }
  return problem.empty() ? std::string()
                         : fmt::format("cannot parse the {} from {}: {}", what, source, problem);
}

}  // namespace miglint::runner
