// miglint.toml: keys, types, rule ids, globs, overrides; and the command line that uses it.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "analyzer/cpp/cpp_front_end.hpp"
#include "analyzer/project/config.hpp"
#include "cli/config_loading.hpp"
#include "rules/registry.hpp"

namespace fs = std::filesystem;
using namespace miglint;

namespace {

std::set<std::string> known_rules() {
  std::set<std::string> ids;
  for (const Rule& rule : all_rules()) {
    ids.emplace(rule.id);
  }
  return ids;
}

// The [cpp] table as the C++ front end read it.
const cpp::CppSettings& cpp_settings(const Config& config) {
  const auto* table = config.table<std::shared_ptr<const FrontEndSettings>>("cpp");
  EXPECT_NE(table, nullptr);
  return dynamic_cast<const cpp::CppFrontEndSettings&>(**table).cpp;
}

class ConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("miglint-config-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path write(const std::string& name, const std::string& text) {
    fs::path path = dir_ / name;
    fs::create_directories(path.parent_path());
    std::ofstream(path) << text;
    return path;
  }
  std::string load_error(const std::string& text) {
    Expected<Config> config =
        load_config(write("miglint.toml", text).string(), known_rules(), config_tables());
    return config ? std::string() : config.error().message;
  }
  // Runs miglint in the test directory; returns its exit status and standard output.
  std::pair<int, std::string> run(const std::string& args) {
    std::string command = "cd " + dir_.string() + " && " + MIGLINT_BINARY + " " + args + " 2>&1";
    FILE* pipe = popen(command.c_str(), "r");
    std::string out;
    char buffer[4096];
    while (std::size_t n = fread(buffer, 1, sizeof(buffer), pipe)) {
      out.append(buffer, n);
    }
    int status = pclose(pipe);
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
  }
  fs::path dir_;
};

}  // namespace

TEST_F(ConfigTest, ReadsEveryKey) {
  Expected<Config> config = load_config(write("miglint.toml", R"toml(
pg_version = 12
assume_in_transaction = true
fail_on = "error"
select = ["ban-drop-table", "renaming-column"]
ignore = ["renaming-column"]
exclude = ["archive/**"]
timeouts_set_by_runner = true
[rules.ban-drop-table]
severity = "note"
[rules.renaming-column]
severity = "off"
[[overrides]]
paths = ["diesel/**"]
pg_version = 14
)toml")
                                            .string(),
                                        known_rules(), config_tables());
  ASSERT_TRUE(config.has_value()) << config.error().message;
  EXPECT_EQ(config->top.pg_version, 12);
  EXPECT_EQ(config->top.assume_in_transaction, true);
  EXPECT_EQ(config->top.fail_on, Severity::Error);
  EXPECT_EQ(config->top.select->size(), 2U);
  EXPECT_EQ(config->top.rule_severity.at("ban-drop-table"), Severity::Note);
  EXPECT_EQ(config->top.rule_severity.at("renaming-column"), std::nullopt);
  ASSERT_EQ(config->overrides.size(), 1U);
  EXPECT_EQ(settings_for(*config, (dir_ / "diesel/2024-01-01-000000_x/up.sql").string()).pg_version, 14);
  EXPECT_EQ(settings_for(*config, (dir_ / "other/1.sql").string()).pg_version, 12);
  EXPECT_TRUE(excluded_by_config(*config, (dir_ / "archive/old/1.sql").string()));
  EXPECT_FALSE(excluded_by_config(*config, (dir_ / "migrations/1.sql").string()));
}

