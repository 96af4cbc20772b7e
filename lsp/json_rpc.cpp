#include "lsp/json_rpc.hpp"

#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>

namespace miglint::lsp {

namespace {

constexpr std::string_view kHeaderEnd = "\r\n\r\n";

bool starts_with_ignoring_case(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) {
    return false;
  }
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    char a = text[i];
    char b = prefix[i];
    if ((a >= 'A' && a <= 'Z' ? a - 'A' + 'a' : a) != (b >= 'A' && b <= 'Z' ? b - 'A' + 'a' : b)) {
      return false;
    }
  }
  return true;
}

}  // namespace

bool MessageReader::fill(bool block) {
  if (ended_) {
    return false;
  }
  if (!block) {
    pollfd descriptor{fd_, POLLIN, 0};
    if (poll(&descriptor, 1, 0) <= 0) {
      return true;
    }
  }
  char chunk[1 << 16];
  for (;;) {
    ssize_t got = read(fd_, chunk, sizeof chunk);
    if (got < 0 && errno == EINTR) {
      continue;
    }
    if (got <= 0) {
      ended_ = true;
      return false;
    }
    std::string_view received(chunk, static_cast<std::size_t>(got));
    if (skip_ > 0) {
      std::size_t dropped = std::min(skip_, received.size());
      skip_ -= dropped;
      received.remove_prefix(dropped);
    }
    buffer_.append(received);
    return true;
  }
}

std::optional<MessageReader::Read> MessageReader::take_buffered() {
  std::size_t header_end = buffer_.find(kHeaderEnd);
  if (header_end == std::string::npos) {
    if (buffer_.size() > 64 * 1024) {
      buffer_.clear();
      return Read{Read::Kind::BadFrame, "", "a message header longer than 64 KiB"};
    }
    return std::nullopt;
  }
  std::string_view header(buffer_.data(), header_end);
  std::optional<std::size_t> length;
  std::size_t line_start = 0;
  while (line_start <= header.size()) {
    std::size_t line_end = header.find("\r\n", line_start);
    if (line_end == std::string_view::npos) {
      line_end = header.size();
    }
    std::string_view line = header.substr(line_start, line_end - line_start);
    if (starts_with_ignoring_case(line, "content-length:")) {
      std::string_view value = line.substr(15);
      while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) {
        value.remove_prefix(1);
      }
      while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) {
        value.remove_suffix(1);
      }
      std::size_t parsed = 0;
      auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), parsed);
      if (error == std::errc() && end == value.data() + value.size() && !value.empty()) {
        length = parsed;
      }
    }
    line_start = line_end + 2;
  }
  std::size_t body_start = header_end + kHeaderEnd.size();
  if (!length) {
    buffer_.erase(0, body_start);
    return Read{Read::Kind::BadFrame, "", "a message header without a valid Content-Length"};
  }
  if (*length > kMaxMessageBytes) {
    std::size_t buffered = buffer_.size() - body_start;
    skip_ = *length > buffered ? *length - buffered : 0;
    buffer_.erase(0, std::min(buffer_.size(), body_start + *length));
    return Read{Read::Kind::BadFrame, "", "a message larger than 256 MiB"};
  }
  if (buffer_.size() - body_start < *length) {
    return std::nullopt;
  }
  Read read{Read::Kind::Message, buffer_.substr(body_start, *length), ""};
  buffer_.erase(0, body_start + *length);
  return read;
}

MessageReader::Read MessageReader::next() {
  for (;;) {
    if (std::optional<Read> read = take_buffered()) {
      return *read;
    }
    if (!fill(true)) {
      return Read{Read::Kind::End, "", ""};
    }
  }
}

bool MessageReader::input_pending() {
  if (buffer_.find(kHeaderEnd) != std::string::npos) {
    return true;  // a header at least: next() has something to do
  }
  fill(false);
  return !buffer_.empty() || ended_;
}

bool MessageReader::wait_for_input(int milliseconds) {
  if (!buffer_.empty() || ended_) {
    return true;
  }
  pollfd descriptor{fd_, POLLIN, 0};
  return poll(&descriptor, 1, milliseconds) > 0;
}

bool write_message(int fd, std::string_view body) {
  std::string frame = "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n";
  frame.append(body);
  std::string_view rest = frame;
  while (!rest.empty()) {
    ssize_t written = write(fd, rest.data(), rest.size());
    if (written < 0 && errno == EINTR) {
      continue;
    }
    if (written <= 0) {
      return false;
    }
    rest.remove_prefix(static_cast<std::size_t>(written));
  }
  return true;
}

}  // namespace miglint::lsp
