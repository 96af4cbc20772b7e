// Hostile inputs (issue 12): files that are not what they seem. Each gives a correct result or one
// clear line naming the file (and the position when there is one), never blocks, never crashes.
// Big inputs are generated here, at run time, in a temporary directory.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <string>
#include <thread>

#include "analyzer/cpp/cpp_front_end.hpp"
#include "analyzer/cpp/cpp_text.hpp"
#include "analyzer/cpp/front_end_protocol.hpp"
#include "analyzer/engine/linter.hpp"
#include "analyzer/project/discover.hpp"
#include "analyzer/project/input_source.hpp"
#include "analyzer/text/message_text.hpp"
#include "analyzer/text/source_file.hpp"
#include "rules/registry.hpp"
#include "tests/cli_support.hpp"
#include "tests/hostile_support.hpp"
#include "tests/sanitizer_build.hpp"

namespace fs = std::filesystem;
using namespace miglint;
using cli_support::TempDir;
using hostile::ProcessRun;
using hostile::run_miglint;

namespace {

// The lines of standard error that start with `prefix`.
std::vector<std::string> lines_starting(const std::string& text, const std::string& prefix) {
  std::vector<std::string> found;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.starts_with(prefix)) {
      found.push_back(line);
    }
  }
  return found;
}

}  // namespace

TEST(HostileInput, NulBytesAreOneErrorWithTheirPositionAndTheOtherFilesAreLinted) {
  TempDir dir("miglint-hostile");
  dir.write("001_nul.sql", std::string("SELECT 1;\nSELECT \0'x';\n", 22));
  dir.write("002_drop.sql", "DROP TABLE users;\n");
  ProcessRun run = run_miglint({"lint", "--select", "ban-drop-table", "."}, dir.str());
  EXPECT_EQ(run.status, 2) << run.out << run.err;
  EXPECT_EQ(lines_starting(run.err, "miglint: error:"),
            std::vector<std::string>{
                "miglint: error: 001_nul.sql: binary file (NUL byte at line 2, column 8), not SQL text"})
      << run.err;
  EXPECT_NE(run.out.find("002_drop.sql:1:1: warning:"), std::string::npos) << run.out;
}

TEST(HostileInput, InvalidUtf8ContentsAreOneErrorWithTheirPosition) {
  TempDir dir("miglint-hostile");
  dir.write("bad.sql", "SELECT 1;\nSELECT 'é\xff';\n");
  ProcessRun run = run_miglint({"lint", "bad.sql"}, dir.str());
  EXPECT_EQ(run.status, 2);
  EXPECT_EQ(lines_starting(run.err, "miglint: error:"),
            std::vector<std::string>{
                "miglint: error: bad.sql: invalid UTF-8 at line 2, column 10 (byte offset 20)"})
      << run.err;
}

// A file name that is not UTF-8 is still a file: it is linted, and reported as the text report shows
// bytes that are not UTF-8.
TEST(HostileInput, InvalidUtf8FileNamesAreLinted) {
  TempDir dir("miglint-hostile");
  dir.write("001_caf\xe9.sql", "DROP TABLE users;\n");
  for (bool walk : {true, false}) {
    ProcessRun run =
        run_miglint({"lint", "--select", "ban-drop-table", walk ? "." : "001_caf\xe9.sql"}, dir.str());
    EXPECT_EQ(run.status, 1) << run.err;
    EXPECT_NE(run.out.find("001_caf\\xe9.sql:1:1: warning:"), std::string::npos) << run.out;
  }
}