TEST_F(ConfigTest, MistakesNameTheFileLineAndKey) {
  EXPECT_NE(
      load_error("pg_version = 12\npg_verison = 13\n").find("miglint.toml:2:1: unknown key `pg_verison`"),
      std::string::npos);
  EXPECT_NE(load_error("pg_version = \"12\"\n").find(":1:14: `pg_version` must be an integer"),
            std::string::npos);
  EXPECT_NE(load_error("pg_version = 9\n").find("from 10 to 19"), std::string::npos);
  EXPECT_NE(load_error("fail_on = \"fatal\"\n").find("`fail_on` must be one of"), std::string::npos);
  EXPECT_NE(load_error("ignore = [\"no-such-rule\"]\n").find("unknown rule `no-such-rule`"),
            std::string::npos);
  EXPECT_NE(load_error("[rules.no-such-rule]\nseverity = \"off\"\n")
                .find(":1:8: [rules.no-such-rule]: unknown rule"),
            std::string::npos);
  EXPECT_NE(load_error("[rules.ban-drop-table]\nlevel = \"off\"\n")
                .find(":2:1: unknown key `rules.ban-drop-table.level`"),
            std::string::npos);
  EXPECT_NE(load_error("[[overrides]]\npaths = [\"a/**\"]\ncolour = true\n")
                .find(":3:1: unknown key `colour` in [[overrides]]"),
            std::string::npos);
  EXPECT_NE(load_error("[[overrides]]\npg_version = 12\n").find("needs `paths`"), std::string::npos);
  EXPECT_NE(load_error("[rules.syntax-error]\nseverity = \"off\"\n").find("cannot be switched off"),
            std::string::npos);
  EXPECT_NE(load_error("pg_version = \n").find("miglint.toml:1:"), std::string::npos);
}

TEST_F(ConfigTest, Globs) {
  EXPECT_TRUE(config_glob_matches("db/**", "db/a/b/c.sql"));
  EXPECT_TRUE(config_glob_matches("db/**/up.sql", "db/2024_x/up.sql"));
  EXPECT_TRUE(config_glob_matches("db/**/up.sql", "db/up.sql"));
  EXPECT_TRUE(config_glob_matches("*.down.sql", "db/1_a.down.sql"));  // no slash: the file name anywhere
  EXPECT_FALSE(config_glob_matches("db/*.sql", "db/a/b.sql"));        // `*` stays within a segment
  EXPECT_TRUE(config_glob_matches("db/?_a.sql", "db/1_a.sql"));
  EXPECT_TRUE(config_glob_matches("db/", "db/x/1.sql"));
}

TEST_F(ConfigTest, TheCommandLineFindsTheConfigAndFlagsOverrideIt) {
  write("miglint.toml",
        "pg_version = 10\ntimeouts_set_by_runner = true\n[rules.ban-drop-table]\nseverity = \"note\"\n"
        "[[overrides]]\npaths = [\"wrapped/**\"]\nassume_in_transaction = true\n");
  write("plain/001.sql", "DROP TABLE a;\n");
  write("wrapped/001.sql", "CREATE INDEX CONCURRENTLY i ON t (a);\nALTER TABLE t ADD COLUMN c text;\n");
  write("sub/dir/.keep", "");
  // Found from a subdirectory (walking up); the note does not fail the run.
  auto [status, out] = run("lint --format json plain wrapped");
  EXPECT_EQ(status, 1) << out;  // the wrapped CONCURRENTLY is an error
  nlohmann::json json = nlohmann::json::parse(out.substr(0, out.rfind('}') + 1));
  ASSERT_EQ(json["findings"].size(), 2U) << out;
  EXPECT_EQ(json["findings"][0]["rule"], "ban-drop-table");
  EXPECT_EQ(json["findings"][0]["severity"], "note");
  EXPECT_EQ(json["findings"][1]["rule"], "ban-concurrent-index-creation-in-transaction");
  EXPECT_EQ(run("lint plain").first, 0);
  EXPECT_EQ(run("lint --fail-on note plain").first, 1);
  // A flag overrides the file: a constant default rewrites on PostgreSQL 10, not on 15.
  write("defaults/001.sql", "ALTER TABLE t ADD COLUMN c text DEFAULT 'x';\n");
  EXPECT_EQ(run("lint --select adding-field-with-default defaults").first, 1);
  EXPECT_EQ(run("lint --select adding-field-with-default --pg-version 15 defaults").first, 0);
  // Found by walking up from a subdirectory.
  std::string from_subdir = "cd " + (dir_ / "sub/dir").string() + " && " + MIGLINT_BINARY +
                            " lint --select adding-field-with-default ../../defaults >/dev/null 2>&1";
  int status_from_subdir = std::system(from_subdir.c_str());
  EXPECT_EQ(WEXITSTATUS(status_from_subdir), 1);
  // A broken config is exit 2 with the file and line.
  write("broken.toml", "fail_on = 3\n");
  auto [broken_status, broken_out] = run("lint --config broken.toml plain");
  EXPECT_EQ(broken_status, 2);
  EXPECT_NE(broken_out.find("broken.toml:1:11: `fail_on` must be a string"), std::string::npos) << broken_out;
  EXPECT_EQ(run("lint --config missing.toml plain").first, 2);
}

