#include "runner/alembic_upgrade.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <vector>

#include "analyzer/alembic/helper_process.hpp"
#include "runner/database.hpp"

namespace miglint::runner {

namespace fs = std::filesystem;

namespace {

constexpr const char* kDriverName = "miglint_alembic_upgrade.py";

std::string milliseconds_text(std::chrono::milliseconds duration) {
  return fmt::format("{}ms", duration.count());
}

// PGOPTIONS for Alembic's sessions: the runner's timeouts after whatever the environment already
// sets (later settings win).
std::string pg_options(const AlembicUpgradeRequest& request) {
  const char* existing = std::getenv("PGOPTIONS");
  std::string options = existing != nullptr ? existing : "";
  auto add = [&](const char* name, std::chrono::milliseconds value) {
    if (!options.empty()) {
      options += ' ';
    }
    options += fmt::format("-c {}={}", name, milliseconds_text(value));
  };
  add("lock_timeout", request.lock_timeout);
  add("statement_timeout", request.statement_timeout);
  return options;
}

struct ChildOutput {
  std::string out;
  std::string err;
  int status = 0;
  bool started = true;
};

// Runs `interpreter driver` in the project's root with `input` on stdin; reads stdout and stderr
// until both close. SIGINT reaches the child once the runner is interrupted.
ChildOutput run_child(const std::string& interpreter, const std::string& driver, const std::string& directory,
                      const std::string& input, const std::string& options,
                      const std::string& application_name) {
  ChildOutput output;
  int in_pipe[2];
  int out_pipe[2];
  int err_pipe[2];
  if (pipe2(in_pipe, O_CLOEXEC) != 0 || pipe2(out_pipe, O_CLOEXEC) != 0 || pipe2(err_pipe, O_CLOEXEC) != 0) {
    output.started = false;
    output.err = std::strerror(errno);
    return output;
  }
  pid_t pid = fork();
  if (pid == 0) {
    dup2(in_pipe[0], 0);
    dup2(out_pipe[1], 1);
    dup2(err_pipe[1], 2);
    if (chdir(directory.c_str()) != 0) {
      _exit(126);
    }
    setenv("PGOPTIONS", options.c_str(), 1);
    setenv("PGAPPNAME", application_name.c_str(), 1);
    setenv("PYTHONDONTWRITEBYTECODE", "1", 1);
    // The runner ignores nothing the child should not: default dispositions for the signals.
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    signal(SIGPIPE, SIG_DFL);
    execlp(interpreter.c_str(), interpreter.c_str(), driver.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  close(in_pipe[0]);
  close(out_pipe[1]);
  close(err_pipe[1]);
  if (pid < 0) {
    close(in_pipe[1]);
    close(out_pipe[0]);
    close(err_pipe[0]);
    output.started = false;
    output.err = std::strerror(errno);
    return output;
  }
  // The request is small (well under a pipe's buffer): written at once, then closed.
  signal(SIGPIPE, SIG_IGN);
  std::size_t written = 0;
  while (written < input.size()) {
    ssize_t n = write(in_pipe[1], input.data() + written, input.size() - written);
    if (n <= 0) {
      break;
    }
    written += static_cast<std::size_t>(n);
  }
  close(in_pipe[1]);
  std::vector<pollfd> fds{{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
  bool forwarded = false;
  char buffer[8192];
  while (fds[0].fd >= 0 || fds[1].fd >= 0) {
    if (g_interrupted && !forwarded) {
      forwarded = true;
      kill(pid, SIGINT);  // the driver reports where the revision was interrupted
    }
    int ready = poll(fds.data(), fds.size(), 100);
    if (ready < 0 && errno != EINTR) {
      break;
    }
    for (std::size_t k = 0; k < fds.size(); ++k) {
      if (fds[k].fd < 0 || (fds[k].revents & (POLLIN | POLLHUP | POLLERR)) == 0) {
        continue;
      }
      ssize_t n = read(fds[k].fd, buffer, sizeof buffer);
      if (n > 0) {
        (k == 0 ? output.out : output.err).append(buffer, static_cast<std::size_t>(n));
      } else if (n == 0 || errno != EINTR) {
        close(fds[k].fd);
        fds[k].fd = -1;
      }
    }
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  output.status = status;
  if (WIFEXITED(status) && WEXITSTATUS(status) == 127 && output.out.empty()) {
    output.started = false;
  }
  return output;
}

std::string last_lines(const std::string& text, std::size_t count) {
  std::size_t end = text.size();
  while (end > 0 && text[end - 1] == '\n') {
    --end;
  }
  std::size_t begin = end;
  for (std::size_t seen = 0; begin > 0 && seen < count; --begin) {
    if (text[begin - 1] == '\n' && ++seen == count) {
      break;
    }
  }
  return text.substr(begin, end - begin);
}

}  // namespace

Expected<std::string> alembic_upgrade_driver() {
  std::error_code error;
  fs::path exe = fs::read_symlink("/proc/self/exe", error);
  if (!error && fs::is_regular_file(exe.parent_path() / kDriverName, error)) {
    return (exe.parent_path() / kDriverName).string();
  }
  Expected<std::string> helper = alembic::helper_script();
  if (helper) {
    fs::path beside = fs::path(*helper).parent_path() / kDriverName;
    if (fs::is_regular_file(beside, error)) {
      return beside.string();
    }
    return Error{
        fmt::format("miglint's Alembic driver ({}) is not installed beside {}", kDriverName, *helper)};
  }
  return helper.error();
}

Expected<AlembicUpgradeResult> alembic_upgrade(const AlembicUpgradeRequest& request) {
  Expected<std::string> driver = alembic_upgrade_driver();
  if (!driver) {
    return driver.error();
  }
  std::error_code error;
  fs::path root = fs::absolute(request.project.root, error).lexically_normal();
  fs::path ini = root / "alembic.ini";
  nlohmann::json input{
      {"url", request.database_url},
      {"revision", request.revision},
      {"direction", request.direction == AlembicUpgradeRequest::Direction::Downgrade ? "downgrade"
                    : request.direction == AlembicUpgradeRequest::Direction::Stamp   ? "stamp"
                                                                                     : "upgrade"},
      {"script_location", fs::absolute(request.project.script_directory, error).lexically_normal().string()},
      {"versions_directory",
       fs::absolute(request.project.versions_directory, error).lexically_normal().string()},
      {"lock_timeout_ms", request.lock_timeout.count()},
      {"statement_timeout_ms", request.statement_timeout.count()},
      {"concurrent_lock_timeout_ms", request.concurrent_lock_timeout.count()},
      {"concurrent_statement_timeout_ms", request.concurrent_statement_timeout.count()},
  };
  input["config"] = fs::is_regular_file(ini, error) ? nlohmann::json(ini.string()) : nlohmann::json(nullptr);
  alembic::InterpreterChoice choice = alembic::interpreter_candidates(request.python, root.string());
  std::vector<std::string> failures;
  for (std::size_t k = 0; k < choice.candidates.size(); ++k) {
    const std::string& interpreter = choice.candidates[k];
    ChildOutput child = run_child(interpreter, *driver, root.string(), input.dump(), pg_options(request),
                                  request.application_name);
    if (!child.started) {
      failures.push_back(fmt::format("{}: cannot run it", interpreter));
      continue;
    }
    std::string line = last_lines(child.out, 1);
    nlohmann::json answer = nlohmann::json::parse(line, nullptr, false);
    if (answer.is_discarded() || !answer.is_object()) {
      // The driver died before answering (killed, a crash in the interpreter).
      std::string why = last_lines(child.err, 1);
      return Error{fmt::format("{} ended without an answer ({}){}", interpreter,
                               WIFSIGNALED(child.status)
                                   ? fmt::format("killed by signal {}", WTERMSIG(child.status))
                                   : fmt::format("exit status {}", WEXITSTATUS(child.status)),
                               why.empty() ? "" : ": " + why)};
    }
    AlembicUpgradeResult result;
    result.ok = answer.value("ok", false);
    result.kind = answer.value("kind", "");
    result.error = answer.value("error", "");
    result.sqlstate = answer.value("sqlstate", "");
    result.where = answer.value("where", "");
    result.statement = answer.value("statement", "");
    result.statements = answer.value("statements", 0);
    result.autocommit_entered = answer.value("autocommit_entered", false);
    result.in_autocommit = answer.value("in_autocommit", false);
    if (!result.ok) {
      result.log = last_lines(child.err, 12);
    }
    if (!result.ok && result.kind == "setup" && k + 1 < choice.candidates.size() && !choice.explicit_choice) {
      failures.push_back(fmt::format("{}: {}", interpreter, result.error));
      continue;  // a python3 without Alembic first on PATH: the system's is tried next
    }
    return result;
  }
  return Error{
      fmt::format("no Python interpreter could run Alembic ({}); give one with [alembic] python or "
                  "MIGLINT_PYTHON",
                  fmt::join(failures, "; "))};
}

}  // namespace miglint::runner
