// Where results are: the repository root (%SRCROOT%) and file URIs relative to it.
#include <string_view>

#include "analyzer/project/git.hpp"
#include "sarif/sarif_report.hpp"

namespace miglint {

namespace fs = std::filesystem;

namespace {

// Percent-encodes everything but RFC 3986 unreserved characters, sub-delimiters, '@' and '/'.
// ':' is encoded too, so that a first segment like "a:b.sql" cannot read as a URI scheme.
std::string percent_encode_path(std::string_view path) {
  static constexpr std::string_view kKept = "-._~!$&'()*+,;=@/";
  static constexpr std::string_view kHex = "0123456789ABCDEF";
  std::string out;
  for (char c : path) {
    auto byte = static_cast<unsigned char>(c);
    bool alnum = (byte >= 'a' && byte <= 'z') || (byte >= 'A' && byte <= 'Z') || (byte >= '0' && byte <= '9');
    if (alnum || kKept.find(c) != std::string_view::npos) {
      out += c;
    } else {
      out += '%';
      out += kHex[byte >> 4U];
      out += kHex[byte & 0x0FU];
    }
  }
  return out;
}

// The absolute form of `path` with symlinks in its existing part resolved, so that a path given
// through a symlinked directory still lies under the root git reports.
fs::path resolved(const fs::path& path) {
  std::error_code error;
  fs::path absolute = fs::absolute(path, error);
  if (error) {
    return path.lexically_normal();
  }
  fs::path canonical = fs::weakly_canonical(absolute, error);
  return error ? absolute.lexically_normal() : canonical;
}

}  // namespace

fs::path find_repository_root() {
  Expected<std::string> toplevel = run_git({"rev-parse", "--show-toplevel"});
  std::string top = toplevel ? *toplevel : std::string();
  while (!top.empty() && (top.back() == '\n' || top.back() == '\r')) {
    top.pop_back();
  }
  std::error_code error;
  return resolved(top.empty() ? fs::current_path(error) : fs::path(top));
}

std::string relative_uri(const std::string& path, const fs::path& root) {
  fs::path relative = resolved(path).lexically_relative(resolved(root));
  if (relative.empty()) {
    relative = fs::path(path).lexically_normal();  // no relative form exists (never on POSIX)
  }
  return percent_encode_path(relative.generic_string());
}

std::string directory_file_uri(const fs::path& directory) {
  std::string path = resolved(directory).generic_string();
  if (path.empty() || path.back() != '/') {
    path += '/';
  }
  return "file://" + percent_encode_path(path);
}

}  // namespace miglint