TEST_F(ConfigTest, InitWritesAStarterThatLoads) {
  EXPECT_EQ(run("init").first, 0);
  EXPECT_EQ(run("init").first, 2);  // does not overwrite
  Expected<Config> config = load_config((dir_ / "miglint.toml").string(), known_rules(), config_tables());
  EXPECT_TRUE(config.has_value()) << config.error().message;
}

namespace {

// [cpp]: C++ sources and the query functions whose SQL is linted.
TEST_F(ConfigTest, CppSectionAndQueryFunctions) {
  Expected<Config> config = load_config(write("miglint.toml",
                                              "[cpp]\n"
                                              "extensions = [\"cpp\", \".ipp\"]\n"
                                              "compile_commands_dir = \"build\"\n"
                                              "[[cpp.query_functions]]\n"
                                              "name = \"::myapp::db::run\"\n"
                                              "sql_arg = 1\n"
                                              "placeholders = \"printf\"\n"
                                              "in_transaction = true\n")
                                            .string(),
                                        known_rules(), config_tables());
  ASSERT_TRUE(config.has_value()) << config.error().message;
  const cpp::CppSettings& settings = cpp_settings(*config);
  EXPECT_TRUE(settings.enabled);
  EXPECT_EQ(settings.extensions, (std::vector<std::string>{".cpp", ".ipp"}));
  EXPECT_EQ(settings.compile_commands_dir, (fs::path(config->directory) / "build").string());
  ASSERT_EQ(settings.query_functions.size(), cpp::default_query_functions().size() + 1);
  // Configured functions come before the defaults: the first match wins, so an entry named like a
  // default (`exec`) takes over from it.
  const cpp::QueryFunction& helper = settings.query_functions.front();
  EXPECT_EQ(helper.name, "myapp::db::run");
  EXPECT_EQ(helper.sql_arg, 1U);
  EXPECT_EQ(helper.placeholders, cpp::PlaceholderStyle::Printf);
  EXPECT_EQ(helper.in_transaction, std::optional<bool>(true));
  EXPECT_TRUE(helper.placeholders_explicit);
  EXPECT_FALSE(settings.query_functions.back().placeholders_explicit);

  Expected<Config> only_mine =
      load_config(write("miglint.toml",
                        "[cpp]\ndefault_query_functions = false\n[[cpp.query_functions]]\nname = \"run\"\n")
                      .string(),
                  known_rules(), config_tables());
  ASSERT_TRUE(only_mine.has_value());
  ASSERT_EQ(cpp_settings(*only_mine).query_functions.size(), 1U);
  EXPECT_EQ(cpp_settings(*only_mine).query_functions[0].placeholders, cpp::PlaceholderStyle::Dollar);
  EXPECT_EQ(cpp_settings(*only_mine).query_functions[0].in_transaction, std::optional<bool>(false));
}

TEST_F(ConfigTest, CppMistakesNameTheKey) {
  EXPECT_NE(load_error("[cpp]\nextension = [\"cc\"]\n").find("2:1: unknown key `cpp.extension`"),
            std::string::npos)
      << load_error("[cpp]\nextension = [\"cc\"]\n");
  EXPECT_NE(load_error("[[cpp.query_functions]]\nname = \"f\"\nplaceholders = \"percent\"\n")
                .find("`placeholders` must be one of"),
            std::string::npos);
  EXPECT_NE(load_error("[[cpp.query_functions]]\nsql_arg = 0\n").find("needs `name`"), std::string::npos);
  EXPECT_NE(load_error("[[cpp.query_functions]]\nname = \"f\"\nsql = 0\n").find("unknown key `sql`"),
            std::string::npos);
}

}  // namespace