// Decision (README, "Inputs"): a directory walk enters no linked directory (no loop can form),
// lints a linked file only when its target is a regular file inside the walked directory, and
// skips every other entry named like an input with a note on standard error. A file named on the
// command line is read wherever its link points.
TEST(HostileInput, SymbolicLinkLoopsAndLinksOutOfTheTree) {
  TempDir outside("miglint-hostile-outside");
  fs::path secret = outside.write("secret.sql", "DROP TABLE secret;\n");
  TempDir dir("miglint-hostile");
  dir.write("m/001_real.sql", "DROP TABLE real;\n");
  fs::create_symlink("001_real.sql", dir.path() / "m/002_inside.sql");
  fs::create_symlink(secret, dir.path() / "m/003_outside.sql");
  fs::create_symlink("004_loop.sql", dir.path() / "m/004_loop.sql");
  fs::create_symlink("006_b.sql", dir.path() / "m/005_a.sql");
  fs::create_symlink("005_a.sql", dir.path() / "m/006_b.sql");
  fs::create_symlink("missing.sql", dir.path() / "m/007_broken.sql");
  fs::create_directory_symlink("..", dir.path() / "m/back");  // a directory loop
  fs::create_directory_symlink(outside.path(), dir.path() / "m/elsewhere");
  for (bool collected : {false, true}) {
    // --with-history lists every input first (discover_inputs) instead of walking as it lints.
    std::vector<std::string> args = {"lint", "--select", "ban-drop-table", "m"};
    if (collected) {
      args.insert(args.begin() + 1, "--with-history");
    }
    ProcessRun run = run_miglint(args, dir.str(), std::chrono::seconds(60));
    SCOPED_TRACE(collected ? "collected" : "walked");
    ASSERT_FALSE(run.timed_out);
    EXPECT_EQ(run.status, 1) << run.out << run.err;
    EXPECT_NE(run.out.find("m/001_real.sql:1:1:"), std::string::npos) << run.out;
    EXPECT_NE(run.out.find("m/002_inside.sql:1:1:"), std::string::npos) << run.out;
    EXPECT_EQ(run.out.find("secret"), std::string::npos) << run.out;
    EXPECT_EQ(
        lines_starting(run.err, "miglint: note:"),
        (std::vector<std::string>{
            "miglint: note: m/003_outside.sql: skipped: a symbolic link to a file outside the walked "
            "directory (name the file itself to lint it)",
            "miglint: note: m/004_loop.sql: skipped: a symbolic link loop",
            "miglint: note: m/005_a.sql: skipped: a symbolic link loop",
            "miglint: note: m/006_b.sql: skipped: a symbolic link loop",
            "miglint: note: m/007_broken.sql: skipped: a broken symbolic link (No such file or directory)",
        }))
        << run.err;
  }
  // Named, the outside file is linted: whoever runs miglint chose it.
  ProcessRun named = run_miglint({"lint", "--select", "ban-drop-table", "m/003_outside.sql"}, dir.str());
  EXPECT_EQ(named.status, 1);
  EXPECT_NE(named.out.find("DROP TABLE secret"), std::string::npos) << named.out;
  // Named, a loop is one error.
  ProcessRun loop = run_miglint({"lint", "m/004_loop.sql"}, dir.str());
  EXPECT_EQ(loop.status, 2);
  EXPECT_EQ(lines_starting(loop.err, "miglint: error:").size(), 1U) << loop.err;
  EXPECT_NE(loop.err.find("m/004_loop.sql"), std::string::npos) << loop.err;
}

