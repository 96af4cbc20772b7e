#pragma once

// Running the miglint binary from a test, in a directory of the test's choosing.
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

namespace miglint::cli_support {

struct CliRun {
  int status = -1;
  std::string out;  // stdout (stderr too when `args` redirects it)
};

// A directory under the system temp directory, removed at the end of the test. Unique per
// process: CTest runs the tests of one binary in parallel processes.
class TempDir {
 public:
  explicit TempDir(const std::string& prefix)
      : path_(std::filesystem::temp_directory_path() /
              (prefix + "-" + std::to_string(::getpid()) + "-" + std::to_string(counter_++))) {
    std::filesystem::create_directories(path_);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() { std::filesystem::remove_all(path_); }

  std::filesystem::path write(const std::string& name, const std::string& bytes) const {
    std::filesystem::path file = path_ / name;
    std::filesystem::create_directories(file.parent_path());
    std::ofstream(file, std::ios::binary) << bytes;
    return file;
  }
  const std::filesystem::path& path() const { return path_; }
  std::string str() const { return path_.string(); }

 private:
  static inline int counter_ = 0;
  std::filesystem::path path_;
};

// Runs `sh -c 'cd DIR && miglint ARGS'` with nothing on stdin; stderr is discarded unless `args`
// redirects it.
inline CliRun run_miglint_in(const std::filesystem::path& directory, const std::string& args) {
  std::string command = "cd '" + directory.string() + "' && " + std::string(MIGLINT_BINARY) + " " + args +
                        " 2>/dev/null </dev/null";
  if (args.find("2>") != std::string::npos) {
    command =
        "cd '" + directory.string() + "' && " + std::string(MIGLINT_BINARY) + " " + args + " </dev/null";
  }
  CliRun run;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) {
    return run;
  }
  std::array<char, 4096> buffer{};
  while (std::size_t n = fread(buffer.data(), 1, buffer.size(), pipe)) {
    run.out.append(buffer.data(), n);
  }
  int status = pclose(pipe);
  run.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

}  // namespace miglint::cli_support
