// Runs every C++ fixture (fixtures/cpp/*.cpp) through the C++ front end and the whole rule set,
// and fails on any missing or extra finding. Expectations are comments: `// expect: rule@COL` (a
// finding starting on this line at this column) or `// expect: rule@LINE:COL` (anywhere, e.g.
// inside a multi-line raw string). `X.toml` beside `X.cpp` is its config file ([cpp] settings);
// `// fixture: incomplete` says Clang cannot read all of the file (a warning is then required).
// `// fixture: may-be-incomplete`: it depends on whether a library's headers are installed.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>
#include "analyzer/cpp/cpp_front_end.hpp"
#include "analyzer/engine/linter.hpp"
#include "analyzer/project/config.hpp"
#include "cli/config_loading.hpp"
#include "rules/registry.hpp"
#include "tests/cli_support.hpp"
#include "tests/fixture_support.hpp"
#include "tests/param_name.hpp"

namespace fs = std::filesystem;
using namespace miglint;

namespace {

const fs::path kCppFixtures = fs::path(MIGLINT_SOURCE_DIR) / "fixtures" / "cpp";

struct CppExpectation {
  std::string rule;
  Position at;
};

std::vector<CppExpectation> read_expectations(const std::string& text) {
  std::vector<CppExpectation> expectations;
  std::istringstream lines(text);
  std::string line;
  uint32_t number = 0;
  while (std::getline(lines, line)) {
    ++number;
    auto at = line.find("expect: ");
    if (at == std::string::npos) {
      continue;
    }
    std::istringstream items(line.substr(at + 8));
    std::string item;
    while (std::getline(items, item, ',')) {
      item.erase(0, item.find_first_not_of(' '));
      item = item.substr(0, item.find(' '));
      auto sign = item.find('@');
      if (item.empty() || sign == std::string::npos) {
        continue;
      }
      std::string where = item.substr(sign + 1);
      CppExpectation expectation{item.substr(0, sign), Position{number, 0}};
      if (auto colon = where.find(':'); colon != std::string::npos) {
        expectation.at.line = static_cast<uint32_t>(std::stoul(where.substr(0, colon)));
        expectation.at.column = static_cast<uint32_t>(std::stoul(where.substr(colon + 1)));
      } else {
        expectation.at.column = static_cast<uint32_t>(std::stoul(where));
      }
      expectations.push_back(expectation);
    }
  }
  return expectations;
}

std::vector<std::string> cpp_fixtures() {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(kCppFixtures)) {
    if (entry.path().extension() == ".cpp") {
      names.push_back(entry.path().filename().string());
    }
  }
  std::sort(names.begin(), names.end());
  return names;
}

class CppFixtureTest : public ::testing::TestWithParam<std::string> {};

