#pragma once

// A Language Server Protocol client for tests: starts `miglint lsp` with pipes for its standard
// input and output, sends framed JSON-RPC messages and reads the server's, with time limits so
// that a hung server fails the test instead of hanging it.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <deque>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace miglint::lsp_test {

using Json = nlohmann::json;

class LspClient {
 public:
  LspClient(const std::string& binary, const std::filesystem::path& directory) {
    int to_server[2];
    int from_server[2];
    if (pipe(to_server) != 0 || pipe(from_server) != 0) {
      throw std::runtime_error("pipe");
    }
    pid_ = fork();
    if (pid_ == 0) {
      dup2(to_server[0], 0);
      dup2(from_server[1], 1);
      close(to_server[1]);
      close(from_server[0]);
      if (chdir(directory.c_str()) != 0) {
        _exit(127);
      }
      execl(binary.c_str(), binary.c_str(), "lsp", static_cast<char*>(nullptr));
      _exit(127);
    }
    close(to_server[0]);
    close(from_server[1]);
    to_server_ = to_server[1];
    from_server_ = from_server[0];
    signal(SIGPIPE, SIG_IGN);
  }
  LspClient(const LspClient&) = delete;
  LspClient& operator=(const LspClient&) = delete;
  ~LspClient() {
    close_input();
    if (from_server_ >= 0) {
      close(from_server_);
    }
    if (pid_ > 0 && !exited_) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }

  void send_raw(const std::string& bytes) {
    std::size_t done = 0;
    while (done < bytes.size()) {
      ssize_t wrote = write(to_server_, bytes.data() + done, bytes.size() - done);
      if (wrote <= 0) {
        throw std::runtime_error("the server closed its input");
      }
      done += static_cast<std::size_t>(wrote);
    }
  }
  static std::string frame(const std::string& body) {
    return "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  }
  void send(const Json& message) { send_raw(frame(message.dump())); }
  void notify(const std::string& method, const Json& params) {
    send({{"jsonrpc", "2.0"}, {"method", method}, {"params", params}});
  }
  // Sends a request and returns its response (notifications met meanwhile are kept for later).
  Json request(const std::string& method, const Json& params, int timeout_ms = 10000) {
    int id = next_id_++;
    send({{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", params}});
    return response(id, timeout_ms);
  }
  Json response(const Json& id, int timeout_ms = 10000) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    for (;;) {
      std::optional<Json> message = receive(deadline);
      if (!message) {
        throw std::runtime_error("no response to request " + id.dump());
      }
      if (message->contains("id") && (*message)["id"] == id && !message->contains("method")) {
        return *message;
      }
      notifications_.push_back(std::move(*message));
    }
  }
  // The next notification of `method` (kept ones first); nullopt after `timeout_ms`.
  std::optional<Json> notification(const std::string& method, int timeout_ms = 10000) {
    for (auto it = notifications_.begin(); it != notifications_.end(); ++it) {
      if ((*it)["method"] == method) {
        Json found = *it;
        notifications_.erase(it);
        return found;
      }
    }
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    for (;;) {
      std::optional<Json> message = receive(deadline);
      if (!message) {
        return std::nullopt;
      }
      if (message->value("method", "") == method) {
        return message;
      }
      notifications_.push_back(std::move(*message));
    }
  }
  // Any message, within the time.
  std::optional<Json> receive(std::chrono::steady_clock::time_point deadline) {
    for (;;) {
      std::size_t header_end = buffer_.find("\r\n\r\n");
      if (header_end != std::string::npos) {
        std::size_t length = std::stoul(buffer_.substr(buffer_.find(':') + 1, header_end));
        if (buffer_.size() >= header_end + 4 + length) {
          Json message = Json::parse(buffer_.substr(header_end + 4, length));
          buffer_.erase(0, header_end + 4 + length);
          return message;
        }
      }
      auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) {
        return std::nullopt;
      }
      pollfd descriptor{from_server_, POLLIN, 0};
      if (poll(&descriptor, 1, static_cast<int>(left.count())) <= 0) {
        return std::nullopt;
      }
      char chunk[65536];
      ssize_t got = read(from_server_, chunk, sizeof chunk);
      if (got <= 0) {
        return std::nullopt;
      }
      buffer_.append(chunk, static_cast<std::size_t>(got));
    }
  }

  void close_input() {
    if (to_server_ >= 0) {
      close(to_server_);
      to_server_ = -1;
    }
  }
  // The server's exit status, or -1 when it is still running after `timeout_ms`.
  int wait_exit(int timeout_ms = 10000) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    while (std::chrono::steady_clock::now() < deadline) {
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        exited_ = true;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      }
      usleep(10000);
    }
    return -1;
  }
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
  int to_server_ = -1;
  int from_server_ = -1;
  bool exited_ = false;
  int next_id_ = 1;
  std::string buffer_;
  std::deque<Json> notifications_;
};

}  // namespace miglint::lsp_test
