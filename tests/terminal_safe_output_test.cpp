// Terminal-safe output (issue 12): no report writes a raw control character taken from an input
// (file contents, file names, identifiers, config values); text-like outputs show them escaped, and
// JSON and SARIF stay valid JSON for any bytes, invalid UTF-8 in file names included.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "analyzer/report/json_text.hpp"
#include "analyzer/report/reporter.hpp"
#include "analyzer/text/message_text.hpp"
#include "tests/cli_support.hpp"
#include "tests/hostile_support.hpp"

namespace fs = std::filesystem;
using namespace miglint;
using cli_support::TempDir;
using hostile::ProcessRun;
using hostile::raw_controls_in;
using hostile::run_miglint;

namespace {

// The lead's reproduction: a table name that retitles the terminal (OSC 0 ... BEL) and clears it.
const std::string kHostileTable = "evil\x1b]0;pwned\x07\x1b[2J";
const std::string kHostileSql = "ALTER TABLE \"" + kHostileTable + "\" RENAME COLUMN a TO b;\n";

}  // namespace

TEST(EscapeForMessage, ControlsBadBytesAndReorderingCodePointsAreEscaped) {
  EXPECT_EQ(escape_for_message("plain text, é ✓ 𝄞"), "plain text, é ✓ 𝄞");
  EXPECT_EQ(escape_for_message(kHostileTable), "evil\\x1b]0;pwned\\x07\\x1b[2J");
  EXPECT_EQ(escape_for_message("a\nb\rc\td"), "a\\nb\\rc\\td");
  EXPECT_EQ(escape_for_message(std::string("nul\0del\x7f", 8)), "nul\\x00del\\x7f");
  EXPECT_EQ(escape_for_message("bad \xff\xc3 utf-8"), "bad \\xff\\xc3 utf-8");
  EXPECT_EQ(escape_for_message("csi \xc2\x9b"
                               "2J"),
            "csi \\u009b2J");                                                        // C1 CSI
  EXPECT_EQ(escape_for_message("rlo \xe2\x80\xae gnp.sql"), "rlo \\u202e gnp.sql");  // Trojan Source
  EXPECT_EQ(escape_for_message("ls \xe2\x80\xa8 ps \xe2\x80\xa9"), "ls \\u2028 ps \\u2029");
  EXPECT_FALSE(needs_message_escaping("CREATE INDEX \"é\" ON t (a);"));
  EXPECT_TRUE(needs_message_escaping("\x1b"));
  // Escaped text is printable: escaping it again changes nothing.
  EXPECT_EQ(escape_for_message(escape_for_message(kHostileTable)), escape_for_message(kHostileTable));
}

TEST(JsonText, AnyBytesGiveValidJsonAndNoTerminalControls) {
  std::string hostile = kHostileTable + " \xff\xfe bad, \xc2\x9b C1, \x7f DEL, \xe2\x80\xae RLO, é";
  std::string out;
  append_json_string(out, hostile);
  EXPECT_EQ(raw_controls_in(out), "");
  nlohmann::json parsed = nlohmann::json::parse(out);  // throws on invalid JSON or UTF-8
  EXPECT_EQ(parsed.get<std::string>(),
            kHostileTable + " \xef\xbf\xbd\xef\xbf\xbd bad, \xc2\x9b C1, \x7f DEL, \xe2\x80\xae RLO, é");
  // A JSON library's output, made the same.
  nlohmann::json document{{"name", hostile}};
  std::string dumped =
      terminal_safe_json(document.dump(2, ' ', false, nlohmann::json::error_handler_t::replace));
  EXPECT_EQ(raw_controls_in(dumped), "");
  EXPECT_EQ(nlohmann::json::parse(dumped)["name"], parsed);
}

