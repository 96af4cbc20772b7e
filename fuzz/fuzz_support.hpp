#pragma once

// What the harnesses share: failing loudly on a broken invariant (libFuzzer keeps the input of an
// abort like that of a crash) and a scratch file for the loaders that read a path.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

namespace miglint::fuzz {

// An invariant that must hold for every input; a violation aborts with the reason.
inline void require(bool holds, std::string_view what) {
  if (!holds) {
    std::fprintf(stderr, "fuzz invariant violated: %.*s\n", static_cast<int>(what.size()), what.data());
    std::abort();
  }
}

inline std::string_view as_text(const uint8_t* data, size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// One file in a directory of its own under the temporary directory, rewritten for every input and
// removed with its directory at exit. The loaders under test read files by path.
class ScratchFile {
 public:
  explicit ScratchFile(const std::string& name) {
    std::string pattern = (std::filesystem::temp_directory_path() / "miglint-fuzz-XXXXXX").string();
    require(mkdtemp(pattern.data()) != nullptr, "cannot create a scratch directory");
    directory_ = pattern;
    path_ = directory_ + "/" + name;
  }
  ~ScratchFile() {
    std::error_code ignored;
    std::filesystem::remove_all(directory_, ignored);
  }
  ScratchFile(const ScratchFile&) = delete;
  ScratchFile& operator=(const ScratchFile&) = delete;

  const std::string& path() const { return path_; }
  const std::string& directory() const { return directory_; }
  void write(std::string_view bytes) const {
    std::ofstream out(path_, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    require(out.good(), "cannot write the scratch file");
  }

 private:
  std::string directory_;
  std::string path_;
};

}  // namespace miglint::fuzz
