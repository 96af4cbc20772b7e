// `[alembic] use_env = true` (docs/alembic.md, "Running env.py"): the project's own env.py runs in
// Alembic's offline mode and the revisions run in the context it configures. The sample project
// (fixtures/alembic/env_project) needs it: its env.py puts the application's src/ on sys.path, and
// the revisions import their table and schema names from there. Needs a Python with Alembic.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "tests/cli_support.hpp"

namespace fs = std::filesystem;
using json = nlohmann::json;
using miglint::cli_support::CliRun;
using miglint::cli_support::run_miglint_in;
using miglint::cli_support::TempDir;

namespace {

const fs::path kProject = fs::path(MIGLINT_SOURCE_DIR) / "fixtures/alembic/env_project";

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
  std::string file;
  int line = 0;
  int column = 0;
  std::string message;
};

struct Lint {
  int status = -1;
  std::vector<Seen> findings;
  std::vector<Seen> errors;
  std::string raw;
};

Lint lint_in(const fs::path& directory) {
  CliRun run = run_miglint_in(directory, "lint --format json .");
  Lint out;
  out.status = run.status;
  out.raw = run.out;
  json root = json::parse(run.out, nullptr, false);
  if (root.is_discarded()) {
    return out;
  }
  for (const json& f : root["findings"]) {
    out.findings.push_back(Seen{f["rule"], fs::path(f["path"].get<std::string>()).filename().string(),
                                f["start"]["line"], f["start"]["column"], f["message"]});
  }
  for (const json& e : root["errors"]) {
    out.errors.push_back(Seen{"", fs::path(e["path"].get<std::string>()).filename().string(),
                              e["line"].is_null() ? 0 : e["line"].get<int>(),
                              e["column"].is_null() ? 0 : e["column"].get<int>(), e["message"]});
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
  return out + result.raw.substr(0, 2000);
}

// A copy of the sample project to change.
void copy_project(const TempDir& into) {
  fs::copy(kProject, into.path(), fs::copy_options::recursive);
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

void replace_in(const fs::path& path, const std::string& from, const std::string& to) {
  std::string text = read_text(path);
  std::size_t at = text.find(from);
  ASSERT_NE(at, std::string::npos) << from << " not in " << path;
  text.replace(at, from.size(), to);
  std::ofstream(path, std::ios::binary) << text;
}

TEST(AlembicUseEnv, RevisionsRunInTheContextEnvPyConfigures) {
  REQUIRE_ALEMBIC();
  Lint result = lint_in(kProject);
  EXPECT_TRUE(result.errors.empty()) << listing(result);
  // The index on the table an earlier revision created (an existing table by now), at its op. call;
  // the index on the table created in the same revision is not one.
  const Seen* index =
      find(result, "require-concurrent-index-creation", "2b3c4d5e6f7a_index_orders_placed.py");
  ASSERT_NE(index, nullptr) << listing(result);
  EXPECT_EQ(index->line, 16) << listing(result);
  EXPECT_EQ(index->column, 5) << listing(result);
  EXPECT_NE(index->message.find("shop.orders"), std::string::npos) << index->message;
  EXPECT_EQ(find(result, "require-concurrent-index-creation", "1a2b3c4d5e6f_create_orders.py"), nullptr)
      << listing(result);
  EXPECT_EQ(result.status, 1) << listing(result);
}

TEST(AlembicUseEnv, WithoutUseEnvTheRevisionsCannotImportTheApplication) {
  REQUIRE_ALEMBIC();
  TempDir copy("miglint-alembic-env");
  copy_project(copy);
  replace_in(copy.path() / "miglint.toml", "use_env = true", "use_env = false");
  Lint result = lint_in(copy.path());
  ASSERT_EQ(result.errors.size(), 2U) << listing(result);
  for (const Seen& error : result.errors) {
    EXPECT_EQ(error.line, 8) << listing(result);  // `from shopapp.schema import ...`
    EXPECT_NE(error.message.find("No module named 'shopapp'"), std::string::npos) << error.message;
  }
  EXPECT_EQ(result.status, 2) << listing(result);
}

TEST(AlembicUseEnv, EnvPyFailingIsOneLineNamingEnvPyAndItsLine) {
  REQUIRE_ALEMBIC();
  TempDir copy("miglint-alembic-env");
  copy_project(copy);
  // The deploy's variable is required now, and not set.
  replace_in(copy.path() / "migrations/env.py",
             "os.environ.get(\"SHOPAPP_DATABASE_URL\", \"postgresql://localhost/shop\")",
             "os.environ[\"SHOPAPP_DATABASE_URL_REQUIRED_FOR_THIS_TEST\"]");
  CliRun run = run_miglint_in(copy.path(), "lint . 2>&1");
  EXPECT_EQ(run.status, 2) << run.out;
  EXPECT_NE(run.out.find("env.py:16: env.py failed in offline mode"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("KeyError"), std::string::npos) << run.out;
  EXPECT_EQ(run.out.find("Traceback"), std::string::npos) << run.out;
}

TEST(AlembicUseEnv, TransactionalDdlOffInEnvPyMeansNoTransaction) {
  REQUIRE_ALEMBIC();
  TempDir copy("miglint-alembic-env");
  copy_project(copy);
  copy.write("migrations/versions/3c4d5e6f7a8b_concurrent_index.py", R"(""" a concurrent index

Revision ID: 3c4d5e6f7a8b
Revises: 2b3c4d5e6f7a
"""
from alembic import op
from shopapp.schema import ORDERS, SCHEMA

revision = "3c4d5e6f7a8b"
down_revision = "2b3c4d5e6f7a"


def upgrade():
    op.create_index("ix_orders_id_customer", ORDERS, ["id", "customer"], schema=SCHEMA,
                    postgresql_concurrently=True)


def downgrade():
    pass
)");
  // In a transaction (what env.py configures by default): CREATE INDEX CONCURRENTLY cannot run.
  Lint in_transaction = lint_in(copy.path());
  const Seen* banned = find(in_transaction, "ban-concurrent-index-creation-in-transaction",
                            "3c4d5e6f7a8b_concurrent_index.py");
  ASSERT_NE(banned, nullptr) << listing(in_transaction);
  EXPECT_EQ(banned->line, 14) << listing(in_transaction);
  // env.py turns transactional DDL off: Alembic sends each statement on its own.
  replace_in(copy.path() / "migrations/env.py", "        transaction_per_migration=True,\n    )\n    with",
             "        transaction_per_migration=True,\n        transactional_ddl=False,\n    )\n    with");
  Lint autocommit = lint_in(copy.path());
  EXPECT_TRUE(autocommit.errors.empty()) << listing(autocommit);
  EXPECT_EQ(
      find(autocommit, "ban-concurrent-index-creation-in-transaction", "3c4d5e6f7a8b_concurrent_index.py"),
      nullptr)
      << listing(autocommit);
}

}  // namespace