TEST(TextReport, ExcerptEscapesAndTheMarkerStillLinesUp) {
  std::ostringstream out;
  std::unique_ptr<Reporter> reporter = make_text_reporter(out, TextStyle{false});
  FileResult result;
  result.path = "db/\x1b[2J.sql";
  Finding finding;
  finding.rule = "rename-column";
  finding.severity = Severity::Warning;
  finding.path = result.path;
  // The marked word `RENAME` comes after the hostile name and a tab.
  finding.source_line = "ALTER TABLE \"" + kHostileTable + "\"\tRENAME COLUMN a TO b;";
  // 1-based code point of `R` (the line is ASCII: one byte per code point).
  auto rename_column = static_cast<uint32_t>(finding.source_line.find("RENAME") + 1);
  finding.start = {1, rename_column};
  finding.end = {1, rename_column + 6};
  finding.message = "renaming \"" + kHostileTable + "\"";
  finding.help = "see \x1b]8;;http://x\x07link";
  result.findings = {finding};
  reporter->file(result);
  std::string text = out.str();
  EXPECT_EQ(raw_controls_in(text), "") << text;
  std::istringstream lines(text);
  std::string heading;
  std::string excerpt;
  std::string marker;
  std::getline(lines, heading);
  std::getline(lines, excerpt);
  std::getline(lines, marker);
  EXPECT_EQ(heading, "db/\\x1b[2J.sql:1:" + std::to_string(rename_column) +
                         ": warning: renaming \"evil\\x1b]0;pwned\\x07\\x1b[2J\" [rename-column]");
  EXPECT_EQ(excerpt, "1 | ALTER TABLE \"evil\\x1b]0;pwned\\x07\\x1b[2J\"    RENAME COLUMN a TO b;");
  // The marker sits under `RENAME`, six columns wide.
  std::size_t rename_at = excerpt.find("RENAME");
  ASSERT_EQ(marker.find('^'), rename_at) << excerpt << "\n" << marker;
  EXPECT_EQ(marker.substr(rename_at), "^~~~~~");
}

TEST(TextReport, MarkerOnAnEscapedCharacterCoversItsEscape) {
  std::ostringstream out;
  std::unique_ptr<Reporter> reporter = make_text_reporter(out, TextStyle{false});
  FileResult result;
  Finding finding;
  finding.rule = "syntax-error";
  finding.severity = Severity::Error;
  finding.path = "a.sql";
  finding.source_line = "SELECT \x1b;";
  finding.start = {1, 8};
  finding.end = {1, 8};
  finding.message = "syntax error";
  result.findings = {finding};
  reporter->file(result);
  EXPECT_NE(out.str().find("1 | SELECT \\x1b;\n  |        ^~~~\n"), std::string::npos) << out.str();
}

TEST(GithubReport, HostileNamesNeitherForgeCommandsNorReachTheTerminal) {
  // A newline keeps GitHub's meaning (%0A: the file is still the file), an ESC is shown escaped.
  EXPECT_EQ(escape_github_property("a\nb\x1b[2J,c:d%.sql"), "a%0Ab\\x1b[2J%2Cc%3Ad%25.sql");
  EXPECT_EQ(escape_github_message("x\r\n::error::forged\x07"), "x%0D%0A::error::forged\\x07");
  EXPECT_EQ(escape_github_message("bad \xff byte"), "bad \\xff byte");
}

TEST(TerminalSafeCli, LeadsReproductionInEveryFormat) {
  TempDir dir("miglint-terminal");
  dir.write("001_rename.sql", kHostileSql);
  for (const char* format : {"text", "github"}) {
    ProcessRun run = run_miglint({"lint", "--format", format, "001_rename.sql"}, dir.str());
    EXPECT_EQ(run.status, 1) << format << "\n" << run.out << run.err;
    EXPECT_EQ(raw_controls_in(run.out), "") << format << "\n" << run.out;
    EXPECT_EQ(raw_controls_in(run.err), "") << format << "\n" << run.err;
    EXPECT_NE(run.out.find("evil\\x1b]0;pwned\\x07\\x1b[2J"), std::string::npos) << format << "\n" << run.out;
  }
  for (const char* format : {"json", "sarif"}) {
    ProcessRun run = run_miglint({"lint", "--format", format, "001_rename.sql"}, dir.str());
    EXPECT_EQ(run.status, 1) << format;
    EXPECT_EQ(raw_controls_in(run.out), "") << format;
    nlohmann::json parsed = nlohmann::json::parse(run.out);
    std::string all = parsed.dump();  // the parsed document holds the name exactly, as JSON escapes
    EXPECT_NE(all.find("evil\\u001b]0;pwned\\u0007\\u001b[2J"), std::string::npos) << format << all;
  }
  ProcessRun locks = run_miglint({"locks", "001_rename.sql"}, dir.str());
  EXPECT_EQ(locks.status, 0) << locks.err;
  EXPECT_EQ(raw_controls_in(locks.out), "") << locks.out;
  EXPECT_NE(locks.out.find("evil\\x1b]0;pwned\\x07\\x1b[2J"), std::string::npos) << locks.out;
  ProcessRun locks_json = run_miglint({"locks", "--format", "json", "001_rename.sql"}, dir.str());
  EXPECT_EQ(locks_json.status, 0);
  EXPECT_EQ(raw_controls_in(locks_json.out), "");
  EXPECT_TRUE(nlohmann::json::accept(locks_json.out)) << locks_json.out;
}

