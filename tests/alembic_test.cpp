// The Alembic front end on the sample projects (fixtures/alembic/): every expected finding with its
// revision file, line and, for SQL written in a literal, column; the revision graph rules; errors
// that name the revision file and line; the order the revision graph gives. Needs a Python with
// Alembic (Debian's python3-alembic, ci/install-deps): skipped with a message without one.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "analyzer/project/alembic_layout.hpp"
#include "tests/cli_support.hpp"

namespace fs = std::filesystem;
using json = nlohmann::json;
using miglint::cli_support::CliRun;
using miglint::cli_support::run_miglint_in;
using miglint::cli_support::TempDir;

namespace {

const fs::path kSource = MIGLINT_SOURCE_DIR;

bool have_alembic() {
  static const bool found =
      std::system(
          "python3 -c 'import alembic' >/dev/null 2>&1 || /usr/bin/python3 -c 'import alembic' "
          ">/dev/null 2>&1") == 0;
  return found;
}

#define REQUIRE_ALEMBIC()                                                                           \
  if (!have_alembic()) {                                                                            \
    GTEST_SKIP() << "python3 with Alembic is not installed (apt-get install python3-alembic): the " \
                    "Alembic front end cannot be tested";                                           \
  }

struct Seen {
  std::string rule;
  std::string file;  // the file name only
  int line = 0;
  int column = 0;
  std::string severity;
  std::string message;
  std::string help;
};

struct Lint {
  int status = -1;
  std::vector<Seen> findings;
  std::vector<Seen> errors;
  std::string raw;
};

Lint lint(const fs::path& directory, const std::string& args) {
  CliRun run = run_miglint_in(directory, "lint --format json " + args);
  Lint out;
  out.status = run.status;
  out.raw = run.out;
  json root = json::parse(run.out, nullptr, false);
  if (root.is_discarded()) {
    return out;
  }
  for (const json& f : root["findings"]) {
    out.findings.push_back(Seen{f["rule"], fs::path(f["path"].get<std::string>()).filename().string(),
                                f["start"]["line"], f["start"]["column"], f["severity"], f["message"],
                                f["help"]});
  }
  for (const json& e : root["errors"]) {
    out.errors.push_back(Seen{"", fs::path(e["path"].get<std::string>()).filename().string(),
                              e["line"].is_null() ? 0 : e["line"].get<int>(),
                              e["column"].is_null() ? 0 : e["column"].get<int>(), "error", e["message"], ""});
  }
  return out;
}

const Seen* find(const Lint& result, const std::string& rule, const std::string& file) {
  for (const Seen& seen : result.findings) {
    if (seen.rule == rule && seen.file == file) {
      return &seen;
    }
  }
  return nullptr;
}

std::string listing(const Lint& result) {
  std::string out;
  for (const Seen& seen : result.findings) {
    out += seen.file + ":" + std::to_string(seen.line) + ":" + std::to_string(seen.column) + " " + seen.rule +
           "\n";
  }
  for (const Seen& seen : result.errors) {
    out += "error " + seen.file + ":" + std::to_string(seen.line) + " " + seen.message + "\n";
  }
  return out;
}

struct Expected {
  std::string rule;
  std::string file;
  int line;
  int column;
};

TEST(AlembicSamples, MistakesAreFoundAtTheirCallOrToken) {
  REQUIRE_ALEMBIC();
  Lint result = lint(kSource, "fixtures/alembic/mistakes");
  EXPECT_EQ(result.status, 1) << result.raw;
  const std::vector<Expected> expected = {
      // SQL Alembic generates: at the `op.` call.
      {"require-concurrent-index-creation", "2b1c0a9f8e7d_index_items_name.py", 14, 5},
      {"renaming-column", "3a2b1c0d9e8f_rename_name.py", 16, 5},
      {"ban-drop-column", "5e4f3a2b1c0d_drop_legacy.py", 16, 5},
      // SQL in literals: at the token, through a triple-quoted sa.text() and inside op.execute("...").
      {"unbatched-update", "4c3d2e1f0a9b_backfill_price.py", 17, 9},
      {"validate-in-same-transaction", "6f5a4b3c2d1e_items_owner_fk.py", 18, 35},
      {"syntax-error", "7a6b5c4d3e2f_update_limit.py", 14, 64},
      // The revision graph rules, at the line that says it.
      {"alembic-multiple-heads", "8b7c6d5e4f3a_second_head.py", 10, 1},
      {"alembic-broken-chain", "9c8d7e6f5a4b_broken_chain.py", 10, 1},
      {"missing-downgrade", "3a2b1c0d9e8f_rename_name.py", 19, 1},
  };
  for (const Expected& e : expected) {
    const Seen* seen = find(result, e.rule, e.file);
    ASSERT_NE(seen, nullptr) << e.rule << " in " << e.file << " not found; found:\n" << listing(result);
    EXPECT_EQ(seen->line, e.line) << e.rule << " in " << e.file << "\n" << listing(result);
    EXPECT_EQ(seen->column, e.column) << e.rule << " in " << e.file << "\n" << listing(result);
  }
  const Seen* limit = find(result, "syntax-error", "7a6b5c4d3e2f_update_limit.py");
  ASSERT_NE(limit, nullptr);
  EXPECT_NE(limit->message.find("no LIMIT on UPDATE or DELETE"), std::string::npos) << limit->message;
  EXPECT_NE(limit->help.find("FOR UPDATE SKIP LOCKED"), std::string::npos) << limit->help;
  // Only the second of the two heads is reported; the broken chain is not a head.
  EXPECT_EQ(find(result, "alembic-multiple-heads", "7a6b5c4d3e2f_update_limit.py"), nullptr);
  EXPECT_EQ(find(result, "alembic-multiple-heads", "9c8d7e6f5a4b_broken_chain.py"), nullptr);
  // downgrade() is a down migration: its findings are notes ([lint] down_migrations = "note").
  const Seen* down_drop = find(result, "ban-drop-table", "1f00dfeed001_create_items.py");
  ASSERT_NE(down_drop, nullptr) << listing(result);
  EXPECT_EQ(down_drop->severity, "note");
  EXPECT_EQ(down_drop->line, 26);
  const Seen* missing = find(result, "missing-downgrade", "3a2b1c0d9e8f_rename_name.py");
  EXPECT_EQ(missing->message.find("down migration"), std::string::npos) << missing->message;
  for (const Seen& seen : result.findings) {
    EXPECT_NE(seen.rule, "alembic-static-reading") << listing(result);  // every revision ran offline
  }
  EXPECT_TRUE(result.errors.empty()) << listing(result);
}

TEST(AlembicSamples, ZeroDowntimePatternsPass) {
  REQUIRE_ALEMBIC();
  Lint result = lint(kSource, "fixtures/alembic/zero_downtime");
  EXPECT_TRUE(result.errors.empty()) << listing(result);
  // Nothing but notes: the backfill was read statically (and said so), its batched UPDATE is not
  // an unbatched one, the concurrent index runs outside the transaction, the foreign key is
  // validated in a later revision, the contract step's drop_column carries a reasoned ignore.
  for (const Seen& seen : result.findings) {
    EXPECT_EQ(seen.severity, "note") << listing(result);
  }
  const Seen* statically = find(result, "alembic-static-reading", "2f1e0d9c8b7a_backfill_status.py");
  ASSERT_NE(statically, nullptr) << listing(result);
  EXPECT_EQ(statically->line, 22);  // the op.get_bind() call
  EXPECT_EQ(find(result, "unbatched-update", "2f1e0d9c8b7a_backfill_status.py"), nullptr) << listing(result);
  EXPECT_EQ(result.status, 0) << listing(result);
}

TEST(AlembicSamples, CleanProjectHasNoFindings) {
  REQUIRE_ALEMBIC();
  Lint result = lint(kSource, "fixtures/alembic/clean");
  EXPECT_EQ(result.status, 0) << result.raw;
  // Nothing but the notes of the downgrade() functions (they drop what upgrade() made).
  for (const Seen& seen : result.findings) {
    EXPECT_EQ(seen.severity, "note") << listing(result);
    EXPECT_NE(seen.message.find("in a down migration"), std::string::npos) << listing(result);
  }
  EXPECT_TRUE(result.errors.empty()) << listing(result);
}

// Columns inside literals: the second piece of an implicit concatenation, after an escape.
TEST(AlembicSamples, ColumnsThroughConcatenationAndEscapes) {
  REQUIRE_ALEMBIC();
  TempDir project("miglint-alembic");
  project.write("migrations/env.py", "\n");
  project.write("migrations/versions/a1_base.py",
                "from alembic import op\n\nrevision = 'a1'\ndown_revision = None\n\n\n"
                "def upgrade():\n"
                "    op.execute(\"SET lock_timeout = '2s'; SET statement_timeout = '1min'\")\n"
                "    op.execute(\"SELECT 1; \"\n"
                "               \"DELETE FROM t\")\n"
                "    op.execute('\\tUPDATE u SET b = 2')\n"
                "\n\ndef downgrade():\n    pass\n");
  Lint result = lint(project.path(), "migrations");
  const Seen* deleted = find(result, "unbatched-delete", "a1_base.py");
  ASSERT_NE(deleted, nullptr) << listing(result);
  EXPECT_EQ(deleted->line, 10);
  EXPECT_EQ(deleted->column, 17);
  const Seen* updated = find(result, "unbatched-update", "a1_base.py");
  ASSERT_NE(updated, nullptr) << listing(result);
  EXPECT_EQ(updated->line, 11);
  EXPECT_EQ(updated->column, 19);
}

TEST(AlembicSamples, RevisionNamedOnTheCommandLineIsLintedInItsProject) {
  REQUIRE_ALEMBIC();
  Lint result = lint(kSource, "fixtures/alembic/mistakes/migrations/versions/8b7c6d5e4f3a_second_head.py");
  // The graph rule needs the other revisions: the file is read in its project's context.
  const Seen* heads = find(result, "alembic-multiple-heads", "8b7c6d5e4f3a_second_head.py");
  ASSERT_NE(heads, nullptr) << listing(result);
  EXPECT_EQ(result.findings.size(), 1U) << listing(result);
}

TEST(AlembicSamples, SarifAndGithubFormatsPointAtTheRevision) {
  REQUIRE_ALEMBIC();
  CliRun github = run_miglint_in(
      kSource,
      "lint --format github fixtures/alembic/mistakes/migrations/versions/4c3d2e1f0a9b_backfill_price.py");
  // A finding over several lines: GitHub takes lines only.
  EXPECT_NE(
      github.out.find("file=fixtures/alembic/mistakes/migrations/versions/4c3d2e1f0a9b_backfill_price.py,"
                      "line=17,endLine=19,title=unbatched-update"),
      std::string::npos)
      << github.out;
  CliRun sarif = run_miglint_in(
      kSource,
      "lint --format sarif fixtures/alembic/mistakes/migrations/versions/4c3d2e1f0a9b_backfill_price.py");
  json root = json::parse(sarif.out, nullptr, false);
  ASSERT_FALSE(root.is_discarded()) << sarif.out;
  const json& region = root["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"];
  EXPECT_EQ(region["startLine"], 17) << sarif.out;
  EXPECT_EQ(region["startColumn"], 9) << sarif.out;
}

// A project with a revision that has a syntax error, one that fails to import, and one with a
// finding: one error line each, naming the file and line; the third is still linted.
TEST(AlembicErrors, BrokenRevisionsAreOneLineEachAndTheOthersAreLinted) {
  REQUIRE_ALEMBIC();
  TempDir project("miglint-alembic");
  project.write("alembic.ini", "[alembic]\nscript_location = migrations\n");
  project.write("migrations/env.py", "raise RuntimeError('not run')\n");
  project.write(
      "migrations/versions/a1_base.py",
      "from alembic import op\n\nrevision = 'a1'\ndown_revision = None\n\n\ndef upgrade():\n"
      "    op.create_index('ix_t_x', 't', ['x'])\n\n\ndef downgrade():\n    op.drop_index('ix_t_x')\n");
  project.write(
      "migrations/versions/b2_syntax.py",
      "from alembic import op\n\nrevision = 'b2'\ndown_revision = 'a1'\n\n\ndef upgrade(:\n    pass\n");
  project.write("migrations/versions/c3_import.py",
                "from alembic import op\nimport no_such_module_for_miglint\n\nrevision = 'c3'\n"
                "down_revision = 'a1'\n\n\ndef upgrade():\n    pass\n\n\ndef downgrade():\n    pass\n");
  Lint result = lint(project.path(), ".");
  EXPECT_EQ(result.status, 2) << result.raw;
  ASSERT_EQ(result.errors.size(), 2U) << listing(result);
  EXPECT_EQ(result.errors[0].file, "b2_syntax.py");
  EXPECT_EQ(result.errors[0].line, 7);
  EXPECT_NE(result.errors[0].message.find("syntax error"), std::string::npos) << result.errors[0].message;
  EXPECT_EQ(result.errors[1].file, "c3_import.py");
  EXPECT_EQ(result.errors[1].line, 2);
  EXPECT_NE(result.errors[1].message.find("no_such_module_for_miglint"), std::string::npos)
      << result.errors[1].message;
  EXPECT_EQ(result.errors[1].message.find("Traceback"), std::string::npos);
  EXPECT_NE(find(result, "require-concurrent-index-creation", "a1_base.py"), nullptr) << listing(result);
}

// A Python without Alembic: one error per revision naming it and the line importing Alembic.
TEST(AlembicErrors, MissingAlembicIsAClearError) {
  REQUIRE_ALEMBIC();
  TempDir project("miglint-alembic");
  // -S leaves the system's site-packages (and so Alembic) out.
  fs::path python = project.write("python-without-alembic", "#!/bin/sh\nexec /usr/bin/python3 -S \"$@\"\n");
  fs::permissions(python, fs::perms::owner_all);
  project.write("migrations/env.py", "\n");
  project.write(
      "migrations/versions/a1_base.py",
      "import sqlalchemy as sa\nfrom alembic import op\n\nrevision = 'a1'\ndown_revision = None\n\n\n"
      "def upgrade():\n    op.execute(\"UPDATE t SET x = 1\")\n\n\ndef downgrade():\n    pass\n");
  Lint result = lint(project.path(), "--python " + python.string() + " migrations");
  EXPECT_EQ(result.status, 2) << result.raw;
  ASSERT_EQ(result.errors.size(), 1U) << listing(result);
  EXPECT_EQ(result.errors[0].file, "a1_base.py");
  EXPECT_EQ(result.errors[0].line, 2);
  EXPECT_NE(result.errors[0].message.find("Alembic is not installed"), std::string::npos)
      << result.errors[0].message;
}

TEST(AlembicErrors, IgnoreCommentsBeforeTrailingAndWholeFile) {
  REQUIRE_ALEMBIC();
  TempDir project("miglint-alembic");
  project.write("migrations/env.py", "\n");
  project.write(
      "migrations/versions/a1_base.py",
      "# miglint-ignore-file missing-downgrade, mixed-ddl-and-dml -- the table is new\n"
      "from alembic import op\n\nrevision = 'a1'\n"
      "down_revision = None\n\n\ndef upgrade():\n"
      "    op.execute(\"SET lock_timeout = '2s'; SET statement_timeout = '1min'\")\n"
      "    # miglint-ignore require-concurrent-index-creation -- the table is empty on every deploy\n"
      "    op.create_index('ix_t_x', 't', ['x'])\n"
      "    op.execute(\"UPDATE t SET x = 1\")  # miglint-ignore unbatched-update -- ten rows\n"
      "    op.execute(\"UPDATE t SET y = 1\")\n\n\ndef downgrade():\n    pass\n");
  Lint result = lint(project.path(), "migrations");
  ASSERT_EQ(result.findings.size(), 1U) << listing(result);
  EXPECT_EQ(result.findings[0].rule, "unbatched-update");
  EXPECT_EQ(result.findings[0].line, 13);
  EXPECT_EQ(result.findings[0].column, 17);
}

TEST(AlembicLayout, RevisionGraphGivesTheOrder) {
  std::vector<miglint::RevisionHeader> headers = {
      miglint::read_revision_header("0c_orders.py", "revision = '0c'\ndown_revision = 'a1'\n"),
      miglint::read_revision_header("7d_nick.py", "revision: str = \"7d\"\ndown_revision = \"0c\"\n"),
      miglint::read_revision_header("a1_users.py", "revision = 'a1'\ndown_revision = None\n"),
      miglint::read_revision_header("m9_merge.py",
                                    "revision = 'm9'\ndown_revision = (\n    '7d',\n    'b5',\n)\n"),
      miglint::read_revision_header("b5_side.py", "revision = 'b5'\ndown_revision = 'a1'\n"),
  };
  EXPECT_EQ(headers[3].down_revisions, (std::vector<std::string>{"7d", "b5"}));
  EXPECT_EQ(headers[1].revision, "7d");
  std::vector<std::string> order;
  for (std::size_t i : miglint::revision_graph_order(headers)) {
    order.push_back(headers[i].path);
  }
  // From the base, each revision after its parents; of the revisions ready at a time, the first by
  // file name (a branch is followed while its name sorts first).
  EXPECT_EQ(order, (std::vector<std::string>{"a1_users.py", "0c_orders.py", "7d_nick.py", "b5_side.py",
                                             "m9_merge.py"}));
}

TEST(AlembicLayout, RunnerSeamListsRevisionsInGraphOrderWithChecksums) {
  auto project = miglint::alembic_project_at((kSource / "fixtures/alembic/clean").string());
  ASSERT_TRUE(project.has_value());
  auto revisions = miglint::alembic_revisions(*project);
  ASSERT_TRUE(revisions.has_value());
  ASSERT_EQ(revisions->size(), 3U);
  EXPECT_EQ((*revisions)[0].relative_path, "a1f0c9d2e3b4_create_users.py");
  EXPECT_EQ((*revisions)[1].relative_path, "0c5e7b8a9d10_create_orders.py");
  EXPECT_EQ((*revisions)[2].relative_path, "7d3e2f1a0b9c_add_users_nickname.py");
  EXPECT_EQ((*revisions)[0].checksum.size(), 64U);
}

}  // namespace
