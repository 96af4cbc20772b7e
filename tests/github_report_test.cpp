// `--format github`: workflow commands, and their escaping.
#include <gtest/gtest.h>

#include <sstream>

#include "analyzer/report/reporter.hpp"
#include "tests/cli_support.hpp"

using namespace miglint;
using cli_support::CliRun;
using cli_support::run_miglint_in;
using cli_support::TempDir;

TEST(GithubEscaping, PropertiesEscapeColonAndCommaTooMessagesDoNot) {
  EXPECT_EQ(escape_github_property("db/a,b:c%d\r\ne.sql"), "db/a%2Cb%3Ac%25d%0D%0Ae.sql");
  EXPECT_EQ(escape_github_message("50% of rows: a, b\r\nnext"), "50%25 of rows: a, b%0D%0Anext");
  EXPECT_EQ(escape_github_property("ban-drop-table"), "ban-drop-table");
  EXPECT_EQ(escape_github_message("%25"), "%2525");  // escaped once, not reinterpreted
}

TEST(GithubReport, OneCommandPerFindingBySeverity) {
  std::ostringstream out;
  std::unique_ptr<Reporter> reporter = make_github_reporter(out);
  FileResult result;
  result.path = "db/1,2.sql";
  Finding error;
  error.rule = "syntax-error";
  error.severity = Severity::Error;
  error.path = result.path;
  error.start = {1, 8};
  error.end = {1, 9};
  error.message = "syntax error at or near \"x\"\nsecond line";
  Finding note = error;
  note.rule = "unsupported-syntax";
  note.severity = Severity::Note;
  note.start = {3, 5};
  note.end = {5, 2};  // several lines: GitHub takes no columns then
  note.message = "100% newer";
  Finding suppressed = error;
  suppressed.rule = "ban-drop-table";
  suppressed.severity = Severity::Warning;
  suppressed.suppressed = true;
  result.findings = {error, note, suppressed};
  reporter->file(result);
  RunSummary summary;
  summary.input_errors.push_back(InputError{"bad.sql", std::nullopt, "binary file"});
  reporter->finish(summary);
  EXPECT_EQ(
      out.str(),
      "::error file=db/1%2C2.sql,line=1,endLine=1,col=8,endColumn=9,title=syntax-error::syntax error at or "
      "near \"x\"%0Asecond line\n"
      "::notice file=db/1%2C2.sql,line=3,endLine=5,title=unsupported-syntax::100%25 newer\n"
      "::error file=bad.sql,title=miglint::binary file\n");
}

TEST(GithubReport, CommandLine) {
  TempDir dir("miglint-github");
  dir.write("a,b:c.sql", "DROP TABLE users;\n");
  CliRun run = run_miglint_in(dir.path(), "lint --format github --select ban-drop-table a,b:c.sql");
  EXPECT_EQ(run.status, 1);
  EXPECT_EQ(
      run.out,
      "::warning file=a%2Cb%3Ac.sql,line=1,endLine=1,col=1,endColumn=17,title=ban-drop-table::dropping table "
      "\"users\" loses its data and takes an ACCESS EXCLUSIVE lock\n");
}
