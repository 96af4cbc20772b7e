#include "cli/stats_from.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>

extern char** environ;

namespace miglint {

namespace {

using Json = nlohmann::json;

struct HelperRun {
  std::string out;
  std::string err;
  int exit_status = 0;
};

// Runs `program table-sizes` with `request` on its stdin; both outputs, read until they close. The
// helper reads all its input before it writes, so writing first cannot deadlock.
Expected<HelperRun> run_table_sizes_helper(const std::string& program, const std::string& request) {
  int in_pipe[2];
  int out_pipe[2];
  int err_pipe[2];
  if (pipe2(in_pipe, O_CLOEXEC) != 0 || pipe2(out_pipe, O_CLOEXEC) != 0 || pipe2(err_pipe, O_CLOEXEC) != 0) {
    return Error{fmt::format("cannot start {}: {}", program, std::strerror(errno))};
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in_pipe[0], 0);
  posix_spawn_file_actions_adddup2(&actions, out_pipe[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err_pipe[1], 2);
  std::string argv0 = program;
  std::string command = "table-sizes";
  char* argv[] = {argv0.data(), command.data(), nullptr};
  pid_t pid = 0;
  int spawned = posix_spawn(&pid, program.c_str(), &actions, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  close(in_pipe[0]);
  close(out_pipe[1]);
  close(err_pipe[1]);
  if (spawned != 0) {
    close(in_pipe[1]);
    close(out_pipe[0]);
    close(err_pipe[0]);
    return Error{
        fmt::format("cannot start {}: {} (it is installed beside miglint)", program, std::strerror(spawned))};
  }
  auto* previous = std::signal(SIGPIPE, SIG_IGN);
  std::size_t written = 0;
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
  HelperRun run;
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
        (k == 0 ? run.out : run.err).append(buffer, static_cast<std::size_t>(n));
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
  run.exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return run;
}

std::string runner_program() {
  std::error_code error;
  std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", error);
  return (error ? std::filesystem::path("miglint") : self).parent_path().append("miglint-runner").string();
}

// The helper's error line without its "miglint: error: " (the caller adds its own).
std::string first_line_of(std::string text) {
  text = text.substr(0, text.find('\n'));
  constexpr std::string_view kPrefix = "miglint: error: ";
  return text.starts_with(kPrefix) ? text.substr(kPrefix.size()) : text;
}

}  // namespace

Expected<TableSizes> fetch_table_sizes(const std::string& database_url, const std::vector<TableRef>& tables) {
  Json request = Json{{"database_url", database_url}, {"tables", Json::array()}};
  for (const TableRef& table : tables) {
    request["tables"].push_back(Json{{"schema", table.schema}, {"name", table.name}});
  }
  Expected<HelperRun> run = run_table_sizes_helper(runner_program(), request.dump());
  if (!run) {
    return Error{run.error().message};
  }
  if (run->exit_status != 0) {
    std::string why = first_line_of(run->err);
    return Error{why.empty() ? fmt::format("--stats-from: the table-sizes helper exited with status {}",
                                           run->exit_status)
                             : why};
  }
  Json answer = Json::parse(run->out, nullptr, false);
  if (answer.is_discarded() || !answer.is_array()) {
    return Error{"--stats-from: the table-sizes helper answered something that is not JSON"};
  }
  TableSizes sizes;
  for (const Json& entry : answer) {
    TableSize size;
    size.exists = entry.value("exists", false);
    size.relation = entry.value("relation", "");
    if (entry.contains("rows") && entry["rows"].is_number_integer()) {
      size.rows = entry["rows"].get<int64_t>();
    }
    if (entry.contains("bytes") && entry["bytes"].is_number_integer()) {
      size.bytes = entry["bytes"].get<int64_t>();
    }
    sizes[TableKey{entry.value("schema", ""), entry.value("name", "")}] = std::move(size);
  }
  return sizes;
}

}  // namespace miglint
