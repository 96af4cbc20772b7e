#include "analyzer/text/atomic_write.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <vector>

namespace miglint {

namespace {

Error system_error(const char* what) {
  return Error{std::string(what) + ": " + std::strerror(errno)};
}

}  // namespace

std::optional<Error> write_file_atomically(const std::string& path, std::string_view bytes) {
  std::error_code error;
  std::filesystem::path target = std::filesystem::path(path);
  if (std::filesystem::is_symlink(target, error)) {
    target = std::filesystem::canonical(target, error);
    if (error) {
      return Error{"cannot follow the symbolic link: " + error.message()};
    }
  }
  struct stat old_status {};
  bool existed = ::stat(target.c_str(), &old_status) == 0;
  std::filesystem::path directory = target.parent_path();
  std::string pattern = (directory.empty() ? std::filesystem::path(".") : directory) /
                        ("." + target.filename().string() + ".miglint-XXXXXX");
  std::vector<char> name(pattern.begin(), pattern.end());
  name.push_back('\0');
  int fd = ::mkstemp(name.data());
  if (fd < 0) {
    return system_error("cannot create a temporary file beside it");
  }
  auto fail = [&](const char* what) {
    Error failure = system_error(what);
    ::close(fd);
    ::unlink(name.data());
    return failure;
  };
  std::size_t written = 0;
  while (written < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + written, bytes.size() - written);
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      return fail("cannot write the temporary file");
    }
    written += static_cast<std::size_t>(n);
  }
  if (existed && ::fchmod(fd, old_status.st_mode & 07777) != 0) {
    return fail("cannot copy the file's permissions");
  }
  if (::fsync(fd) != 0) {
    return fail("cannot flush the temporary file");
  }
  if (::close(fd) != 0) {
    Error failure = system_error("cannot close the temporary file");
    ::unlink(name.data());
    return failure;
  }
  if (::rename(name.data(), target.c_str()) != 0) {
    Error failure = system_error("cannot rename the temporary file over it");
    ::unlink(name.data());
    return failure;
  }
  return std::nullopt;
}

}  // namespace miglint
