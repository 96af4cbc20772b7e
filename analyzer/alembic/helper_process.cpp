#include "analyzer/alembic/helper_process.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <filesystem>

extern char** environ;

namespace miglint::alembic {

namespace fs = std::filesystem;

namespace {

bool is_file(const fs::path& path) {
  std::error_code error;
  return fs::is_regular_file(path, error);
}

std::string getenv_or_empty(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr ? std::string(value) : std::string();
}

}  // namespace

InterpreterChoice interpreter_candidates(const std::string& configured, const std::string& project_root) {
  InterpreterChoice choice;
  if (!configured.empty()) {
    choice.candidates.push_back(configured);
    choice.explicit_choice = true;
    return choice;
  }
  if (std::string from_env = getenv_or_empty("MIGLINT_PYTHON"); !from_env.empty()) {
    choice.candidates.push_back(from_env);
    choice.explicit_choice = true;
    return choice;
  }
  if (std::string venv = getenv_or_empty("VIRTUAL_ENV");
      !venv.empty() && is_file(fs::path(venv) / "bin/python")) {
    choice.candidates.push_back((fs::path(venv) / "bin/python").string());
    choice.explicit_choice = true;
    return choice;
  }
  for (const char* local : {".venv", "venv"}) {
    fs::path python = fs::path(project_root) / local / "bin/python";
    if (is_file(python)) {
      choice.candidates.push_back(python.string());
      choice.explicit_choice = true;
      return choice;
    }
  }
  choice.candidates.push_back("python3");
  // A python3 first on PATH may be a private interpreter (pyenv) without the system's packages:
  // the system's python3 is tried next when the first lacks Alembic.
  if (is_file("/usr/bin/python3")) {
    choice.candidates.push_back("/usr/bin/python3");
  }
  return choice;
}

Expected<std::string> helper_script() {
  std::vector<std::string> tried;
  if (std::string explicit_path = getenv_or_empty("MIGLINT_ALEMBIC_HELPER"); !explicit_path.empty()) {
    if (is_file(explicit_path)) {
      return explicit_path;
    }
    return Error{fmt::format("MIGLINT_ALEMBIC_HELPER names {}, which does not exist", explicit_path)};
  }
  std::error_code error;
  fs::path exe = fs::read_symlink("/proc/self/exe", error);
  if (!error) {
    for (fs::path candidate : {exe.parent_path() / "miglint_alembic.py",
                               exe.parent_path() / MIGLINT_ALEMBIC_HELPER_FROM_BIN / "miglint_alembic.py"}) {
      candidate = candidate.lexically_normal();
      if (is_file(candidate)) {
        return candidate.string();
      }
      tried.push_back(candidate.string());
    }
  }
#ifdef MIGLINT_ALEMBIC_HELPER_BUILD_PATH
  if (is_file(MIGLINT_ALEMBIC_HELPER_BUILD_PATH)) {
    return std::string(MIGLINT_ALEMBIC_HELPER_BUILD_PATH);
  }
  tried.emplace_back(MIGLINT_ALEMBIC_HELPER_BUILD_PATH);
#endif
  return Error{fmt::format("miglint's Alembic helper (miglint_alembic.py) is not installed (looked at {})",
                           fmt::join(tried, ", "))};
}

Expected<HelperOutput> run_helper(const std::string& interpreter, const std::string& helper,
                                  const std::string& request) {
  int in_pipe[2];
  int out_pipe[2];
  int err_pipe[2];
  if (pipe2(in_pipe, O_CLOEXEC) != 0 || pipe2(out_pipe, O_CLOEXEC) != 0 || pipe2(err_pipe, O_CLOEXEC) != 0) {
    return Error{fmt::format("cannot start {}: {}", interpreter, std::strerror(errno))};
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in_pipe[0], 0);
  posix_spawn_file_actions_adddup2(&actions, out_pipe[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err_pipe[1], 2);
  // -B: no __pycache__ written into the project's versions folder.
  std::vector<std::string> args{interpreter, "-B", helper};
  std::vector<char*> argv;
  for (std::string& arg : args) {
    argv.push_back(arg.data());
  }
  argv.push_back(nullptr);
  pid_t pid = 0;
  int spawned = posix_spawnp(&pid, interpreter.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(in_pipe[0]);
  close(out_pipe[1]);
  close(err_pipe[1]);
  if (spawned != 0) {
    close(in_pipe[1]);
    close(out_pipe[0]);
    close(err_pipe[0]);
    return Error{
        fmt::format("cannot run the Python interpreter {}: {}", interpreter, std::strerror(spawned))};
  }
  // The request is small, the answers large: write, then read both outputs until they close.
  std::size_t written = 0;
  auto* previous = std::signal(SIGPIPE, SIG_IGN);
  while (written < request.size()) {
    ssize_t n = write(in_pipe[1], request.data() + written, request.size() - written);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      break;
    }
    written += static_cast<std::size_t>(n);
  }
  close(in_pipe[1]);
  std::signal(SIGPIPE, previous);
  HelperOutput output;
  pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
  int open_count = 2;
  char buffer[65536];
  while (open_count > 0) {
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) {
        continue;
      }
      break;
    }
    for (int k = 0; k < 2; ++k) {
      if (fds[k].fd < 0 || fds[k].revents == 0) {
        continue;
      }
      ssize_t n = read(fds[k].fd, buffer, sizeof buffer);
      if (n > 0) {
        (k == 0 ? output.out : output.err).append(buffer, static_cast<std::size_t>(n));
      } else if (n == 0 || errno != EINTR) {
        close(fds[k].fd);
        fds[k].fd = -1;
        --open_count;
      }
    }
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  output.exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return output;
}

}  // namespace miglint::alembic
