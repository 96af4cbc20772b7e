// The command line as a user runs it: exit codes, JSON shape, stdin, bad inputs.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

namespace fs = std::filesystem;

namespace {

struct CliRun {
  int status = -1;
  std::string out;
};

// Runs the miglint binary through the shell; stderr is discarded unless redirected in `args`.
// The catalog's timeout and transaction rules would add their own findings to every DDL statement
// counted here; they have fixtures of their own.
const std::string kQuiet =
    " --ignore require-lock-timeout,require-statement-timeout,statements-after-access-exclusive,"
    "mixed-ddl-and-dml ";

CliRun miglint(const std::string& args, const std::string& stdin_text = "") {
  // Unique per process: CTest runs the tests of this file in parallel processes.
  static int calls = 0;
  fs::path input = fs::temp_directory_path() / ("miglint-cli-stdin-" + std::to_string(::getpid()) + "-" +
                                                std::to_string(calls++) + ".sql");
  std::ofstream(input, std::ios::binary) << stdin_text;
  std::string command = std::string(MIGLINT_BINARY) + " " + args + " < " + input.string();
  CliRun run;
  FILE* pipe = popen(command.c_str(), "r");
  std::array<char, 4096> buffer{};
  while (std::size_t n = fread(buffer.data(), 1, buffer.size(), pipe)) {
    run.out.append(buffer.data(), n);
  }
  int status = pclose(pipe);
  fs::remove(input);
  run.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

class TempDir {
 public:
  TempDir()
      : path_(fs::temp_directory_path() /
              fs::path("miglint-cli-" + std::to_string(::getpid()) + "-" + std::to_string(counter_++))) {
    fs::create_directories(path_);
  }
  ~TempDir() { fs::remove_all(path_); }
  fs::path write(const std::string& name, const std::string& bytes) const {
    fs::path file = path_ / name;
    fs::create_directories(file.parent_path());
    std::ofstream(file, std::ios::binary) << bytes;
    return file;
  }
  std::string str() const { return path_.string(); }

 private:
  static inline int counter_ = 0;
  fs::path path_;
};

}  // namespace

TEST(Cli, ExitStatusFollowsFindingsAndFailOn) {
  TempDir dir;
  fs::path clean = dir.write("clean.sql", "CREATE TABLE t (id bigint);\n");
  fs::path bad = dir.write("bad.sql", "DROP TABLE users;\n");
  EXPECT_EQ(miglint("lint" + kQuiet + "" + clean.string()).status, 0);
  EXPECT_EQ(miglint("lint" + kQuiet + "" + bad.string()).status, 1);
  EXPECT_EQ(miglint("lint" + kQuiet + "--fail-on error " + bad.string()).status, 0);
  EXPECT_EQ(
      miglint("lint --ignore ban-drop-table,require-lock-timeout,require-statement-timeout " + bad.string())
          .status,
      0);
  EXPECT_EQ(miglint("lint --select renaming-column " + bad.string()).status, 0);
  EXPECT_EQ(miglint("lint --select no-such-rule " + bad.string() + " 2>/dev/null").status, 2);
  EXPECT_EQ(miglint("lint" + kQuiet + "--pg-version 9 " + bad.string() + " 2>/dev/null").status, 2);
  EXPECT_EQ(miglint("lint" + kQuiet + "--bogus-flag " + bad.string() + " 2>/dev/null").status, 2);
}

TEST(Cli, JsonHasTheDocumentedShape) {
  TempDir dir;
  fs::path file = dir.write("m/001_x.sql", "-- é\nALTER TABLE users RENAME COLUMN a TO b;\n");
  CliRun run = miglint("lint" + kQuiet + "--format json " + dir.str() + "/./m//");
  EXPECT_EQ(run.status, 1);
  nlohmann::json json = nlohmann::json::parse(run.out);
  EXPECT_EQ(json["version"], 1);
  ASSERT_EQ(json["findings"].size(), 1U);
  const auto& finding = json["findings"][0];
  EXPECT_EQ(finding["rule"], "renaming-column");
  EXPECT_EQ(finding["severity"], "warning");
  EXPECT_EQ(finding["path"], dir.str() + "/m/001_x.sql");
  EXPECT_EQ(finding["start"]["line"], 2);
  EXPECT_EQ(finding["start"]["column"], 19);
  EXPECT_EQ(finding["end"]["line"], 2);
  EXPECT_EQ(finding["end"]["column"], 39);  // just past "b", before the `;`
  EXPECT_TRUE(finding["message"].is_string());
  EXPECT_TRUE(finding["help"].is_string());
  EXPECT_TRUE(json["errors"].is_array());
  EXPECT_TRUE(json["errors"].empty());
}

TEST(Cli, StdinUsesStdinFilename) {
  CliRun run =
      miglint("lint" + kQuiet + "--format json --stdin-filename migrations/./003_x.sql -", "DROP TABLE a;");
  EXPECT_EQ(run.status, 1);
  nlohmann::json json = nlohmann::json::parse(run.out);
  ASSERT_EQ(json["findings"].size(), 1U);
  EXPECT_EQ(json["findings"][0]["path"], "migrations/003_x.sql");
}

TEST(Cli, BadInputsAreReportedAndOtherFilesStillChecked) {
  TempDir dir;
  dir.write("a_binary.sql", std::string("\x89PNG\r\n\x1a\n\0\0\0", 11));
  dir.write("b_latin1.sql", "SELECT 'caf\xe9';\n");
  dir.write("c_good.sql", "DROP TABLE users;\n");
  CliRun run =
      miglint("lint" + kQuiet + "--format json " + dir.str() + " " + dir.str() + "/missing.sql 2>/dev/null");
  EXPECT_EQ(run.status, 2);
  nlohmann::json json = nlohmann::json::parse(run.out);
  ASSERT_EQ(json["findings"].size(), 1U);
  EXPECT_EQ(json["findings"][0]["rule"], "ban-drop-table");
  ASSERT_EQ(json["errors"].size(), 3U);
  std::string all_errors = json["errors"].dump();
  EXPECT_NE(all_errors.find("binary file"), std::string::npos);
  EXPECT_NE(all_errors.find("invalid UTF-8 at line 1"), std::string::npos);
  EXPECT_NE(all_errors.find("no such file"), std::string::npos);
  EXPECT_TRUE(json["errors"][0]["line"].is_null());
  // Each error is one line on stderr naming the file.
  CliRun stderr_run = miglint("lint" + kQuiet + "" + dir.str() + "/a_binary.sql 2>&1 >/dev/null");
  EXPECT_NE(stderr_run.out.find("a_binary.sql: binary file"), std::string::npos);
  EXPECT_EQ(std::count(stderr_run.out.begin(), stderr_run.out.end(), '\n'), 1);
}

TEST(Cli, SyntaxErrorsAreFindingsNotCrashes) {
  CliRun run = miglint("lint" + kQuiet + "--format json -", "SELECT 'é' x x;\nDROP TABLE t;\nSELECT 'open");
  EXPECT_EQ(run.status, 1);
  nlohmann::json json = nlohmann::json::parse(run.out);
  ASSERT_EQ(json["findings"].size(), 3U);
  EXPECT_EQ(json["findings"][0]["rule"], "syntax-error");
  EXPECT_EQ(json["findings"][0]["start"]["column"], 14);
  EXPECT_EQ(json["findings"][1]["rule"], "ban-drop-table");
  EXPECT_EQ(json["findings"][2]["rule"], "syntax-error");
}

TEST(Cli, JobsDoNotChangeTheOutput) {
  TempDir dir;
  for (int i = 1; i <= 30; ++i) {
    dir.write(std::to_string(i) + "_m.sql",
              "DROP TABLE t" + std::to_string(i) + ";\nCREATE INDEX i ON u (a);\n");
  }
  CliRun one = miglint("lint" + kQuiet + "--format json --jobs 1 " + dir.str());
  CliRun many = miglint("lint" + kQuiet + "--format json --jobs 4 " + dir.str());
  EXPECT_EQ(one.out, many.out);
  nlohmann::json json = nlohmann::json::parse(one.out);
  ASSERT_EQ(json["findings"].size(), 60U);
  // Migration order: 2_m.sql before 10_m.sql.
  EXPECT_EQ(json["findings"][2]["path"], dir.str() + "/2_m.sql");
}

TEST(Cli, RulesAndExplain) {
  CliRun rules = miglint("rules --format json");
  EXPECT_EQ(rules.status, 0);
  nlohmann::json json = nlohmann::json::parse(rules.out);
  bool found = false;
  for (const auto& rule : json) {
    EXPECT_TRUE(rule.contains("id") && rule.contains("severity") && rule.contains("summary") &&
                rule.contains("tags"));
    if (rule["id"] == "ban-drop-column") {
      found = true;
      EXPECT_EQ(rule["tags"], nlohmann::json::array({"destructive"}));
    }
  }
  EXPECT_TRUE(found);
  EXPECT_EQ(miglint("explain ban-drop-column").status, 0);
  EXPECT_EQ(miglint("explain no-such-rule 2>/dev/null").status, 2);
}
