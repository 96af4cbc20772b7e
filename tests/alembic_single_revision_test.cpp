// A revision named alone on the command line (what pre-commit passes) is linted with the schema
// facts of the revisions before it in its revision graph: for every revision of every sample project
// (fixtures/alembic), its findings alone are exactly its findings in a whole-project lint. Needs a
// Python with Alembic.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "tests/cli_support.hpp"

namespace fs = std::filesystem;
using json = nlohmann::json;
using miglint::cli_support::CliRun;
using miglint::cli_support::run_miglint_in;

namespace {

const fs::path kSamples = fs::path(MIGLINT_SOURCE_DIR) / "fixtures/alembic";

bool have_alembic() {
  static const bool found =
      std::system(
          "python3 -c 'import alembic' >/dev/null 2>&1 || /usr/bin/python3 -c 'import alembic' "
          ">/dev/null 2>&1") == 0;
  return found;
}

// "line:column rule message" per finding, by revision file name.
std::map<std::string, std::multiset<std::string>> findings_by_file(const std::string& output) {
  std::map<std::string, std::multiset<std::string>> out;
  json root = json::parse(output, nullptr, false);
  if (root.is_discarded()) {
    return out;
  }
  for (const json& f : root["findings"]) {
    std::string file = fs::path(f["path"].get<std::string>()).filename().string();
    out[file].insert(std::to_string(f["start"]["line"].get<int>()) + ":" +
                     std::to_string(f["start"]["column"].get<int>()) + " " + f["rule"].get<std::string>() +
                     " " + f["message"].get<std::string>());
  }
  return out;
}

std::string listing(const std::multiset<std::string>& findings) {
  std::string out;
  for (const std::string& finding : findings) {
    out += "  " + finding + "\n";
  }
  return out;
}

TEST(AlembicSingleRevision, EachRevisionAloneLintsAsInTheWholeProject) {
  if (!have_alembic()) {
    GTEST_SKIP() << "python3 with Alembic is not installed (apt-get install python3-alembic)";
  }
  int compared = 0;
  int with_findings = 0;
  for (const char* sample : {"clean", "zero_downtime", "mistakes", "env_project"}) {
    fs::path project = kSamples / sample;
    CliRun whole = run_miglint_in(project, "lint --format json .");
    std::map<std::string, std::multiset<std::string>> expected = findings_by_file(whole.out);
    ASSERT_FALSE(whole.out.empty()) << sample;
    for (const auto& entry : fs::directory_iterator(project / "migrations/versions")) {
      if (entry.path().extension() != ".py") {
        continue;
      }
      std::string name = entry.path().filename().string();
      CliRun alone = run_miglint_in(project, "lint --format json migrations/versions/" + name);
      std::map<std::string, std::multiset<std::string>> found = findings_by_file(alone.out);
      // Only the named revision is reported (the earlier ones are read for their facts).
      EXPECT_LE(found.size(), 1u) << sample << "/" << name << "\n" << alone.out;
      std::multiset<std::string> alone_findings = found[name];
      EXPECT_EQ(alone_findings, expected[name]) << sample << "/" << name << " alone:\n"
                                                << listing(found[name]) << "in the whole project:\n"
                                                << listing(expected[name]);
      ++compared;
      with_findings += expected[name].empty() ? 0 : 1;
    }
  }
  EXPECT_GE(compared, 25);
  EXPECT_GE(with_findings, 8);
}

// The revisions before a revision named alone teach their schema facts through the SQL Alembic emits
// for them: 4e5f6a7b8c9d's SET NOT NULL is not a scan, the validated CHECK (status IS NOT NULL) of
// the revisions before it proving the column (this failed while they were read as SQL text, which
// taught nothing).
TEST(AlembicSingleRevision, EarlierRevisionsTeachTheirFactsToARevisionNamedAlone) {
  if (!have_alembic()) {
    GTEST_SKIP() << "python3 with Alembic is not installed (apt-get install python3-alembic)";
  }
  fs::path project = kSamples / "zero_downtime";
  CliRun alone =
      run_miglint_in(project, "lint --format json migrations/versions/4e5f6a7b8c9d_status_not_null.py");
  std::map<std::string, std::multiset<std::string>> found = findings_by_file(alone.out);
  for (const std::string& finding : found["4e5f6a7b8c9d_status_not_null.py"]) {
    EXPECT_FALSE(finding.starts_with("18:5 adding-not-nullable-field ")) << alone.out;
  }
  EXPECT_FALSE(alone.out.empty());
}

// The earlier revisions are read for their facts only: nothing of theirs is reported.
TEST(AlembicSingleRevision, EarlierRevisionsAreReadNotReported) {
  if (!have_alembic()) {
    GTEST_SKIP() << "python3 with Alembic is not installed (apt-get install python3-alembic)";
  }
  fs::path project = kSamples / "env_project";
  CliRun alone =
      run_miglint_in(project, "lint --format json migrations/versions/2b3c4d5e6f7a_index_orders_placed.py");
  json root = json::parse(alone.out, nullptr, false);
  ASSERT_TRUE(root.is_object()) << alone.out;
  for (const json& f : root["findings"]) {
    EXPECT_NE(f["path"].get<std::string>().find("2b3c4d5e6f7a"), std::string::npos) << f.dump();
  }
  EXPECT_FALSE(root["findings"].empty()) << alone.out;
}

}  // namespace