// File names: escape sequences, a newline, quotes and spaces, and bytes that are not UTF-8.
TEST(TerminalSafeCli, HostileFileNamesInEveryFormat) {
  TempDir dir("miglint-terminal");
  const std::vector<std::string> names = {"V1__ \"quoted\" 'and' spaced.sql", "V2__new\nline.sql",
                                          "V3__\x1b]0;title\x07.sql", "V4__latin1_\xe9\xff.sql"};
  for (const std::string& name : names) {
    dir.write(name, "DROP TABLE users;\n");
  }
  dir.write("V5__binary\x1b[2J.sql", std::string("SELECT 1;\0", 10));
  for (const char* format : {"text", "github", "json", "sarif"}) {
    // The directory is walked, and the files are also named one by one.
    for (bool walk : {true, false}) {
      std::vector<std::string> args = {"lint", "--format", format, "--select", "ban-drop-table"};
      if (walk) {
        args.push_back(".");
      } else {
        args.insert(args.end(), names.begin(), names.end());
        args.push_back("V5__binary\x1b[2J.sql");
      }
      ProcessRun run = run_miglint(args, dir.str());
      SCOPED_TRACE(std::string(format) + (walk ? " walked" : " named"));
      EXPECT_EQ(run.status, 2) << run.out << run.err;  // the binary file
      EXPECT_EQ(raw_controls_in(run.out), "") << run.out;
      EXPECT_EQ(raw_controls_in(run.err), "") << run.err;
      EXPECT_NE(run.err.find("V5__binary\\x1b[2J.sql: binary file (NUL byte at line 1, column 10)"),
                std::string::npos)
          << run.err;
      std::string format_name = format;
      if (format_name == "json" || format_name == "sarif") {
        nlohmann::json parsed;
        ASSERT_NO_THROW(parsed = nlohmann::json::parse(run.out)) << run.out;
        if (format_name == "json") {
          ASSERT_EQ(parsed["findings"].size(), 4U) << run.out;
          EXPECT_EQ(parsed["findings"][1]["path"], "V2__new\nline.sql");
          EXPECT_EQ(parsed["findings"][3]["path"], "V4__latin1_\xef\xbf\xbd\xef\xbf\xbd.sql");  // U+FFFD
          EXPECT_EQ(parsed["errors"][0]["path"], "V5__binary\x1b[2J.sql");
        } else {
          EXPECT_EQ(parsed["runs"][0]["results"].size(), 4U);
          EXPECT_EQ(
              parsed["runs"][0]["results"][3]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
              "V4__latin1_%E9%FF.sql");  // a URI names the bytes exactly
        }
      } else if (format_name == "text") {
        EXPECT_NE(run.out.find("V1__ \"quoted\" 'and' spaced.sql:1:1:"), std::string::npos) << run.out;
        EXPECT_NE(run.out.find("V2__new\\nline.sql:1:1:"), std::string::npos) << run.out;
        EXPECT_NE(run.out.find("V3__\\x1b]0;title\\x07.sql:1:1:"), std::string::npos) << run.out;
        EXPECT_NE(run.out.find("V4__latin1_\\xe9\\xff.sql:1:1:"), std::string::npos) << run.out;
      } else {
        EXPECT_NE(run.out.find("file=V1__ \"quoted\" 'and' spaced.sql,"), std::string::npos) << run.out;
        EXPECT_NE(run.out.find("file=V2__new%0Aline.sql,"), std::string::npos) << run.out;
        EXPECT_NE(run.out.find("file=V3__\\x1b]0;title\\x07.sql,"), std::string::npos) << run.out;
        // One command per line: five lines, each a workflow command.
        std::istringstream lines(run.out);
        std::string line;
        int commands = 0;
        while (std::getline(lines, line)) {
          EXPECT_TRUE(line.starts_with("::")) << line;
          ++commands;
        }
        EXPECT_EQ(commands, 5);
      }
    }
  }
}

