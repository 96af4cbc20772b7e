// What `miglint approve` writes: the approvals file as users read it (written by toml++, keys in a
// fixed order, one line per value), and "written" reported only after the file is saved.
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "analyzer/project/approvals.hpp"
#include "runner/approve.hpp"

namespace fs = std::filesystem;
using namespace miglint;

namespace {

struct ScratchDir {
  fs::path path = fs::temp_directory_path() / ("miglint-approvals-" + std::to_string(::getpid()));
  ScratchDir() { fs::create_directories(path); }
  ~ScratchDir() { fs::remove_all(path); }
};

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

TEST(ApprovalsFile, ReadsAsBeforeWithEscapes) {
  ScratchDir dir;
  std::string path = (dir.path / kApprovalsFileName).string();
  std::vector<Approval> approvals;
  add_approval(approvals, Approval{"0002_b.sql", std::string(64, 'a'), "ban-drop-column",
                                   "quote \" backslash \\ newline \n tab \t bell \a end", "Zoë O'Neil",
                                   "2026-11-27", ""});
  ASSERT_TRUE(save_approvals(path, approvals));
  EXPECT_EQ(read_text(path),
            "# Findings reviewed and approved for `miglint run` (written by `miglint approve`).\n"
            "# An approval holds for the file's contents with this sha256 only: editing the file voids it.\n"
            "\n"
            "[[approval]]\n"
            "file = \"0002_b.sql\"\n"
            "sha256 = \"" +
                std::string(64, 'a') +
                "\"\n"
                "rule = \"ban-drop-column\"\n"
                "reason = \"quote \\\" backslash \\\\ newline \\n tab \\t bell \\u0007 end\"\n"
                "by = \"Zoë O'Neil\"\n"
                "date = \"2026-11-27\"\n");
  Expected<std::vector<Approval>> loaded = load_approvals(path);
  ASSERT_TRUE(loaded) << loaded.error().message;
  ASSERT_EQ(loaded->size(), 1U);
  EXPECT_EQ((*loaded)[0].reason, "quote \" backslash \\ newline \n tab \t bell \a end");
  EXPECT_EQ((*loaded)[0].by, "Zoë O'Neil");
}

// A dbmate file's down section is approved as a section of its own: written as `section = "down"`,
// read back, and never taken for an approval of the file's up part (nor the other way round).
TEST(ApprovalsFile, DownSectionIsASectionOfItsOwn) {
  ScratchDir dir;
  std::string path = (dir.path / kApprovalsFileName).string();
  const std::string sha256(64, 'e');
  std::vector<Approval> approvals;
  add_approval(approvals, Approval{"20240101_items.sql", sha256, "ban-drop-table", "the way back", "t",
                                   "2026-12-05", kDownSection});
  ASSERT_TRUE(save_approvals(path, approvals));
  EXPECT_NE(read_text(path).find("file = \"20240101_items.sql\"\nsection = \"down\"\n"), std::string::npos)
      << read_text(path);
  Expected<std::vector<Approval>> loaded = load_approvals(path);
  ASSERT_TRUE(loaded) << loaded.error().message;
  EXPECT_TRUE(is_approved(*loaded, "20240101_items.sql", sha256, "ban-drop-table", kDownSection));
  EXPECT_FALSE(is_approved(*loaded, "20240101_items.sql", sha256, "ban-drop-table"));
  // An approval of the up part replaces none of the down section's.
  add_approval(*loaded,
               Approval{"20240101_items.sql", sha256, "ban-drop-table", "up", "t", "2026-12-05", ""});
  EXPECT_EQ(loaded->size(), 2U);
  std::ofstream(path) << "[[approval]]\nfile = \"a.sql\"\nsha256 = \"" << sha256
                      << "\"\nrule = \"ban-drop-table\"\nreason = \"r\"\nsection = \"up\"\n";
  Expected<std::vector<Approval>> wrong = load_approvals(path);
  ASSERT_FALSE(wrong);
  EXPECT_NE(wrong.error().message.find("`section` must be \"down\""), std::string::npos)
      << wrong.error().message;
}

// A save that fails (here: no file may grow, RLIMIT_FSIZE 0, which holds for root too) reports the
// error and not "written". Run in a child process so that the limit stays there.
TEST(Approve, ReportsWrittenOnlyAfterSaving) {
  ScratchDir dir;
  fs::path migration = dir.path / "0001_drop.sql";
  std::ofstream(migration) << "ALTER TABLE t DROP COLUMN c;\n";
  runner::ApproveRequest request{
      migration.string(), {"ban-drop-column"}, false, "reviewed", "tester", {}, false};
  request.settings.directory = dir.path.string();

  std::ostringstream out;
  std::ostringstream err;
  ASSERT_EQ(runner::approve(request, out, err), 0) << err.str();
  EXPECT_NE(out.str().find("written to"), std::string::npos) << out.str();
  EXPECT_TRUE(fs::exists(dir.path / kApprovalsFileName));
  fs::remove(dir.path / kApprovalsFileName);

  int pipe_fds[2];
  ASSERT_EQ(pipe(pipe_fds), 0);
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    close(pipe_fds[0]);
    std::signal(SIGXFSZ, SIG_IGN);
    rlimit none{0, 0};
    setrlimit(RLIMIT_FSIZE, &none);
    std::ostringstream child_out;
    std::ostringstream child_err;
    int status = runner::approve(request, child_out, child_err);
    std::string report = std::to_string(status) + "\n" + child_out.str() + "|" + child_err.str();
    ssize_t ignored = write(pipe_fds[1], report.data(), report.size());
    (void)ignored;
    _exit(0);
  }
  close(pipe_fds[1]);
  std::string report;
  char buffer[1024];
  for (ssize_t n; (n = read(pipe_fds[0], buffer, sizeof buffer)) > 0;) {
    report.append(buffer, static_cast<std::size_t>(n));
  }
  close(pipe_fds[0]);
  int status = 0;
  waitpid(child, &status, 0);
  std::string exit_code = report.substr(0, report.find('\n'));
  std::string said = report.substr(report.find('\n') + 1);
  EXPECT_NE(exit_code, "0") << said;
  EXPECT_EQ(said.find("written to"), std::string::npos) << said;
  EXPECT_NE(said.find("cannot write the approvals"), std::string::npos) << said;
  EXPECT_FALSE(fs::exists(dir.path / kApprovalsFileName));
}

}  // namespace
