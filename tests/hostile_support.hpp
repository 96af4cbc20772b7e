#pragma once

// Running miglint on hostile inputs: arguments passed as they are (no shell: names may hold quotes,
// newlines, escape sequences), standard output and error kept apart, and a deadline after which
// the child is killed, so that a run that blocks fails the test instead of hanging it.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <string>
#include <vector>

extern char** environ;

namespace miglint::hostile {

struct ProcessRun {
  int status = -1;         // exit status, or -1 when killed or not started
  bool timed_out = false;  // killed at the deadline
  std::string out;         // standard output
  std::string err;         // standard error
  long peak_rss_kib = 0;   // the child's peak resident set size (getrusage of the child)
};

// Runs `program` with `args` in `directory` (empty: the current one), stdin from /dev/null.
inline ProcessRun run_process(const std::string& program, const std::vector<std::string>& args,
                              const std::string& directory = {},
                              std::chrono::seconds deadline = std::chrono::seconds(120)) {
  ProcessRun run;
  int out_pipe[2];
  int err_pipe[2];
  if (pipe2(out_pipe, O_CLOEXEC) != 0 || pipe2(err_pipe, O_CLOEXEC) != 0) {
    return run;
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out_pipe[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err_pipe[1], 2);
  if (!directory.empty()) {
    posix_spawn_file_actions_addchdir_np(&actions, directory.c_str());
  }
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(program.c_str()));
  for (const std::string& arg : args) {
    argv.push_back(const_cast<char*>(arg.c_str()));
  }
  argv.push_back(nullptr);
  pid_t pid = 0;
  int spawned = posix_spawn(&pid, program.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(out_pipe[1]);
  close(err_pipe[1]);
  if (spawned != 0) {
    close(out_pipe[0]);
    close(err_pipe[0]);
    return run;
  }
  auto until = std::chrono::steady_clock::now() + deadline;
  std::array<pollfd, 2> fds{{{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}}};
  int open_fds = 2;
  std::array<char, 65536> buffer{};
  while (open_fds > 0) {
    auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      run.timed_out = true;
      kill(pid, SIGKILL);
      break;
    }
    if (poll(fds.data(), fds.size(), static_cast<int>(left.count())) <= 0) {
      continue;
    }
    for (std::size_t k = 0; k < fds.size(); ++k) {
      if (fds[k].fd < 0 || fds[k].revents == 0) {
        continue;
      }
      ssize_t got = read(fds[k].fd, buffer.data(), buffer.size());
      if (got > 0) {
        (k == 0 ? run.out : run.err).append(buffer.data(), static_cast<std::size_t>(got));
      } else {
        close(fds[k].fd);
        fds[k].fd = -1;
        --open_fds;
      }
    }
  }
  for (pollfd& fd : fds) {
    if (fd.fd >= 0) {
      close(fd.fd);
    }
  }
  int status = 0;
  rusage usage{};
  if (wait4(pid, &status, 0, &usage) == pid) {
    run.peak_rss_kib = usage.ru_maxrss;
    run.status = WIFEXITED(status) && !run.timed_out ? WEXITSTATUS(status) : -1;
  }
  return run;
}

inline ProcessRun run_miglint(const std::vector<std::string>& args, const std::string& directory = {},
                              std::chrono::seconds deadline = std::chrono::seconds(120)) {
  return run_process(MIGLINT_BINARY, args, directory, deadline);
}

// The bytes a terminal would act on: C0 controls but newline, DEL, and UTF-8 C1 controls.
inline std::string raw_controls_in(const std::string& text) {
  std::string found;
  for (std::size_t i = 0; i < text.size(); ++i) {
    auto byte = static_cast<unsigned char>(text[i]);
    bool c1 = byte == 0xC2 && i + 1 < text.size() && static_cast<unsigned char>(text[i + 1]) >= 0x80 &&
              static_cast<unsigned char>(text[i + 1]) <= 0x9F;
    if ((byte < 0x20 && byte != '\n') || byte == 0x7F || c1) {
      found += "byte " + std::to_string(byte) + " at " + std::to_string(i) + "; ";
    }
  }
  return found;
}

}  // namespace miglint::hostile