TEST_P(CppFixtureTest, FindingsMatchExpectations) {
  fs::path path = kCppFixtures / GetParam();
  Expected<SourceFile> source = load_source_file(path.string(), "fixtures/cpp/" + GetParam());
  ASSERT_TRUE(source.has_value()) << source.error().message;
  LintOptions options;
  options.jobs = 1;
  std::shared_ptr<const FrontEndSettings> settings;
  fs::path config_path = fs::path(path).replace_extension(".toml");
  if (fs::exists(config_path)) {
    std::set<std::string> ids;
    for (const Rule& rule : all_rules()) {
      ids.emplace(rule.id);
    }
    Expected<Config> config = load_config(config_path.string(), ids, config_tables());
    ASSERT_TRUE(config.has_value()) << config.error().message;
    settings = *config->table<std::shared_ptr<const FrontEndSettings>>("cpp");
    options.front_ends.emplace("cpp", settings);
  }
  RuleSet rules(all_rules(), {}, {});
  FileResult result = lint_with_front_end(cpp::cpp_front_end(), *source, path.string(), options, rules);
  ASSERT_TRUE(result.errors.empty()) << result.errors.front().message;
  // `may-be-incomplete`: a header that may or may not be installed (libpqxx's).
  if (source->text().find("// fixture: may-be-incomplete") == std::string_view::npos) {
    bool incomplete = source->text().find("// fixture: incomplete") != std::string_view::npos;
    EXPECT_EQ(!result.warnings.empty(), incomplete)
        << (result.warnings.empty() ? std::string("no warning") : result.warnings.front());
  }

  std::vector<CppExpectation> expectations = read_expectations(std::string(source->text()));
  std::vector<bool> matched(result.findings.size(), false);
  for (const CppExpectation& expected : expectations) {
    bool found = false;
    for (std::size_t i = 0; i < result.findings.size() && !found; ++i) {
      const Finding& finding = result.findings[i];
      if (!matched[i] && !finding.suppressed && finding.rule == expected.rule &&
          finding.start == expected.at) {
        matched[i] = found = true;
      }
    }
    EXPECT_TRUE(found) << GetParam() << ": missing " << expected.rule << " at " << expected.at.line << ":"
                       << expected.at.column;
  }
  for (std::size_t i = 0; i < result.findings.size(); ++i) {
    const Finding& finding = result.findings[i];
    EXPECT_TRUE(matched[i] || finding.suppressed)
        << GetParam() << ":" << finding.start.line << ":" << finding.start.column << ": unexpected "
        << finding.rule << ": " << finding.message;
  }
  std::string snapshot =
      fixtures::check_snapshot(path.string() + ".snap", fixtures::render_snapshot(result.findings));
  EXPECT_TRUE(snapshot.empty()) << snapshot;
}

INSTANTIATE_TEST_SUITE_P(CppFixtures, CppFixtureTest, ::testing::ValuesIn(cpp_fixtures()), param_test_name);

// Suppressed findings are findings too: an ignore comment must silence exactly what it names.
TEST(CppFixtures, IgnoreCommentsSilenceTheirCallOnly) {
  fs::path path = kCppFixtures / "ignores.cpp";
  Expected<SourceFile> source = load_source_file(path.string(), "ignores.cpp");
  ASSERT_TRUE(source.has_value());
  RuleSet rules(all_rules(), {}, {});
  FileResult result = lint_with_front_end(cpp::cpp_front_end(), *source, path.string(), LintOptions{}, rules);
  std::vector<std::string> suppressed;
  for (const Finding& finding : result.findings) {
    if (finding.suppressed) {
      suppressed.push_back(fmt::format("{}:{}:{} {}", finding.start.line, finding.start.column, finding.rule,
                                       finding.suppression_reason));
    }
  }
  EXPECT_EQ(suppressed, (std::vector<std::string>{
                            "9:30:ban-drop-column the column has been unused since release 41",
                            "9:68:ban-drop-column the column has been unused since release 41",
                            "10:12:ban-drop-table replaced by sessions in 2023",
                            "12:30:renaming-table no client reads it any more",
                        }));
}

using cli_support::run_miglint_in;
using cli_support::TempDir;