// `locks` too: its JSON was dumped without a handler for invalid UTF-8, which threw (an abort).
TEST(TerminalSafeCli, LocksOfHostileFileNames) {
  TempDir dir("miglint-terminal");
  dir.write("V4__latin1_\xe9\xff.sql", "ALTER TABLE t ADD COLUMN c int;\n");
  dir.write("V5__\x1b[2J\n.sql", "ALTER TABLE u ADD COLUMN c int;\n");
  ProcessRun json = run_miglint({"locks", "--format", "json", "."}, dir.str());
  EXPECT_EQ(json.status, 0) << json.err;
  EXPECT_EQ(raw_controls_in(json.out), "");
  nlohmann::json parsed;
  ASSERT_NO_THROW(parsed = nlohmann::json::parse(json.out)) << json.out;
  ASSERT_EQ(parsed["files"].size(), 2U);
  EXPECT_EQ(parsed["files"][0]["path"], "V4__latin1_\xef\xbf\xbd\xef\xbf\xbd.sql");
  EXPECT_EQ(parsed["files"][1]["path"], "V5__\x1b[2J\n.sql");
  ProcessRun text = run_miglint({"locks", "."}, dir.str());
  EXPECT_EQ(text.status, 0) << text.err;
  EXPECT_EQ(raw_controls_in(text.out), "") << text.out;
  EXPECT_NE(text.out.find("V4__latin1_\\xe9\\xff.sql\n"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("V5__\\x1b[2J\\n.sql\n"), std::string::npos) << text.out;
}

TEST(TerminalSafeCli, SarifOfHostileInputsValidates) {
  const fs::path validator = MIGLINT_SARIF_VALIDATOR;
  if (!fs::exists(validator)) {
    GTEST_SKIP() << "no SARIF validator at " << validator;
  }
  TempDir dir("miglint-terminal");
  dir.write("V1__\x1b[2J_\xff.sql", kHostileSql + "DROP TABLE \"\xe2\x80\xae\";\n");
  dir.write("V2__nul\n.sql", std::string("SELECT\0", 7));
  ProcessRun run = run_miglint({"lint", "--format", "sarif", "."}, dir.str());
  EXPECT_EQ(run.status, 2) << run.err;
  fs::path sarif = dir.path() / "out.sarif";
  std::ofstream(sarif, std::ios::binary) << run.out;
  ProcessRun validated = hostile::run_process(validator.string(), {sarif.string()});
  EXPECT_EQ(validated.status, 0) << validated.out << validated.err;
}

// Values from miglint.toml come back in error lines: escaped too.
TEST(TerminalSafeCli, ConfigValuesInErrorsAreEscaped) {
  TempDir dir("miglint-terminal");
  dir.write("miglint.toml", "select = [\"ban\\u001b[2J\"]\n");
  dir.write("a.sql", "SELECT 1;\n");
  ProcessRun run = run_miglint({"lint", "a.sql"}, dir.str());
  EXPECT_EQ(run.status, 2);
  EXPECT_EQ(raw_controls_in(run.err), "") << run.err;
  EXPECT_NE(run.err.find("ban\\x1b[2J"), std::string::npos) << run.err;
  ProcessRun flag = run_miglint({"lint", "--select", "x\x1b[2J", "a.sql"}, dir.str());
  EXPECT_EQ(flag.status, 2);
  EXPECT_EQ(raw_controls_in(flag.err), "") << flag.err;
  // A file name that starts with `--` reaches the command-line parser, which echoes it.
  ProcessRun usage = run_miglint({"lint", "--format=\x1b]0;x\x07.sql"}, dir.str());
  EXPECT_EQ(usage.status, 2);
  EXPECT_EQ(raw_controls_in(usage.out + usage.err), "") << usage.err;
  EXPECT_NE(usage.err.find("\\x1b]0;x\\x07.sql"), std::string::npos) << usage.err;
  ProcessRun explain = run_miglint({"explain", "x\x07\x1b[2J"}, dir.str());
  EXPECT_EQ(explain.status, 2);
  EXPECT_EQ(raw_controls_in(explain.err), "") << explain.err;
}

// miglint-runner's messages use the same helper: a hostile file name given to `approve`.
TEST(TerminalSafeCli, RunnerMessagesAreEscaped) {
  TempDir dir("miglint-terminal");
  dir.write("migrations/001_init.sql", "SELECT 1;\n");
  ProcessRun run = run_miglint({"approve", "migrations/002_\x1b]0;x\x07\n.sql", "--rule", "ban-drop-table",
                                "--reason", "r", "--by", "me"},
                               dir.str());
  EXPECT_EQ(run.status, 2) << run.out << run.err;
  EXPECT_EQ(raw_controls_in(run.out + run.err), "") << run.out << run.err;
  EXPECT_NE(run.err.find("002_\\x1b]0;x\\x07\\n.sql"), std::string::npos) << run.err;
}
