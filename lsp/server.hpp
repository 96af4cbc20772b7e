#pragma once

// `miglint lsp`: a Language Server Protocol server over standard input and output. It lints the
// buffers an editor opens (SQL migrations, and C++ and Alembic sources where those front ends
// apply) and publishes the findings as diagnostics, offers the rules' fixes and an ignore comment
// as code actions, and shows a statement's locks on hover. One thread: messages are read until
// none is waiting (a burst of changes is one lint), then the changed buffers are linted.
#include <chrono>
#include <map>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "lsp/document_linter.hpp"
#include "lsp/json_rpc.hpp"

namespace miglint::lsp {

struct ServerOptions {
  int input_fd = 0;
  int output_fd = 1;
  std::string version;
  // Where rule docs are, as a directory whose `<rule-id>.md` files the diagnostics link to (empty:
  // no links unless the client's initializationOptions.ruleDocsUrl gives a pattern).
  std::string rule_docs_directory;
};

class Server {
 public:
  explicit Server(ServerOptions options);
  // Serves until `exit` (or the end of the input); returns the process's exit status: 0 after a
  // `shutdown`, 1 otherwise, as the protocol asks.
  int run();

 private:
  using Json = nlohmann::json;

  struct Document {
    std::string uri;
    std::string path;
    std::string text;
    int64_t version = 0;
    bool dirty = true;  // changed since its last lint
    std::chrono::steady_clock::time_point changed_at;
    std::optional<LintedDocument> linted;
  };

  void handle(const std::string& body);
  void handle_request(const Json& id, const std::string& method, const Json& params);
  void handle_notification(const std::string& method, const Json& params);

  Json initialize(const Json& params);
  Json code_actions(const Json& params);
  Json hover(const Json& params);

  void open(const Json& params);
  void change(const Json& params);
  void close(const Json& params);
  void relint_all();

  // Lints the changed buffers whose quiet period is over and publishes their diagnostics.
  void lint_due();
  // Milliseconds until the next changed buffer is due (nullopt: none waits).
  std::optional<int> next_due_in() const;
  void lint_now(Document& document);
  void publish(const Document& document);
  Json diagnostics_of(const Document& document) const;
  std::string rule_doc_href(const std::string& rule) const;
  Document& document_of(const Json& params);

  void send(const Json& message);
  void respond(const Json& id, Json result);
  void respond_error(const Json& id, int code, const std::string& message);

  ServerOptions options_;
  MessageReader reader_;
  DocumentLinter linter_;
  std::map<std::string, Document> documents_;  // by URI
  bool initialized_ = false;
  bool shutdown_ = false;
  std::optional<int> exit_code_;
  std::chrono::milliseconds debounce_{0};
  std::string rule_docs_url_;  // "...{rule}...": from initializationOptions.ruleDocsUrl
  int next_request_id_ = 1;
};

}  // namespace miglint::lsp
