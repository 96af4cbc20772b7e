// `miglint lsp` driven over pipes as an editor drives it: initialize, buffers opened and changed,
// diagnostics at their UTF-16 positions, code actions whose edits give the fixed text, hovers with
// a statement's locks, the config honoured and reloaded, malformed input answered with JSON-RPC
// errors, shutdown and exit.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "cli_support.hpp"
#include "lsp_client.hpp"

namespace {

using miglint::cli_support::TempDir;
using miglint::lsp_test::Json;
using miglint::lsp_test::LspClient;

std::string file_uri(const std::filesystem::path& path) {
  return "file://" + path.string();
}

// The byte offset of an LSP position (UTF-16 code units) in `text`: the test's own conversion.
std::size_t offset_of(const std::string& text, const Json& position) {
  std::size_t offset = 0;
  for (int line = position["line"].get<int>(); line > 0; --line) {
    offset = text.find('\n', offset) + 1;
  }
  for (int units = position["character"].get<int>(); units > 0;) {
    auto lead = static_cast<unsigned char>(text[offset]);
    int length = lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
    units -= length == 4 ? 2 : 1;
    offset += length;
  }
  return offset;
}

// `text` with a WorkspaceEdit's edits of `uri` applied (from the last, so offsets stay valid).
std::string apply(std::string text, const Json& workspace_edit, const std::string& uri) {
  std::vector<Json> edits = workspace_edit.at("changes").at(uri).get<std::vector<Json>>();
  std::sort(edits.begin(), edits.end(), [&](const Json& a, const Json& b) {
    return offset_of(text, a["range"]["start"]) > offset_of(text, b["range"]["start"]);
  });
  for (const Json& edit : edits) {
    std::size_t begin = offset_of(text, edit["range"]["start"]);
    std::size_t end = offset_of(text, edit["range"]["end"]);
    text.replace(begin, end - begin, edit["newText"].get<std::string>());
  }
  return text;
}

std::vector<Json> with_code(const Json& diagnostics, const std::string& code) {
  std::vector<Json> found;
  for (const Json& diagnostic : diagnostics) {
    if (diagnostic.value("code", "") == code) {
      found.push_back(diagnostic);
    }
  }
  return found;
}

class LspTest : public ::testing::Test {
 protected:
  LspTest() : dir_("miglint-lsp"), client_(MIGLINT_BINARY, dir_.path()) {}

  Json initialize() {
    Json response = client_.request(
        "initialize",
        {{"processId", nullptr}, {"rootUri", file_uri(dir_.path())}, {"capabilities", Json::object()}});
    client_.notify("initialized", Json::object());
    return response;
  }
  void open(const std::filesystem::path& path, const std::string& text) {
    client_.notify(
        "textDocument/didOpen",
        {{"textDocument", {{"uri", file_uri(path)}, {"languageId", "sql"}, {"version", 1}, {"text", text}}}});
  }
  void change(const std::filesystem::path& path, int version, const std::string& text) {
    client_.notify("textDocument/didChange",
                   {{"textDocument", {{"uri", file_uri(path)}, {"version", version}}},
                    {"contentChanges", Json::array({{{"text", text}}})}});
  }
  // The next diagnostics published for `path`.
  Json diagnostics(const std::filesystem::path& path) {
    for (;;) {
      std::optional<Json> published = client_.notification("textDocument/publishDiagnostics");
      if (!published) {
        ADD_FAILURE() << "no diagnostics published for " << path;
        return Json::array();
      }
      if ((*published)["params"]["uri"] == file_uri(path)) {
        return (*published)["params"]["diagnostics"];
      }
    }
  }
  void shutdown_and_exit() {
    Json shutdown = client_.request("shutdown", nullptr);
    EXPECT_TRUE(shutdown.contains("result") && shutdown["result"].is_null()) << shutdown.dump();
    client_.notify("exit", nullptr);
    EXPECT_EQ(client_.wait_exit(), 0);
  }