// The command line: a directory picks up C++ sources beside .sql files, reports carry the C++
// location, a broken C++ file is an error while the others are still linted.
TEST(CppCli, DirectoryRunPicksUpCppAndReportsTheirLocations) {
  TempDir dir("miglint-cpp-cli");
  dir.write("db/001_init.sql", "CREATE TABLE t (id bigint PRIMARY KEY);\n");
  dir.write("src/migrate.cpp",
            "void PQexec(void*, const char*);\n"
            "void f(void* c) {\n"
            "  PQexec(c, \"SET lock_timeout = '1s'; SET statement_timeout = '1min';\"\n"
            "            \" DROP TABLE t\");\n"
            "}\n");
  dir.write("src/binary.cc", std::string("\0\x01\x02", 3));
  dir.write("src/notes.txt", "DROP TABLE x;\n");
  cli_support::CliRun run = run_miglint_in(dir.path(), "lint --format json .");
  EXPECT_EQ(run.status, 2) << run.out;  // the binary file
  nlohmann::json report = nlohmann::json::parse(run.out.substr(0, run.out.rfind('}') + 1), nullptr, false);
  ASSERT_FALSE(report.is_discarded()) << run.out;
  std::string text = report.dump();
  EXPECT_NE(text.find("src/migrate.cpp"), std::string::npos) << text;
  EXPECT_EQ(text.find("notes.txt"), std::string::npos) << text;
  bool found = false;
  for (const auto& finding : report["findings"]) {
    if (finding["rule"] == "ban-drop-table") {
      found = true;
      EXPECT_EQ(finding["path"], "src/migrate.cpp");
      EXPECT_EQ(finding["start"]["line"], 4);
      EXPECT_EQ(finding["start"]["column"], 15);
    }
  }
  EXPECT_EQ(report["errors"][0]["path"], "src/binary.cc");
  EXPECT_TRUE(found) << text;

  // Switched off in the config: a directory run is .sql only again (an explicit file still counts).
  dir.write("miglint.toml", "[cpp]\nenabled = false\n");
  cli_support::CliRun sql_only = run_miglint_in(dir.path(), "lint --format json .");
  EXPECT_EQ(sql_only.out.find("migrate.cpp"), std::string::npos) << sql_only.out;
  cli_support::CliRun explicit_file = run_miglint_in(dir.path(), "lint src/migrate.cpp");
  EXPECT_NE(explicit_file.out.find("src/migrate.cpp:4:15"), std::string::npos) << explicit_file.out;
}

// compile_commands.json (found walking up, or given with -p) supplies include paths; a constant
// spelled in a header maps to the argument that names it, and a call written in a header is
// reported with the header, not with every file that includes it.
TEST(CppCli, CompileCommandsAndHeaders) {
  TempDir dir("miglint-cpp-db");
  dir.write("include/schema.hpp",
            "#pragma once\n"
            "void PQexec(void*, const char*);\n"
            "constexpr const char* kDropLegacy = \"ALTER TABLE users DROP COLUMN legacy\";\n"
            "inline void drop_sessions(void* c) { PQexec(c, \"DROP TABLE sessions\"); }\n");
  dir.write("src/a.cpp",
            "#include \"schema.hpp\"\n"
            "void a(void* c) { PQexec(c, \"SET lock_timeout = '1s'; SET statement_timeout = '1min'\");\n"
            "  PQexec(c, kDropLegacy); drop_sessions(c); }\n");
  dir.write("src/b.cpp", "#include \"schema.hpp\"\nvoid b(void* c) { drop_sessions(c); }\n");
  std::string entries;
  for (const char* file : {"a.cpp", "b.cpp"}) {
    entries += std::string(entries.empty() ? "" : ",") + "{\"directory\": \"" + dir.str() +
               "\", \"command\": \"g++ -std=c++20 -Iinclude -O2 -fno-fat-lto-objects -c src/" + file +
               " -o " + file + ".o\", \"file\": \"src/" + file + "\"}";
  }
  dir.write("build/compile_commands.json", "[" + entries + "]");

  // Without the database the header is missing: said on stderr, and the calls still found.
  cli_support::CliRun missing = run_miglint_in(dir.path(), "lint src/a.cpp 2>&1");
  EXPECT_NE(missing.out.find("src/a.cpp:1:10: 'schema.hpp' file not found"), std::string::npos)
      << missing.out;

  cli_support::CliRun run = run_miglint_in(dir.path(), "lint -p build src include 2>&1");
  EXPECT_EQ(run.out.find("not found"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("src/a.cpp:3:13: warning: dropping column \"legacy\""), std::string::npos)
      << run.out;
  EXPECT_NE(run.out.find("include/schema.hpp:4:49: warning: dropping table \"sessions\""), std::string::npos)
      << run.out;
  EXPECT_EQ(run.out.find("src/b.cpp"), std::string::npos) << run.out;
  std::size_t first = run.out.find("dropping table \"sessions\"");
  EXPECT_EQ(run.out.find("dropping table \"sessions\"", first + 1), std::string::npos) << run.out;
}

}  // namespace
