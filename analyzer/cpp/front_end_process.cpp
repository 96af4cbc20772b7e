#include "analyzer/cpp/front_end_process.hpp"

#include <fmt/format.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <optional>
#include <vector>

#include "analyzer/cpp/front_end_protocol.hpp"

extern char** environ;

namespace miglint::cpp {

namespace {

constexpr const char* kExecutableName = "miglint-cpp-front-end";

// Where the front end may be: $MIGLINT_CPP_FRONT_END, beside the executable (the build tree), the
// install's lib/miglint relative to the executable's bin/ (so that an install prefix can move),
// and, in builds with tests, the build tree it was built in (for the test executables).
std::vector<std::string> front_end_candidates() {
  std::vector<std::string> candidates;
  if (const char* explicit_path = std::getenv("MIGLINT_CPP_FRONT_END");
      explicit_path != nullptr && *explicit_path) {
    candidates.emplace_back(explicit_path);
    return candidates;
  }
  std::error_code error;
  std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", error);
  if (!error) {
    candidates.push_back((exe.parent_path() / kExecutableName).string());
    candidates.push_back(
        (exe.parent_path() / MIGLINT_CPP_FRONT_END_FROM_BIN / kExecutableName).lexically_normal().string());
  }
#ifdef MIGLINT_CPP_FRONT_END_BUILD_PATH
  candidates.emplace_back(MIGLINT_CPP_FRONT_END_BUILD_PATH);
#endif
  return candidates;
}

std::string describe_exit(int status) {
  if (WIFSIGNALED(status)) {
    return fmt::format("killed by signal {} ({})", WTERMSIG(status), strsignal(WTERMSIG(status)));
  }
  if (WIFEXITED(status)) {
    return fmt::format("exit status {}", WEXITSTATUS(status));
  }
  return "stopped";
}

struct Process {
  pid_t pid = -1;
  int channel = -1;  // miglint's end of the socket
};

// Closes miglint's end (the process sees the end of its input and exits) and reaps it; the status
// says how it ended.
int stop(Process& process) {
  if (process.channel >= 0) {
    close(process.channel);
    process.channel = -1;
  }
  int status = 0;
  while (process.pid > 0 && waitpid(process.pid, &status, 0) < 0 && errno == EINTR) {
  }
  process.pid = -1;
  return status;
}

class FrontEndProcesses {
 public:
  ~FrontEndProcesses() {
    // At exit: closing its socket ends an idle process at once (it waits for the next request);
    // reaping it counts its resources (peak memory included) in miglint's own, as a parent of
    // miglint sees them.
    for (Process& process : idle_) {
      stop(process);
    }
  }

  bool available(std::string* why_not) {
    std::call_once(located_, [this] { locate(); });
    if (executable_.empty() && why_not != nullptr) {
      *why_not = failure_;
    }
    return !executable_.empty();
  }

  CppExtraction extract(const CppExtractRequest& request) {
    CppExtraction failed;
    std::string why_not;
    if (!available(&why_not)) {
      failed.error = why_not;
      return failed;
    }
    std::optional<Process> process = take_idle();
    if (!process) {
      std::string error;
      process = start(executable_, &error);
      if (!process) {
        failed.error = error;
        return failed;
      }
    }
    std::optional<std::string> answer;
    if (write_frame(process->channel, encode_request(request))) {
      answer = read_frame(process->channel);
    }
    std::optional<CppExtraction> extraction = answer ? decode_extraction(*answer) : std::nullopt;
    if (!extraction) {
      int status = stop(*process);
      failed.error = fmt::format("the C++ front end ({}) stopped while reading this file: {}", executable_,
                                 answer ? "it sent a malformed answer" : describe_exit(status));
      return failed;
    }
    give_back(*process);
    return std::move(*extraction);
  }

 private:
  // Finds the first candidate that starts and greets with this protocol's version, and keeps that
  // process for the first extraction.
  void locate() {
    std::vector<std::string> tried;
    for (const std::string& path : front_end_candidates()) {
      std::error_code error;
      if (!std::filesystem::exists(path, error)) {
        tried.push_back(path);
        continue;
      }
      std::string start_error;
      std::optional<Process> process = start(path, &start_error);
      if (!process) {
        failure_ = start_error;
        return;
      }
      executable_ = path;
      give_back(*process);
      return;
    }
    failure_ = fmt::format(
        "C++ sources need miglint's C++ front end ({}, built when Clang 16 is found; the miglint-cpp "
        "package), which is not installed (looked at {})",
        kExecutableName, fmt::join(tried, ", "));
  }

  static std::optional<Process> start(const std::string& path, std::string* error) {
    int ends[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, ends) != 0) {
      *error = fmt::format("cannot start the C++ front end {}: {}", path, std::strerror(errno));
      return std::nullopt;
    }
    // The front end's end becomes its standard input (dup2 clears close-on-exec there); miglint's
    // end stays close-on-exec, so that no other front end process holds it open.
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, ends[1], STDIN_FILENO);
    char* argv[] = {const_cast<char*>(path.c_str()), nullptr};
    Process process;
    int spawned = posix_spawn(&process.pid, path.c_str(), &actions, nullptr, argv, environ);
    posix_spawn_file_actions_destroy(&actions);
    close(ends[1]);
    process.channel = ends[0];
    if (spawned != 0) {
      close(process.channel);
      *error = fmt::format("cannot start the C++ front end {}: {}", path, std::strerror(spawned));
      return std::nullopt;
    }
    std::optional<std::string> frame = read_frame(process.channel);
    std::optional<Hello> hello = frame ? decode_hello(*frame) : std::nullopt;
    if (!hello || hello->version != kProtocolVersion) {
      int status = stop(process);
      *error = frame ? fmt::format("{} is not a C++ front end of this miglint version", path)
                     : fmt::format("the C++ front end {} did not start: {}", path, describe_exit(status));
      return std::nullopt;
    }
    return process;
  }

  std::optional<Process> take_idle() {
    std::lock_guard<std::mutex> lock(mutex_);
    if (idle_.empty()) {
      return std::nullopt;
    }
    Process process = idle_.back();
    idle_.pop_back();
    return process;
  }

  void give_back(const Process& process) {
    std::lock_guard<std::mutex> lock(mutex_);
    idle_.push_back(process);
  }

  std::once_flag located_;
  std::string executable_;  // empty: cannot be started (failure_ says why)
  std::string failure_;
  std::mutex mutex_;
  std::vector<Process> idle_;
};

FrontEndProcesses& processes() {
  static FrontEndProcesses instance;
  return instance;
}

}  // namespace

bool clang_front_end_available(std::string* why_not) {
  return processes().available(why_not);
}

CppExtraction extract_in_front_end(const CppExtractRequest& request) {
  return processes().extract(request);
}

}  // namespace miglint::cpp