  TempDir dir_;
  LspClient client_;
};

// A comment with an accented letter and an emoji (two UTF-16 code units) before the statement.
const std::string kIndexMigration =
    "-- add an index\n"
    "/* é😀 */ CREATE INDEX orders_customer_idx ON orders (customer_id);\n";

TEST_F(LspTest, InitializeAnnouncesWhatTheServerDoes) {
  Json response = initialize();
  const Json& capabilities = response.at("result").at("capabilities");
  EXPECT_EQ(capabilities["textDocumentSync"]["change"], 1);
  EXPECT_EQ(capabilities["textDocumentSync"]["openClose"], true);
  EXPECT_EQ(capabilities["hoverProvider"], true);
  EXPECT_TRUE(capabilities.contains("codeActionProvider"));
  EXPECT_EQ(response["result"]["serverInfo"]["name"], "miglint");
  shutdown_and_exit();
}

TEST_F(LspTest, ClientsThatWatchFilesAreAskedToWatchTheConfig) {
  Json capabilities{{"workspace", {{"didChangeWatchedFiles", {{"dynamicRegistration", true}}}}}};
  client_.request("initialize", {{"processId", nullptr}, {"capabilities", capabilities}});
  std::optional<Json> registration = client_.notification("client/registerCapability");
  ASSERT_TRUE(registration);
  const Json& entry = (*registration)["params"]["registrations"][0];
  EXPECT_EQ(entry["method"], "workspace/didChangeWatchedFiles");
  EXPECT_EQ(entry["registerOptions"]["watchers"][0]["globPattern"], "**/miglint.toml");
  // The client's answer is a response to the server's request: taken, not answered.
  client_.send({{"jsonrpc", "2.0"}, {"id", (*registration)["id"]}, {"result", nullptr}});
  client_.notify("initialized", Json::object());
  std::filesystem::path file = dir_.path() / "001_index.sql";
  open(file, kIndexMigration);
  EXPECT_EQ(with_code(diagnostics(file), "require-concurrent-index-creation").size(), 1u);
  // A miglint.toml saved in the editor is read again too.
  dir_.write("miglint.toml", "ignore = [\"require-concurrent-index-creation\"]\n");
  std::filesystem::path config = dir_.path() / "miglint.toml";
  client_.notify("textDocument/didOpen",
                 {{"textDocument",
                   {{"uri", file_uri(config)},
                    {"languageId", "toml"},
                    {"version", 1},
                    {"text", "ignore = [\"require-concurrent-index-creation\"]\n"}}}});
  client_.notify("textDocument/didSave", {{"textDocument", {{"uri", file_uri(config)}}}});
  Json reloaded = diagnostics(file);
  EXPECT_TRUE(with_code(reloaded, "require-concurrent-index-creation").empty()) << reloaded.dump(2);
  shutdown_and_exit();
}

TEST_F(LspTest, DiagnosticsAtUtf16PositionsWithRuleLinks) {
  initialize();
  std::filesystem::path file = dir_.path() / "001_index.sql";
  open(file, kIndexMigration);
  Json published = diagnostics(file);
  std::vector<Json> index = with_code(published, "require-concurrent-index-creation");
  ASSERT_EQ(index.size(), 1u) << published.dump(2);
  // "/* é😀 */ " is 9 code points and 10 UTF-16 code units.
  EXPECT_EQ(index[0]["range"]["start"], Json({{"line", 1}, {"character", 10}}));
  EXPECT_EQ(index[0]["range"]["end"]["line"], 1);
  EXPECT_EQ(index[0]["severity"], 2);
  EXPECT_EQ(index[0]["source"], "miglint");
  EXPECT_NE(index[0]["message"].get<std::string>().find("without CONCURRENTLY"), std::string::npos);
  std::string href = index[0]["codeDescription"]["href"];
  EXPECT_TRUE(href.ends_with("/require-concurrent-index-creation.md")) << href;
  shutdown_and_exit();
}

TEST_F(LspTest, ChangesRelintAndABurstIsLintedOnce) {
  initialize();
  std::filesystem::path file = dir_.path() / "001_index.sql";
  open(file, kIndexMigration);
  EXPECT_EQ(with_code(diagnostics(file), "require-concurrent-index-creation").size(), 1u);
  // Twenty changes in one write: one lint, of the last text.
  std::string burst;
  for (int version = 2; version <= 21; ++version) {
    std::string text = version < 21 ? kIndexMigration + "-- typing " + std::to_string(version) + "\n"
                                    : std::string(
                                          "-- miglint-no-transaction\nSET lock_timeout = '2s';\n"
                                          "CREATE INDEX CONCURRENTLY i ON orders (customer_id);\n");
    burst += LspClient::frame(Json({{"jsonrpc", "2.0"},
                                    {"method", "textDocument/didChange"},
                                    {"params",
                                     {{"textDocument", {{"uri", file_uri(file)}, {"version", version}}},
                                      {"contentChanges", Json::array({{{"text", text}}})}}}})
                                  .dump());
  }
  client_.send_raw(burst);
  std::optional<Json> first = client_.notification("textDocument/publishDiagnostics");
  ASSERT_TRUE(first);
  EXPECT_EQ((*first)["params"]["version"], 21);
  EXPECT_TRUE(with_code((*first)["params"]["diagnostics"], "require-concurrent-index-creation").empty());
  EXPECT_FALSE(client_.notification("textDocument/publishDiagnostics", 500))
      << "the burst was linted more than once";
  shutdown_and_exit();
}

TEST_F(LspTest, CodeActionFixGivesTheFixedText) {
  initialize();
  std::filesystem::path file = dir_.path() / "001_index.sql";
  open(file, kIndexMigration);
  Json diagnostic = with_code(diagnostics(file), "require-concurrent-index-creation").at(0);
  Json actions =
      client_.request("textDocument/codeAction", {{"textDocument", {{"uri", file_uri(file)}}},
                                                  {"range", diagnostic["range"]},
                                                  {"context", {{"diagnostics", Json::array({diagnostic})}}}});
  const Json* fix = nullptr;
  const Json* ignore = nullptr;
  for (const Json& action : actions.at("result")) {
    if (action["diagnostics"][0]["code"] != "require-concurrent-index-creation") {
      continue;
    }
    std::string title = action["title"];
    (title.find("ignore") != std::string::npos ? ignore : fix) = &action;
  }
  ASSERT_NE(fix, nullptr) << actions.dump(2);
  ASSERT_NE(ignore, nullptr) << actions.dump(2);
  std::string fixed = apply(kIndexMigration, (*fix)["edit"], file_uri(file));
  EXPECT_NE(fixed.find("/* é😀 */ CREATE INDEX CONCURRENTLY orders_customer_idx"), std::string::npos) << fixed;
  change(file, 2, fixed);
  EXPECT_TRUE(with_code(diagnostics(file), "require-concurrent-index-creation").empty()) << fixed;

  std::string ignored = apply(kIndexMigration, (*ignore)["edit"], file_uri(file));
  EXPECT_NE(ignored.find("-- miglint-ignore require-concurrent-index-creation -- "), std::string::npos)
      << ignored;
  change(file, 3, ignored);
  Json after_ignore = diagnostics(file);
  EXPECT_TRUE(with_code(after_ignore, "require-concurrent-index-creation").empty()) << ignored;
  EXPECT_TRUE(with_code(after_ignore, "unused-ignore").empty()) << after_ignore.dump(2);
  // A suppressed finding gets no action.
  Json none = client_.request(
      "textDocument/codeAction",
      {{"textDocument", {{"uri", file_uri(file)}}},
       {"range", {{"start", {{"line", 2}, {"character", 12}}}, {"end", {{"line", 2}, {"character", 12}}}}},
       {"context", {{"diagnostics", Json::array()}}}});
  for (const Json& action : none.at("result")) {
    EXPECT_NE(action["diagnostics"][0]["code"], "require-concurrent-index-creation") << action.dump();
  }
  shutdown_and_exit();
}

TEST_F(LspTest, HoverShowsTheLocksAndWhatTheyBlock) {
  initialize();
  std::filesystem::path file = dir_.path() / "001_index.sql";
  open(file, kIndexMigration + "ALTER TABLE orders ADD COLUMN note text;\n");
  diagnostics(file);
  Json hover = client_.request("textDocument/hover", {{"textDocument", {{"uri", file_uri(file)}}},
                                                      {"position", {{"line", 1}, {"character", 14}}}});
  std::string text = hover.at("result").at("contents").at("value");
  EXPECT_NE(text.find("`public.orders`: **SHARE**"), std::string::npos) << text;
  EXPECT_NE(text.find("blocks writes"), std::string::npos) << text;
  Json second = client_.request("textDocument/hover", {{"textDocument", {{"uri", file_uri(file)}}},
                                                       {"position", {{"line", 2}, {"character", 3}}}});
  std::string alter = second.at("result").at("contents").at("value");
  EXPECT_NE(alter.find("**ACCESS EXCLUSIVE**"), std::string::npos) << alter;
  EXPECT_NE(alter.find("every read and write"), std::string::npos) << alter;
  shutdown_and_exit();
}

TEST_F(LspTest, EarlierMigrationsOfTheDirectoryTeachTheirFacts) {
  // Widening a varchar needs no rewrite, which only the earlier migration, read from the buffer's
  // directory as --with-history reads it, tells; a later migration teaches nothing.
  dir_.write("001_create.sql", "CREATE TABLE accounts (id bigint PRIMARY KEY, email varchar(200));\n");
  dir_.write("003_later.sql", "CREATE TABLE invoices (id bigint PRIMARY KEY, note varchar(10));\n");
  initialize();
  std::filesystem::path file = dir_.path() / "002_widen.sql";
  open(file,
       "ALTER TABLE accounts ALTER COLUMN email TYPE varchar(300);\n"
       "ALTER TABLE invoices ALTER COLUMN note TYPE varchar(20);\n");
  Json published = diagnostics(file);
  std::vector<Json> retyped = with_code(published, "changing-column-type");
  ASSERT_EQ(retyped.size(), 1u) << published.dump(2);
  EXPECT_EQ(retyped[0]["range"]["start"]["line"], 1) << "only the column no earlier migration created";
  Json hover = client_.request("textDocument/hover", {{"textDocument", {{"uri", file_uri(file)}}},
                                                      {"position", {{"line", 0}, {"character", 2}}}});
  std::string widen = hover.at("result").at("contents").at("value");
  EXPECT_NE(widen.find("`public.accounts`: **ACCESS EXCLUSIVE**"), std::string::npos) << widen;
  EXPECT_EQ(widen.find("rewrites"), std::string::npos) << widen;
  Json second = client_.request("textDocument/hover", {{"textDocument", {{"uri", file_uri(file)}}},
                                                       {"position", {{"line", 1}, {"character", 2}}}});
  std::string unknown = second.at("result").at("contents").at("value");
  EXPECT_NE(unknown.find("rewrites the table"), std::string::npos) << unknown;
  shutdown_and_exit();
}

TEST_F(LspTest, CppSourcesAreLintedByTheCppFrontEnd) {
  // The C++ front end is a program beside miglint, built when Clang 16 is installed.
  if (!std::filesystem::exists(std::filesystem::path(MIGLINT_BINARY).parent_path() /
                               "miglint-cpp-front-end")) {
    GTEST_SKIP() << "the C++ front end is not built (no Clang 16)";
  }
  initialize();
  std::filesystem::path file = std::filesystem::path(MIGLINT_SOURCE_DIR) / "fixtures/cpp/escapes.cpp";
  std::ifstream in(file);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  client_.notify(
      "textDocument/didOpen",
      {{"textDocument", {{"uri", file_uri(file)}, {"languageId", "cpp"}, {"version", 1}, {"text", text}}}});
  Json published = diagnostics(file);
  // As fixtures/cpp/escapes.cpp.snap has it: 7:41, inside the literal.
  std::vector<Json> dropped = with_code(published, "ban-drop-column");
  ASSERT_EQ(dropped.size(), 1u) << published.dump(2);
  EXPECT_EQ(dropped[0]["range"]["start"], Json({{"line", 6}, {"character", 40}}));
  // No fix edits a C++ source (as `lint --fix`); the ignore comment goes on the line before the call,
  // in the form the C++ front end reads, and silences the finding.
  Json actions = client_.request("textDocument/codeAction", {{"textDocument", {{"uri", file_uri(file)}}},
                                                             {"range", dropped[0]["range"]},
                                                             {"context", {{"diagnostics", Json::array()}}}});
  ASSERT_EQ(actions.at("result").size(), 1u) << actions.dump(2);
  const Json& ignore = actions["result"][0];
  EXPECT_EQ(ignore["title"], "miglint: ignore ban-drop-column for this call (with a reason)");
  std::string ignored = apply(text, ignore["edit"], file_uri(file));
  EXPECT_NE(ignored.find("  PQexec(conn, \"SET lock_timeout = '2s';\\nSET statement_timeout = '5min';\");\n"
                         "  // miglint-ignore ban-drop-column -- TODO: why this is safe\n"
                         "  PQexec(conn, \"ALTER TABLE"),
            std::string::npos)
      << ignored;
  client_.notify("textDocument/didChange", {{"textDocument", {{"uri", file_uri(file)}, {"version", 2}}},
                                            {"contentChanges", Json::array({{{"text", ignored}}})}});
  Json after = diagnostics(file);
  EXPECT_TRUE(with_code(after, "ban-drop-column").empty()) << after.dump(2);
  EXPECT_TRUE(with_code(after, "unused-ignore").empty()) << after.dump(2);
  EXPECT_EQ(with_code(after, "ban-drop-table").size(), 1u)
      << "the next call is not covered: " << after.dump(2);
  shutdown_and_exit();
}

TEST_F(LspTest, AlembicIgnoreCommentGoesAboveTheCall) {
  // The Alembic front end runs Python with Alembic (ci/install-deps: python3-alembic).
  if (std::system("python3 -c 'import alembic' >/dev/null 2>&1 || /usr/bin/python3 -c 'import alembic' "
                  ">/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "python3 with Alembic is not installed: the Alembic front end cannot be tested";
  }
  dir_.write("alembic.ini", "[alembic]\nscript_location = migrations\n");
  dir_.write("migrations/env.py", "raise RuntimeError(\"env.py must not run during lint\")\n");
  // The finding is inside a triple-quoted string, lines below the call: the comment must go above
  // the call, never into the string (which would change the SQL).
  const std::string revision =
      "\"\"\"drop a column\n\nRevision ID: a1b2c3d4e5f6\nRevises:\n\"\"\"\n"
      "import sqlalchemy as sa\nfrom alembic import op\n\n"
      "revision = \"a1b2c3d4e5f6\"\ndown_revision = None\n\n\n"
      "def upgrade():\n"
      "    op.execute(\"SET lock_timeout = '2s'\")\n"
      "    op.execute(\"SET statement_timeout = '5min'\")\n"
      "    op.execute(sa.text(\"\"\"\n"
      "        ALTER TABLE items\n"
      "          DROP COLUMN legacy\"\"\"))\n\n\n"
      "def downgrade():\n"
      "    op.add_column(\"items\", sa.Column(\"legacy\", sa.Text(), nullable=True))\n";
  std::filesystem::path file = dir_.write("migrations/versions/a1b2c3d4e5f6_drop_legacy.py", revision);
  initialize();
  client_.notify("textDocument/didOpen",
                 {{"textDocument",
                   {{"uri", file_uri(file)}, {"languageId", "python"}, {"version", 1}, {"text", revision}}}});
  Json published = diagnostics(file);
  std::vector<Json> dropped = with_code(published, "ban-drop-column");
  ASSERT_EQ(dropped.size(), 1u) << published.dump(2);
  EXPECT_GT(dropped[0]["range"]["start"]["line"].get<int>(), 15) << "inside the string, below the call";
  Json actions = client_.request("textDocument/codeAction", {{"textDocument", {{"uri", file_uri(file)}}},
                                                             {"range", dropped[0]["range"]},
                                                             {"context", {{"diagnostics", Json::array()}}}});
  const Json* ignore = nullptr;
  for (const Json& action : actions.at("result")) {
    if (action["diagnostics"][0]["code"] == "ban-drop-column") {
      ignore = &action;
    }
  }
  ASSERT_NE(ignore, nullptr) << actions.dump(2);
  EXPECT_EQ((*ignore)["title"], "miglint: ignore ban-drop-column for this call (with a reason)");
  std::string ignored = apply(revision, (*ignore)["edit"], file_uri(file));
  EXPECT_NE(ignored.find("    # miglint-ignore ban-drop-column -- TODO: why this is safe\n"
                         "    op.execute(sa.text(\"\"\"\n        ALTER TABLE items\n"),
            std::string::npos)
      << ignored;
  client_.notify("textDocument/didChange", {{"textDocument", {{"uri", file_uri(file)}, {"version", 2}}},
                                            {"contentChanges", Json::array({{{"text", ignored}}})}});
  Json after = diagnostics(file);
  EXPECT_TRUE(with_code(after, "ban-drop-column").empty()) << after.dump(2);
  EXPECT_TRUE(with_code(after, "unused-ignore").empty()) << after.dump(2);
  shutdown_and_exit();
}

TEST_F(LspTest, ConfigIsHonouredAndReloaded) {
  dir_.write("miglint.toml", "ignore = [\"require-concurrent-index-creation\"]\n");
  initialize();
  std::filesystem::path file = dir_.path() / "001_index.sql";
  open(file, kIndexMigration);
  EXPECT_TRUE(with_code(diagnostics(file), "require-concurrent-index-creation").empty());
  dir_.write("miglint.toml", "ignore = [\"require-lock-timeout\"]\n");
  client_.notify(
      "workspace/didChangeWatchedFiles",
      {{"changes", Json::array({{{"uri", file_uri(dir_.path() / "miglint.toml")}, {"type", 2}}})}});
  Json reloaded = diagnostics(file);
  EXPECT_EQ(with_code(reloaded, "require-concurrent-index-creation").size(), 1u) << reloaded.dump(2);
  EXPECT_TRUE(with_code(reloaded, "require-lock-timeout").empty()) << reloaded.dump(2);
  // A broken config is said, and the buffer is still linted (with the defaults).
  dir_.write("miglint.toml", "ignore = [\"no-such-rule\"\n");
  change(file, 2, kIndexMigration);
  Json broken = diagnostics(file);
  EXPECT_EQ(with_code(broken, "config").size(), 1u) << broken.dump(2);
  EXPECT_EQ(with_code(broken, "require-concurrent-index-creation").size(), 1u) << broken.dump(2);
  shutdown_and_exit();
}

TEST_F(LspTest, MalformedInputGetsJsonRpcErrors) {
  initialize();
  auto error_code = [](const Json& response) { return response.at("error").at("code").get<int>(); };
  auto next_response = [&]() {
    for (;;) {
      std::optional<Json> message =
          client_.receive(std::chrono::steady_clock::now() + std::chrono::seconds(10));
      if (!message) {
        ADD_FAILURE() << "no response";
        return Json::object();
      }
      if (!message->contains("method")) {
        return *message;
      }
    }
  };
  client_.send_raw(LspClient::frame("{not json"));
  Json parse_error = next_response();
  EXPECT_EQ(error_code(parse_error), -32700);
  EXPECT_TRUE(parse_error["id"].is_null());
  client_.send_raw(LspClient::frame("[1, 2]"));
  EXPECT_EQ(error_code(next_response()), -32600);
  client_.send_raw(LspClient::frame(R"({"jsonrpc":"2.0","id":7})"));
  EXPECT_EQ(error_code(next_response()), -32600);
  client_.send_raw(LspClient::frame(R"({"jsonrpc":"2.0","id":{"x":1},"method":"shutdown"})"));
  EXPECT_EQ(error_code(next_response()), -32600);
  client_.send_raw("Content-Length: banana\r\n\r\n");
  EXPECT_EQ(error_code(next_response()), -32700);
  EXPECT_EQ(error_code(client_.request("no/suchMethod", Json::object())), -32601);
  EXPECT_EQ(error_code(client_.request("textDocument/hover", Json::object())), -32602);
  EXPECT_EQ(
      error_code(client_.request("textDocument/hover", {{"textDocument", {{"uri", "file:///nowhere.sql"}}},
                                                        {"position", {{"line", 0}, {"character", 0}}}})),
      -32602);
  EXPECT_EQ(error_code(client_.request("textDocument/codeAction",
                                       {{"textDocument", {{"uri", 5}}}, {"range", "everything"}})),
            -32602);
  // Unknown notifications and notifications with bad params are ignored, and the server goes on.
  client_.notify("no/suchNotification", {{"x", 1}});
  client_.notify("textDocument/didChange", {{"textDocument", 3}});
  client_.notify("textDocument/didOpen", Json::object());
  std::filesystem::path file = dir_.path() / "001_index.sql";
  open(file, kIndexMigration);
  EXPECT_EQ(with_code(diagnostics(file), "require-concurrent-index-creation").size(), 1u);
  shutdown_and_exit();
}

TEST_F(LspTest, RequestsBeforeInitializeAndAfterShutdownAreRefused) {
  Json early = client_.request("textDocument/hover", Json::object());
  EXPECT_EQ(early.at("error").at("code"), -32002);
  initialize();
  client_.request("shutdown", nullptr);
  Json late = client_.request("textDocument/hover", Json::object());
  EXPECT_EQ(late.at("error").at("code"), -32600);
  client_.notify("exit", nullptr);
  EXPECT_EQ(client_.wait_exit(), 0);
}

TEST_F(LspTest, ExitWithoutShutdownOrEndOfInputIsStatusOne) {
  initialize();
  client_.close_input();
  EXPECT_EQ(client_.wait_exit(), 1);
}

}  // namespace
