// Schema facts cross files in migration order, whatever the thread timing; down migrations teach
// nothing; created-in-this-file exemptions never cross files.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "analyzer/engine/linter.hpp"
#include "analyzer/model/context.hpp"
#include "analyzer/project/input_source.hpp"
#include "analyzer/sql/relation.hpp"

namespace fs = std::filesystem;
using namespace miglint;

namespace {

// A probe rule: at every `COMMENT ON COLUMN t.c`, it reports what the context knows about t.c.
void probe(const Statement& statement, const MigrationContext& context, RuleOutput& out) {
  if (statement.kind() != "CommentStmt") {
    return;
  }
  Node names = statement.body()["object"].as("List")["items"];
  std::string table = qualified_name("", names.at(0).string_value());
  std::string column(names.at(1).string_value());
  TableFacts facts = context.table_facts(table);
  std::string type = facts.column_type(column).value_or("?");
  out.report(statement.span(),
             type + (facts.has_validated_not_null_check(column) ? " checked" : "") +
                 (context.created_in_file(table) ? " created-here" : ""),
             "");
}

const Rule kProbe{"probe", Severity::Note, "test probe", {}, probe};

}  // namespace

class SchemaFactsTest : public ::testing::TestWithParam<unsigned> {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("miglint-facts-" + std::to_string(::getpid()) + "-" + std::to_string(GetParam()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  void write(const std::string& name, const std::string& text) {
    fs::create_directories((dir_ / name).parent_path());
    std::ofstream(dir_ / name) << text;
  }
  // The probe's messages per file, the same whether the files are listed up front or walked.
  std::map<std::string, std::vector<std::string>> run() {
    DiscoveredInputs discovered = discover_inputs({dir_.string()}, "stdin.sql");
    std::span<const Rule> rules(&kProbe, 1);
    RuleSet set(rules, {}, {});
    LintOptions options;
    options.jobs = GetParam();
    std::map<std::string, std::vector<std::string>> messages;
    auto collect = [&](std::map<std::string, std::vector<std::string>>& into) {
      return [&](FileResult&& result) {
        std::string name = fs::path(result.path).lexically_relative(dir_).generic_string();
        for (const Finding& finding : result.findings) {
          into[name].push_back(finding.message);
        }
      };
    };
    lint_inputs(discovered.inputs, options, set, collect(messages));
    std::map<std::string, std::vector<std::string>> streamed;
    std::unique_ptr<InputSource> source = open_inputs({dir_.string()}, "stdin.sql");
    auto shared = std::make_shared<const RuleSet>(set);
    lint_inputs(
        *source, options.jobs,
        [&](const std::string&) {
          return FileSetup{options, shared, Severity::Warning, nullptr};
        },
        collect(streamed));
    EXPECT_EQ(streamed, messages);
    return messages;
  }
  fs::path dir_;
};

TEST_P(SchemaFactsTest, FactsCarryAcrossFilesInMigrationOrder) {
  // Ten files so that workers overlap; names sort differently as bytes and in migration order.
  write("1_create/up.sql", "CREATE TABLE t (a int, b varchar(20));\nCOMMENT ON COLUMN t.a IS 'x';");
  write("1_create/down.sql", "DROP TABLE t;");
  for (int i = 2; i <= 9; ++i) {
    write(std::to_string(i) + "_noop/up.sql", "COMMENT ON COLUMN t.b IS 'x';");
  }
  write("10_alter/up.sql",
        "ALTER TABLE t ALTER COLUMN a TYPE bigint;\n"
        "ALTER TABLE t ADD CONSTRAINT a_nn CHECK (a IS NOT NULL) NOT VALID;\nCOMMENT ON COLUMN t.a IS 'x';");
  write("10_alter/down.sql", "ALTER TABLE t ALTER COLUMN a TYPE text;\nCOMMENT ON COLUMN t.a IS 'x';");
  write("11_validate/up.sql", "ALTER TABLE t VALIDATE CONSTRAINT a_nn;\nCOMMENT ON COLUMN t.a IS 'x';");
  write("12_after/up.sql", "COMMENT ON COLUMN t.a IS 'x';\nCOMMENT ON COLUMN t.b IS 'x';");

  auto messages = run();
  // Within its file, the table is created here; later files know its columns but not as created-here.
  EXPECT_EQ(messages["1_create/up.sql"], (std::vector<std::string>{"int4 created-here"}));
  EXPECT_EQ(messages["9_noop/up.sql"], (std::vector<std::string>{"varchar(20)"}));
  // The down migration's retype teaches nothing: 11 and 12 still see bigint.
  EXPECT_EQ(messages["10_alter/down.sql"], (std::vector<std::string>{"text"}));
  EXPECT_EQ(messages["10_alter/up.sql"], (std::vector<std::string>{"int8"}));
  EXPECT_EQ(messages["11_validate/up.sql"], (std::vector<std::string>{"int8 checked"}));
  EXPECT_EQ(messages["12_after/up.sql"], (std::vector<std::string>{"int8 checked", "varchar(20)"}));
}

TEST_P(SchemaFactsTest, FactsStayInTheirMigrationSet) {
  // Set `s` is still open after its subdirectory `s/2_sub` (a set of its own) is walked.
  write("s/1_a.sql", "CREATE TABLE t (a int);\nSELECT 1;");
  write("s/2_sub/x.sql", "COMMENT ON COLUMN t.a IS 'x';");
  write("s/3_b.sql", "COMMENT ON COLUMN t.a IS 'x';");
  write("s/4_v/up.sql", "COMMENT ON COLUMN t.a IS 'x';");  // diesel layout: the set is `s`
  write("u/1.sql", "COMMENT ON COLUMN t.a IS 'x';");
  // Names that tie in migration order are walked together, yet stay separate sets.
  write("z/01/1.sql", "CREATE TABLE t (a bigint);");
  write("z/1/2.sql", "COMMENT ON COLUMN t.a IS 'x';");
  write("z/01/3.sql", "COMMENT ON COLUMN t.a IS 'x';");
  for (int i = 0; i < 12; ++i) {
    write("y/" + std::to_string(i) + ".sql",
          i == 0 ? "CREATE TABLE t (a text);" : "COMMENT ON COLUMN t.a IS 'x';");
  }
  auto messages = run();
  EXPECT_EQ(messages["s/2_sub/x.sql"], (std::vector<std::string>{"?"}));
  EXPECT_EQ(messages["s/3_b.sql"], (std::vector<std::string>{"int4"}));
  EXPECT_EQ(messages["s/4_v/up.sql"], (std::vector<std::string>{"int4"}));
  EXPECT_EQ(messages["u/1.sql"], (std::vector<std::string>{"?"}));
  EXPECT_EQ(messages["z/1/2.sql"], (std::vector<std::string>{"?"}));
  EXPECT_EQ(messages["z/01/3.sql"], (std::vector<std::string>{"int8"}));
  EXPECT_EQ(messages["y/11.sql"], (std::vector<std::string>{"text"}));
}

INSTANTIATE_TEST_SUITE_P(Jobs, SchemaFactsTest, ::testing::Values(1U, 2U, 4U));