// FIFOs and sockets met in a walk are skipped with a note (never opened); named, a FIFO or a device
// is one error, at once (a FIFO without a writer would block an open, /dev/zero never ends).
TEST(HostileInput, FifosSocketsAndDevicesNeverBlock) {
  TempDir dir("miglint-hostile");
  dir.write("m/001_ok.sql", "SELECT 1;\n");
  ASSERT_EQ(mkfifo((dir.path() / "m/002_pipe.sql").c_str(), 0600), 0);
  int sock = socket(AF_UNIX, SOCK_STREAM, 0);
  ASSERT_GE(sock, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::string socket_path = (dir.path() / "m/003_socket.sql").string();
  ASSERT_LT(socket_path.size(), sizeof(address.sun_path));
  socket_path.copy(address.sun_path, socket_path.size());
  ASSERT_EQ(bind(sock, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  // A device node when this process may make one (root); a link to one otherwise, which the walk
  // skips as a link out of the tree.
  bool device = mknod((dir.path() / "m/004_zero.sql").c_str(), S_IFCHR | 0600, makedev(1, 5)) == 0;
  for (bool collected : {false, true}) {
    std::vector<std::string> args = {"lint", "m"};
    if (collected) {
      args.insert(args.begin() + 1, "--with-history");
    }
    ProcessRun run = run_miglint(args, dir.str(), std::chrono::seconds(60));
    SCOPED_TRACE(collected ? "collected" : "walked");
    ASSERT_FALSE(run.timed_out) << "blocked on a FIFO or a device";
    EXPECT_EQ(run.status, 0) << run.out << run.err;
    std::vector<std::string> expected = {
        "miglint: note: m/002_pipe.sql: skipped: a named pipe (FIFO), not a regular file",
        "miglint: note: m/003_socket.sql: skipped: a socket, not a regular file",
    };
    if (device) {
      expected.push_back("miglint: note: m/004_zero.sql: skipped: a character device, not a regular file");
    }
    EXPECT_EQ(lines_starting(run.err, "miglint: note:"), expected) << run.err;
  }
  struct Named {
    std::string path;
    std::string message;
  };
  for (const Named& named :
       {Named{"m/002_pipe.sql",
              "m/002_pipe.sql: not a regular file but a named pipe (FIFO); pipe it to `-` (standard input) "
              "instead"},
        Named{"/dev/zero", "/dev/zero: not a regular file but a character device"},
        Named{"/dev/null", "/dev/null: not a regular file but a character device"},
        Named{"m/003_socket.sql", "m/003_socket.sql: not a regular file but a socket"}}) {
    ProcessRun run = run_miglint({"lint", "m/001_ok.sql", named.path}, dir.str(), std::chrono::seconds(60));
    ASSERT_FALSE(run.timed_out) << named.path;
    EXPECT_EQ(run.status, 2) << named.path;
    EXPECT_EQ(lines_starting(run.err, "miglint: error:"),
              std::vector<std::string>{"miglint: error: " + named.message})
        << run.err;
    EXPECT_NE(run.out.find("1 file could not be read"), std::string::npos) << run.out;
  }
  // `locks` reads through the same function.
  ProcessRun locks = run_miglint({"locks", "m/002_pipe.sql"}, dir.str(), std::chrono::seconds(60));
  ASSERT_FALSE(locks.timed_out);
  EXPECT_EQ(locks.status, 2);
  close(sock);
}

// A file listed, then gone before it is read: one error naming it, the rest linted.
TEST(HostileInput, AFileThatDisappearsIsOneErrorNamingIt) {
  TempDir dir("miglint-hostile");
  dir.write("m/001_a.sql", "DROP TABLE a;\n");
  dir.write("m/002_gone.sql", "DROP TABLE gone;\n");
  dir.write("m/003_c.sql", "DROP TABLE c;\n");
  // The walk yields 002 and then the file goes, as a concurrent checkout could make it.
  class Vanishing final : public InputSource {
   public:
    explicit Vanishing(std::unique_ptr<InputSource> inner) : inner_(std::move(inner)) {}
    std::optional<LintInput> next(std::vector<std::string>& finished) override {
      std::optional<LintInput> input = inner_->next(finished);
      if (input && input->display_path.ends_with("002_gone.sql")) {
        fs::remove(input->filesystem_path);
      }
      return input;
    }

   private:
    std::unique_ptr<InputSource> inner_;
  };
  Vanishing source(open_inputs({(dir.path() / "m").string()}, "stdin.sql"));
  RuleSet rules(all_rules(), {"ban-drop-table"}, {});
  auto shared = std::make_shared<const RuleSet>(rules);
  std::vector<FileResult> results;
  lint_inputs(
      source, 2,
      [&](const std::string&) {
        return FileSetup{LintOptions{}, shared, Severity::Warning, nullptr};
      },
      [&](FileResult&& result) { results.push_back(std::move(result)); });
  ASSERT_EQ(results.size(), 3U);
  EXPECT_EQ(results[0].findings.size(), 1U);
  ASSERT_EQ(results[1].errors.size(), 1U);
  EXPECT_TRUE(results[1].errors[0].path.ends_with("m/002_gone.sql")) << results[1].errors[0].path;
  EXPECT_EQ(results[1].errors[0].message, "cannot read file: No such file or directory");
  EXPECT_EQ(results[2].findings.size(), 1U);
}

// A file that shrinks and grows while it is read: each read is whole or a prefix of what was
// there, never a crash, never an error, never a hang.
TEST(HostileInput, AFileThatShrinksWhileReadIsReadAsItIs) {
  TempDir dir("miglint-hostile");
  std::string big;
  while (big.size() < (4U << 20U)) {
    big += "SELECT 1;\n";
  }
  fs::path file = dir.write("changing.sql", big);
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    for (int round = 0; !stop; ++round) {
      fs::resize_file(file, round % 2 == 0 ? 10 : big.size() / 3);
      std::ofstream(file, std::ios::binary) << big;
    }
  });
  for (int read = 0; read < 200; ++read) {
    Expected<std::string> bytes = read_file_bytes(file.string());
    ASSERT_TRUE(bytes) << bytes.error().message;
    ASSERT_LE(bytes->size(), big.size());
    // What was read is the file's text in part (a truncation reads back as zeros at most where the
    // writer had not yet written): never more than the file ever held.
    ASSERT_EQ(bytes->find_first_not_of(std::string("SELECT 1;\n\0", 11)), std::string::npos);
  }
  stop = true;
  writer.join();
}

// Paths with spaces, quotes and newlines are read and reported as the files they are.
TEST(HostileInput, PathsWithSpacesQuotesAndNewlines) {
  TempDir dir("miglint-hostile");
  const std::vector<std::string> names = {"a dir/001 spaced.sql", "a dir/002 \"double\" 'single'.sql",
                                          "a dir/003 new\nline.sql", "a dir/004 back\\slash $(x) `y`.sql"};
  for (const std::string& name : names) {
    dir.write(name, "DROP TABLE users;\n");
  }
  ProcessRun walked =
      run_miglint({"lint", "--select", "ban-drop-table", "--format", "json", "a dir"}, dir.str());
  EXPECT_EQ(walked.status, 1) << walked.err;
  for (const std::string& name : names) {
    std::string json_name = name;
    for (std::size_t at = 0; (at = json_name.find_first_of("\"\\\n", at)) != std::string::npos; at += 2) {
      json_name.replace(at, 1, json_name[at] == '\n' ? "\\n" : std::string("\\") + json_name[at]);
    }
    EXPECT_NE(walked.out.find("\"path\": \"" + json_name + "\""), std::string::npos)
        << json_name << walked.out;
    ProcessRun named = run_miglint({"lint", "--select", "ban-drop-table", name}, dir.str());
    EXPECT_EQ(named.status, 1) << name << named.err;
    // The report's first line names the file, escaped: the newline in its name does not break it.
    EXPECT_TRUE(named.out.starts_with(escape_for_message(name) + ":1:1: warning:")) << named.out;
  }
}

// Ignore comments in C++ find their call by binary search (they scanned every call, counting lines
// from the top of the file each time). The same call as the linear scan, over random files of
// calls, nested calls, comments above, inside and trailing them.
// The C++ front end is a process of its own: one that crashes inside Clang (here: greets, reads the
// request, and kills itself with SIGSEGV), or cannot start at all, costs an error line on each C++
// file, and the other files are still linted. Before it was a process, such a crash ended miglint.
TEST(HostileCppInput, AFrontEndThatCrashesIsAnErrorOnItsFileAndTheOtherFilesAreLinted) {
  TempDir dir("miglint-hostile");
  std::string hello = miglint::cpp::encode_hello({miglint::cpp::kProtocolVersion, "16.0.6"});
  std::string frame;
  for (int i = 0; i < 4; ++i) {
    frame.push_back(static_cast<char>((hello.size() >> (8 * i)) & 0xFF));
  }
  dir.write("hello.bin", frame + hello);
  dir.write("crashing-front-end", "#!/bin/sh\ncat '" + (dir.path() / "hello.bin").string() +
                                      "' >&0\nhead -c 4 >/dev/null\nkill -SEGV $$\n");
  dir.write("dead-front-end", "#!/bin/sh\nexit 3\n");
  fs::permissions(dir.path() / "crashing-front-end", fs::perms::owner_all);
  fs::permissions(dir.path() / "dead-front-end", fs::perms::owner_all);
  dir.write("a.cpp", "void f();\n");
  dir.write("b.cpp", "void g();\n");
  dir.write("c.sql", "DROP TABLE users;\n");
  struct Case {
    const char* front_end;
    const char* says;
  };
  for (Case each : {Case{"crashing-front-end", "stopped while reading this file: killed by signal 11"},
                    Case{"dead-front-end", "did not start: exit status 3"}}) {
    SCOPED_TRACE(each.front_end);
    setenv("MIGLINT_CPP_FRONT_END", (dir.path() / each.front_end).c_str(), 1);
    ProcessRun run =
        run_miglint({"lint", "--select", "ban-drop-table", "a.cpp", "b.cpp", "c.sql"}, dir.str());
    unsetenv("MIGLINT_CPP_FRONT_END");
    ASSERT_FALSE(run.timed_out);
    EXPECT_EQ(run.status, 2) << run.out << run.err;
    EXPECT_NE(run.out.find("c.sql:1:1:"), std::string::npos) << run.out << run.err;
    for (const char* file : {"a.cpp", "b.cpp"}) {
      std::vector<std::string> lines = lines_starting(run.err, "miglint: error: " + std::string(file) + ": ");
      ASSERT_EQ(lines.size(), 1U) << run.err;
      EXPECT_NE(lines[0].find(each.says), std::string::npos) << lines[0];
    }
  }
}

TEST(HostileCppInput, IgnoreCommentsFindTheCallTheLinearScanFound) {
  auto reference_text = [](std::string_view cpp, const std::vector<cpp::ExtractedCall>& calls) {
    auto line_of = [&](uint32_t offset) { return std::count(cpp.begin(), cpp.begin() + offset, '\n'); };
    std::vector<std::vector<std::string>> comments_of(calls.size());
    for (const cpp::CppComment& comment : cpp::scan_cpp_comments(cpp)) {
      std::string text(cpp.substr(comment.begin, comment.end - comment.begin));
      std::optional<std::size_t> target;
      for (std::size_t k = 0; k < calls.size(); ++k) {
        bool inside = calls[k].call_begin <= comment.begin && comment.begin < calls[k].call_end;
        bool trails =
            calls[k].call_end <= comment.begin && line_of(calls[k].call_end) == line_of(comment.begin);
        if (inside || trails) {
          target = k;
        }
      }
      for (std::size_t k = 0; k < calls.size() && !target; ++k) {
        if (calls[k].call_begin >= comment.end) {
          target = k;
        }
      }
      if (target) {
        comments_of[*target].push_back("--" + text.substr(2) + "\n");
      }
    }
    std::string text;
    for (std::size_t k = 0; k < calls.size(); ++k) {
      for (const std::string& comment : comments_of[k]) {
        text += comment;
      }
      text += calls[k].sql + "\n;\n";
    }
    return text;
  };
  std::mt19937 random(20261204);
  for (int round = 0; round < 300; ++round) {
    std::string cpp;
    std::vector<cpp::ExtractedCall> calls;
    std::vector<std::size_t> open;  // calls whose closing parenthesis is still to come
    int lines = 1 + static_cast<int>(random() % 30);
    for (int line = 0; line < lines; ++line) {
      switch (random() % 5) {
        case 0:
          cpp += "  // miglint-ignore r" + std::to_string(line) + "\n";
          break;
        case 1:
        case 2: {
          cpp::ExtractedCall call;
          call.call_begin = static_cast<uint32_t>(cpp.size());
          call.sql = "SELECT " + std::to_string(line);
          call.sql_offsets.assign(call.sql.size(), call.call_begin);
          bool nested = random() % 3 == 0;
          cpp += "f(\"x\"";
          if (nested) {
            open.push_back(calls.size());
            cpp += ",\n";
          } else {
            cpp += ");";
            call.call_end = static_cast<uint32_t>(cpp.size() - 1);
            cpp += random() % 2 == 0 ? " // miglint-ignore t" + std::to_string(line) + "\n" : "\n";
          }
          calls.push_back(call);
          break;
        }
        case 3:
          if (!open.empty()) {
            cpp += ")";
            calls[open.back()].call_end = static_cast<uint32_t>(cpp.size());
            open.pop_back();
            cpp += random() % 2 == 0 ? "; // miglint-ignore c" + std::to_string(line) + "\n" : ";\n";
          }
          break;
        default:
          cpp += "int x" + std::to_string(line) + ";\n";
      }
    }
    for (; !open.empty(); open.pop_back()) {
      cpp += ")";
      calls[open.back()].call_end = static_cast<uint32_t>(cpp.size());
    }
    cpp::AssembledSql assembled = cpp::assemble_calls(cpp, calls);
    ASSERT_EQ(assembled.text, reference_text(cpp, calls)) << cpp;
  }
}

#ifdef MIGLINT_HAS_CPP_FRONT_END
namespace {

constexpr std::string_view kLibpqDeclarations =
    "struct PGconn;\nstruct PGresult;\nextern \"C\" PGresult* PQexec(PGconn* conn, const char* query);\n";

}  // namespace

// The C++ front end on a file holding one 10 MB string literal: finishes, in memory linear in
// the file (measured: see README, "Limits").
TEST(HostileCppInput, OneTenMegabyteLiteral) {
  TempDir dir("miglint-hostile");
  std::string source(kLibpqDeclarations);
  source += "void seed(PGconn* c) {\n  PQexec(c, \"INSERT INTO t (v) VALUES ('";
  source.append(10'000'000, 'x');
  source += "'); DROP TABLE t;\");\n}\n";
  dir.write("seed.cpp", source);
  ProcessRun run = run_miglint({"lint", "--select", "ban-drop-table", "seed.cpp"}, dir.str());
  ASSERT_FALSE(run.timed_out);
  EXPECT_EQ(run.status, 1) << run.err;
  EXPECT_NE(run.out.find("seed.cpp:5:"), std::string::npos) << run.out.substr(0, 2000);
  if (!miglint::testing::kSanitizedBuild) {  // memory figures: ordinary build only
    EXPECT_LT(run.peak_rss_kib, 40L * 10'000) << "peak " << run.peak_rss_kib << " KiB for a 10 MB file";
  }
}

// 50,000 query calls, every other one under an ignore comment, and 50,000 dynamic calls: each
// comment finds its call by binary search, each statement its call likewise (these were linear
// scans: 50,000 x 50,000).
TEST(HostileCppInput, FiftyThousandQueryCalls) {
  TempDir dir("miglint-hostile");
  std::string calls(kLibpqDeclarations);
  calls += "void migrate(PGconn* c) {\n";
  std::string dynamic(kLibpqDeclarations);
  dynamic += "void migrate(PGconn* c, const char* q) {\n";
  for (int i = 0; i < 50'000; ++i) {
    if (i % 2 == 0) {
      calls += "  // miglint-ignore require-concurrent-index-creation -- generated\n";
    }
    calls += "  PQexec(c, \"CREATE INDEX i" + std::to_string(i) + " ON t" + std::to_string(i) + " (a)\");\n";
    dynamic += "  PQexec(c, q);\n";
  }
  calls += "}\n";
  dynamic += "}\n";
  dir.write("calls.cpp", calls);
  dir.write("dynamic.cpp", dynamic);
  ProcessRun run = run_miglint(
      {"lint", "--format", "json", "--select", "require-concurrent-index-creation", "calls.cpp"}, dir.str());
  ASSERT_FALSE(run.timed_out);
  EXPECT_EQ(run.status, 1) << run.err;
  nlohmann::json report = nlohmann::json::parse(run.out);
  EXPECT_EQ(report["findings"].size(), 25'000U);         // the other half is silenced
  EXPECT_EQ(report["findings"][0]["start"]["line"], 7);  // the second call: the first is silenced
  ProcessRun dynamic_run =
      run_miglint({"lint", "--format", "json", "--select", "dynamic-sql", "dynamic.cpp"}, dir.str());
  ASSERT_FALSE(dynamic_run.timed_out);
  EXPECT_EQ(dynamic_run.status, 0) << dynamic_run.err;  // dynamic-sql is a note
  EXPECT_EQ(nlohmann::json::parse(dynamic_run.out)["findings"].size(), 50'000U);
}
#endif
