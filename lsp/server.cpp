#include "lsp/server.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>

#include "analyzer/project/transaction_plan.hpp"
#include "lsp/lock_hover.hpp"
#include "lsp/text_positions.hpp"
#include "lsp/uri.hpp"

namespace miglint::lsp {

namespace {

using Json = nlohmann::json;

// A request's parameters that do not have the shape the protocol gives them: answered with
// -32602 and the reason.
struct InvalidParams {
  std::string message;
};

Json range_json(const LineIndex& index, uint32_t begin, uint32_t end) {
  LspPosition start = index.position(begin);
  LspPosition stop = index.position(std::max(begin, end));
  return Json{{"start", {{"line", start.line}, {"character", start.character}}},
              {"end", {{"line", stop.line}, {"character", stop.character}}}};
}

LspPosition position_of(const Json& position) {
  int64_t line = position.at("line").get<int64_t>();
  int64_t character = position.at("character").get<int64_t>();
  if (line < 0 || character < 0) {
    throw InvalidParams{"a position's line and character are not negative"};
  }
  return LspPosition{static_cast<uint32_t>(std::min<int64_t>(line, UINT32_MAX)),
                     static_cast<uint32_t>(std::min<int64_t>(character, UINT32_MAX))};
}

int lsp_severity(Severity severity) {
  switch (severity) {
    case Severity::Error:
      return 1;
    case Severity::Warning:
      return 2;
    case Severity::Note:
      return 3;
  }
  return 2;
}

// The path a document is linted as: its file, or for a buffer that is not a file ("untitled:")
// an SQL file of that name in the current directory (no history).
std::string path_of_document(const std::string& uri) {
  if (std::optional<std::string> path = path_of_file_uri(uri)) {
    return std::filesystem::path(*path).lexically_normal().string();
  }
  std::string name = uri.substr(uri.find_last_of(":/") + 1);
  if (name.empty()) {
    name = "untitled";
  }
  if (!name.ends_with(".sql")) {
    name += ".sql";
  }
  std::error_code error;
  return (std::filesystem::current_path(error) / name).string();
}

bool is_config_file(const std::string& path) {
  return std::filesystem::path(path).filename() == "miglint.toml";
}

// `text` with one contentChanges entry applied: a whole new text, or a range replaced.
void apply_change(std::string& text, const Json& change) {
  const std::string& replacement = change.at("text").get_ref<const std::string&>();
  if (!change.contains("range")) {
    text = replacement;
    return;
  }
  LineIndex index(text);
  const Json& range = change.at("range");
  uint32_t begin = index.offset(position_of(range.at("start")));
  uint32_t end = std::max(begin, index.offset(position_of(range.at("end"))));
  text.replace(begin, end - begin, replacement);
}

}  // namespace

Server::Server(ServerOptions options) : options_(std::move(options)), reader_(options_.input_fd) {}

int Server::run() {
  while (!exit_code_) {
    // Drain what is waiting before linting: a burst of changes is linted once, at its end.
    while (!reader_.input_pending()) {
      std::optional<int> due_in = next_due_in();
      if (!due_in) {
        break;
      }
      if (*due_in > 0 && reader_.wait_for_input(*due_in)) {
        break;
      }
      lint_due();
    }
    MessageReader::Read read = reader_.next();
    if (read.kind == MessageReader::Read::Kind::End) {
      return shutdown_ ? 0 : 1;
    }
    if (read.kind == MessageReader::Read::Kind::BadFrame) {
      respond_error(nullptr, kParseError, read.error);
      continue;
    }
    handle(read.body);
  }
  return *exit_code_;
}

void Server::handle(const std::string& body) {
  Json message = Json::parse(body, nullptr, false);
  if (message.is_discarded()) {
    respond_error(nullptr, kParseError, "the message is not JSON");
    return;
  }
  if (!message.is_object()) {
    respond_error(nullptr, kInvalidRequest, "a message is a JSON object");
    return;
  }
  Json id = message.contains("id") ? message["id"] : Json();
  bool has_id = message.contains("id");
  if (has_id && !id.is_number_integer() && !id.is_string() && !id.is_null()) {
    respond_error(nullptr, kInvalidRequest, "a request's id is a number or a string");
    return;
  }
  auto method = message.find("method");
  if (method == message.end()) {
    if (has_id && (message.contains("result") || message.contains("error"))) {
      return;  // a response to one of the server's requests (client/registerCapability)
    }
    respond_error(id, kInvalidRequest, "a request has a method");
    return;
  }
  if (!method->is_string() || (message.contains("jsonrpc") && message["jsonrpc"] != "2.0")) {
    respond_error(id, kInvalidRequest, "a request has a string method and jsonrpc \"2.0\"");
    return;
  }
  // Omitted and null params are the same (shutdown and exit have none; clients send either).
  Json params =
      message.contains("params") && !message["params"].is_null() ? message["params"] : Json::object();
  if (!params.is_object() && !params.is_array()) {
    if (has_id) {
      respond_error(id, kInvalidParams, "params is an object or an array");
    }
    return;
  }
  const std::string& name = method->get_ref<const std::string&>();
  try {
    if (has_id) {
      handle_request(id, name, params);
    } else {
      handle_notification(name, params);
    }
  } catch (const InvalidParams& invalid) {
    if (has_id) {
      respond_error(id, kInvalidParams, invalid.message);
    }
  } catch (const Json::exception& error) {
    // A member missing or of another type (.at(), get<>()).
    if (has_id) {
      respond_error(id, kInvalidParams, fmt::format("invalid params: {}", error.what()));
    }
  } catch (const std::exception& error) {
    if (has_id) {
      respond_error(id, kInternalError, fmt::format("internal error: {}", error.what()));
    }
  }
}

void Server::handle_request(const Json& id, const std::string& method, const Json& params) {
  if (method == "initialize") {
    if (initialized_) {
      respond_error(id, kInvalidRequest, "initialize was sent already");
      return;
    }
    respond(id, initialize(params));
    initialized_ = true;
    return;
  }
  if (!initialized_) {
    respond_error(id, kServerNotInitialized, "the server is not initialized yet");
    return;
  }
  if (shutdown_) {
    respond_error(id, kInvalidRequest, "the server is shut down: only exit is accepted");
    return;
  }
  if (method == "shutdown") {
    shutdown_ = true;
    respond(id, nullptr);
  } else if (method == "textDocument/codeAction") {
    respond(id, code_actions(params));
  } else if (method == "textDocument/hover") {
    respond(id, hover(params));
  } else {
    respond_error(id, kMethodNotFound, fmt::format("unknown method {}", method));
  }
}

void Server::handle_notification(const std::string& method, const Json& params) {
  if (method == "exit") {
    exit_code_ = shutdown_ ? 0 : 1;
    return;
  }
  if (!initialized_ || shutdown_) {
    return;  // notifications before initialize and after shutdown are dropped, as the protocol says
  }
  if (method == "textDocument/didOpen") {
    open(params);
  } else if (method == "textDocument/didChange") {
    change(params);
  } else if (method == "textDocument/didClose") {
    close(params);
  } else if (method == "textDocument/didSave") {
    Document& document = document_of(params);
    if (is_config_file(document.path)) {
      relint_all();
    } else {
      document.dirty = true;
      document.changed_at = {};
    }
  } else if (method == "workspace/didChangeWatchedFiles") {
    relint_all();  // miglint.toml, or an earlier migration, changed
  } else if (method == "workspace/didChangeConfiguration") {
    relint_all();
  }
  // Other notifications ($/cancelRequest, initialized, $/setTrace...) need nothing.
}

Server::Json Server::initialize(const Json& params) {
  if (!params.is_object()) {
    throw InvalidParams{"initialize's params are an object"};
  }
  if (auto init = params.find("initializationOptions"); init != params.end() && init->is_object()) {
    if (auto debounce = init->find("debounceMs"); debounce != init->end() && debounce->is_number_integer()) {
      debounce_ = std::chrono::milliseconds(std::clamp<int64_t>(debounce->get<int64_t>(), 0, 10000));
    }
    if (auto url = init->find("ruleDocsUrl"); url != init->end() && url->is_string()) {
      rule_docs_url_ = url->get<std::string>();
    }
  }
  // Reloading miglint.toml: asked of clients that can watch files; every lint also re-reads a
  // config file whose size or time changed.
  const Json* watch = nullptr;
  if (auto capabilities = params.find("capabilities");
      capabilities != params.end() && capabilities->is_object()) {
    Json::json_pointer pointer("/workspace/didChangeWatchedFiles/dynamicRegistration");
    if (capabilities->contains(pointer) && (*capabilities)[pointer] == true) {
      watch = &(*capabilities)[pointer];
    }
  }
  if (watch != nullptr) {
    Json watchers = Json::array({{{"globPattern", "**/miglint.toml"}}, {{"globPattern", "**/*.sql"}}});
    send({{"jsonrpc", "2.0"},
          {"id", fmt::format("miglint-{}", next_request_id_++)},
          {"method", "client/registerCapability"},
          {"params",
           {{"registrations", Json::array({{{"id", "miglint-watch"},
                                            {"method", "workspace/didChangeWatchedFiles"},
                                            {"registerOptions", {{"watchers", watchers}}}}})}}}});
  }
  return Json{
      {"capabilities",
       {{"textDocumentSync", {{"openClose", true}, {"change", 1}, {"save", {{"includeText", false}}}}},
        {"codeActionProvider", {{"codeActionKinds", Json::array({"quickfix"})}}},
        {"hoverProvider", true}}},
      {"serverInfo", {{"name", "miglint"}, {"version", options_.version}}}};
}

Server::Document& Server::document_of(const Json& params) {
  const std::string& uri = params.at("textDocument").at("uri").get_ref<const std::string&>();
  auto it = documents_.find(uri);
  if (it == documents_.end()) {
    throw InvalidParams{fmt::format("{} is not open", uri)};
  }
  return it->second;
}

void Server::open(const Json& params) {
  const Json& item = params.at("textDocument");
  const std::string& uri = item.at("uri").get_ref<const std::string&>();
  Document document;
  document.uri = uri;
  document.path = path_of_document(uri);
  document.text = item.at("text").get<std::string>();
  document.version =
      item.contains("version") && item["version"].is_number_integer() ? item["version"].get<int64_t>() : 0;
  // miglint.toml open in the editor is watched for its saves, not linted.
  document.dirty = !is_config_file(document.path);
  document.changed_at = {};  // due at once
  documents_[uri] = std::move(document);
}

void Server::change(const Json& params) {
  Document& document = document_of(params);
  for (const Json& change : params.at("contentChanges")) {
    apply_change(document.text, change);
  }
  const Json& item = params.at("textDocument");
  if (item.contains("version") && item["version"].is_number_integer()) {
    document.version = item["version"].get<int64_t>();
  }
  document.dirty = !is_config_file(document.path);
  document.changed_at = std::chrono::steady_clock::now();
}

void Server::close(const Json& params) {
  Document& document = document_of(params);
  std::string uri = document.uri;
  documents_.erase(uri);
  send({{"jsonrpc", "2.0"},
        {"method", "textDocument/publishDiagnostics"},
        {"params", {{"uri", uri}, {"diagnostics", Json::array()}}}});
}

void Server::relint_all() {
  linter_.forget_configs();
  for (auto& [uri, document] : documents_) {
    document.dirty = !is_config_file(document.path);
    document.changed_at = {};
  }
}

std::optional<int> Server::next_due_in() const {
  std::optional<int> soonest;
  auto now = std::chrono::steady_clock::now();
  for (const auto& [uri, document] : documents_) {
    if (!document.dirty) {
      continue;
    }
    auto due = document.changed_at + debounce_;
    int in =
        due <= now ? 0 : static_cast<int>(std::chrono::ceil<std::chrono::milliseconds>(due - now).count());
    soonest = soonest ? std::min(*soonest, in) : in;
  }
  return soonest;
}

void Server::lint_due() {
  auto now = std::chrono::steady_clock::now();
  for (auto& [uri, document] : documents_) {
    if (document.dirty && document.changed_at + debounce_ <= now) {
      lint_now(document);
      publish(document);
    }
  }
}

void Server::lint_now(Document& document) {
  document.linted = linter_.lint(document.path, document.text);
  document.dirty = false;
}

std::string Server::rule_doc_href(const std::string& rule) const {
  if (!rule_docs_url_.empty()) {
    std::string url = rule_docs_url_;
    if (std::size_t at = url.find("{rule}"); at != std::string::npos) {
      url.replace(at, 6, rule);
    }
    return url;
  }
  if (options_.rule_docs_directory.empty()) {
    return {};
  }
  return file_uri_of_path((std::filesystem::path(options_.rule_docs_directory) / (rule + ".md")).string());
}

Server::Json Server::diagnostics_of(const Document& document) const {
  Json diagnostics = Json::array();
  if (!document.linted) {
    return diagnostics;
  }
  const LintedDocument& linted = *document.linted;
  LineIndex index(document.text);
  if (!linted.config_error.empty()) {
    diagnostics.push_back({{"range", range_json(index, 0, 0)},
                           {"severity", 2},
                           {"source", "miglint"},
                           {"code", "config"},
                           {"message", fmt::format("miglint.toml is not read: {}", linted.config_error)}});
  }
  for (const InputError& error : linted.result.errors) {
    uint32_t offset = 0;
    if (error.position && linted.source) {
      // Line and code-point column to a byte offset of the text.
      LspPosition line_start{error.position->line - 1, 0};
      offset = index.offset(line_start);
      std::string_view rest = std::string_view(document.text).substr(offset);
      offset += byte_offset_of_char(rest, error.position->column - 1);
    }
    diagnostics.push_back({{"range", range_json(index, offset, offset)},
                           {"severity", 1},
                           {"source", "miglint"},
                           {"message", error.message}});
  }
  for (std::size_t i = 0; i < linted.result.findings.size(); ++i) {
    const Finding& finding = linted.result.findings[i];
    if (finding.suppressed) {
      continue;
    }
    std::string message = finding.message;
    if (!finding.help.empty()) {
      message += "\n" + finding.help.str();
    }
    Json diagnostic{{"range", range_json(index, finding.span.begin, finding.span.end)},
                    {"severity", lsp_severity(finding.severity)},
                    {"code", finding.rule},
                    {"source", "miglint"},
                    {"message", message},
                    {"data", {{"finding", i}, {"version", document.version}}}};
    if (std::string href = rule_doc_href(finding.rule); !href.empty()) {
      diagnostic["codeDescription"] = {{"href", href}};
    }
    diagnostics.push_back(std::move(diagnostic));
  }
  return diagnostics;
}

void Server::publish(const Document& document) {
  send({{"jsonrpc", "2.0"},
        {"method", "textDocument/publishDiagnostics"},
        {"params",
         {{"uri", document.uri}, {"version", document.version}, {"diagnostics", diagnostics_of(document)}}}});
}

Server::Json Server::code_actions(const Json& params) {
  Document& document = document_of(params);
  if (is_config_file(document.path)) {
    return Json::array();
  }
  if (document.dirty || !document.linted) {
    lint_now(document);
    publish(document);
  }
  LintedDocument& linted = *document.linted;
  LineIndex index(document.text);
  const Json& range = params.at("range");
  uint32_t begin = index.offset(position_of(range.at("start")));
  uint32_t end = std::max(begin, index.offset(position_of(range.at("end"))));
  Json actions = Json::array();
  attach_document_fixes(linted);
  // Statement starts, for ignore comments (SQL files): planned only when asked.
  std::optional<PlannedFile> planned;
  for (const Finding& finding : linted.result.findings) {
    if (finding.suppressed) {
      continue;  // neither a fix nor another ignore for what is silenced already
    }
    // The finding's span touches the range (a cursor inside it, or a selection over it).
    if (finding.span.end < begin || finding.span.begin > end) {
      continue;
    }
    Json diagnostic{{"range", range_json(index, finding.span.begin, finding.span.end)},
                    {"severity", lsp_severity(finding.severity)},
                    {"code", finding.rule},
                    {"source", "miglint"},
                    {"message", finding.message}};
    if (finding.fix && !finding.fix->edits.empty()) {
      Json edits = Json::array();
      for (const TextEdit& edit : finding.fix->edits) {
        edits.push_back(
            {{"range", range_json(index, edit.range.begin, edit.range.end)}, {"newText", edit.replacement}});
      }
      std::string title = fmt::format("miglint: {} ({})", finding.fix->description, finding.rule);
      if (!finding.fix->follow_up.empty()) {
        title += "; then in a later migration: " + finding.fix->follow_up;
      }
      actions.push_back({{"title", title},
                         {"kind", "quickfix"},
                         {"isPreferred", true},
                         {"diagnostics", Json::array({diagnostic})},
                         {"edit", {{"changes", {{document.uri, edits}}}}}});
    }
    // The comment goes on a line of its own before the line of what it covers, indented as that
    // line is: in an SQL file the statement; in a program (C++, Alembic) the call that sends the
    // SQL, as those front ends read a `// miglint-ignore` / `# miglint-ignore` comment above a call.
    std::optional<uint32_t> covered_begin;
    std::string_view covered = "statement";
    if (linted.sql) {
      if (finding.statement_index < 0 || linted.source == nullptr) {
        continue;
      }
      if (!planned) {
        planned = plan_file(*linted.source, linted.options.execution, linted.options.pg_version,
                            linted.options.assume_in_transaction);
      }
      auto statement = static_cast<std::size_t>(finding.statement_index);
      if (statement >= planned->model.places.size()) {
        continue;
      }
      covered_begin = planned->model.places[statement].begin;
    } else {
      covered = "call";
      // The call the finding is in (calls are in source order and do not overlap).
      linter_.find_calls(linted);
      for (const ByteSpan& call : *linted.calls) {
        if (call.begin <= finding.span.begin && finding.span.begin < std::max(call.end, call.begin + 1)) {
          covered_begin = call.begin;
        }
      }
      if (!covered_begin) {
        continue;  // not in a call (a finding about the revision itself): no comment above a call covers it
      }
    }
    LspPosition at = index.position(*covered_begin);
    uint32_t line_begin = index.offset(LspPosition{at.line, 0});
    std::string_view text = document.text;
    uint32_t indent_end = line_begin;
    while (indent_end < *covered_begin && (text[indent_end] == ' ' || text[indent_end] == '\t')) {
      ++indent_end;
    }
    std::string_view newline = text.find("\r\n") != std::string_view::npos ? "\r\n" : "\n";
    std::string comment = fmt::format("{}{} miglint-ignore {} -- TODO: why this is safe{}",
                                      text.substr(line_begin, indent_end - line_begin), linted.comment_prefix,
                                      finding.rule, newline);
    actions.push_back(
        {{"title", fmt::format("miglint: ignore {} for this {} (with a reason)", finding.rule, covered)},
         {"kind", "quickfix"},
         {"diagnostics", Json::array({diagnostic})},
         {"edit",
          {{"changes",
            {{document.uri, Json::array({{{"range", range_json(index, line_begin, line_begin)},
                                          {"newText", comment}}})}}}}}});
  }
  return actions;
}

Server::Json Server::hover(const Json& params) {
  Document& document = document_of(params);
  if (is_config_file(document.path)) {
    return nullptr;
  }
  LineIndex index(document.text);
  uint32_t offset = index.offset(position_of(params.at("position")));
  Expected<FileLocks> locks = linter_.locks(document.path, document.text);
  if (!locks) {
    return nullptr;
  }
  SourceFile source(document.path, document.text);
  Position cursor = source.position(offset);
  // The statement under the cursor: the last that starts at or before it.
  const StatementLocks* under = nullptr;
  for (const StatementLocks& statement : locks->statements) {
    if (statement.start <= cursor) {
      under = &statement;
    }
  }
  if (under == nullptr) {
    return nullptr;
  }
  return Json{{"contents", {{"kind", "markdown"}, {"value", lock_hover_markdown(*under)}}}};
}

void Server::send(const Json& message) {
  write_message(options_.output_fd, message.dump(-1, ' ', false, Json::error_handler_t::replace));
}

void Server::respond(const Json& id, Json result) {
  send({{"jsonrpc", "2.0"}, {"id", id}, {"result", std::move(result)}});
}

void Server::respond_error(const Json& id, int code, const std::string& message) {
  send({{"jsonrpc", "2.0"}, {"id", id}, {"error", {{"code", code}, {"message", message}}}});
}

}  // namespace miglint::lsp
