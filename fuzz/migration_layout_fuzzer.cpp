// Migration layout detection (analyzer/project/migration_layout.cpp): what a path says about a migration
// (Flyway, golang-migrate, diesel, dbmate, plain), its migration set, diesel steps and down
// migrations, and a directory of those files as the runner discovers it. Paths are the input's
// NUL-separated parts.
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "analyzer/project/migration_layout.hpp"
#include "fuzz/fuzz_support.hpp"

using namespace miglint;
using miglint::fuzz::require;

namespace {

namespace fs = std::filesystem;

// `path` made a relative path that stays in the directory (no empty, `.` or `..` components, none
// longer than a file name may be), or empty.
fs::path contained(std::string_view path) {
  fs::path out;
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t end = std::min(path.find('/', start), path.size());
    std::string_view component = path.substr(start, std::min<std::size_t>(end - start, 200));
    if (!component.empty() && component != "." && component != "..") {
      out /= std::string(component);
    }
    start = end + 1;
  }
  return out;
}

// The files named by the paths in a fresh directory, listed as `miglint run` lists its migrations.
void discover(const std::vector<std::string_view>& paths) {
  static const fuzz::ScratchFile directory("migrations");
  std::error_code error;
  fs::remove_all(directory.path(), error);
  fs::create_directories(directory.path(), error);
  for (std::string_view path : paths) {
    fs::path relative = contained(path);
    if (relative.empty()) {
      continue;
    }
    fs::path file = fs::path(directory.path()) / relative;
    fs::create_directories(file.parent_path(), error);
    std::ofstream(file).put('\n');
  }
  Expected<MigrationDirectory> found = discover_migrations(directory.path());
  if (!found) {
    require(!found.error().message.empty(), "a discovery error without a message");
    return;
  }
  for (std::size_t i = 0; i < found->migrations.size(); ++i) {
    require(fs::exists(found->migrations[i].path, error), "a discovered migration that does not exist");
    require(read_migration_name(found->migrations[i].relative_path).kind == NameReading::Kind::Migration,
            "a discovered migration whose name is not one");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input = fuzz::as_text(data, size);
  std::vector<std::string_view> paths;
  std::size_t start = 0;
  for (int parts = 0; parts < 16 && start <= input.size(); ++parts) {
    std::size_t end = std::min(input.find('\0', start), input.size());
    std::string_view path = input.substr(start, end - start);
    start = end + 1;
    paths.push_back(path);

    NameReading reading = read_migration_name(path);
    switch (reading.kind) {
      case NameReading::Kind::Migration:
        require(!reading.version.empty(), "a migration without a version");
        require(path.find(reading.version) != std::string_view::npos, "a version that is not in the path");
        require(!is_down_migration_path(path), "a down migration read as one to apply");
        break;
      case NameReading::Kind::Skip:
      case NameReading::Kind::Invalid:
        require(!reading.why.empty(), "a file skipped or refused without a reason");
        break;
    }
    std::string_view set = migration_set_of(path);
    require(path.starts_with(set), "a migration set that is not a prefix of the path");
    is_diesel_step(path);
    if (path.find('\0') == std::string_view::npos && !path.empty()) {
      migrations_directory_of(std::string(path));
    }
  }
  discover(paths);
  return 0;
}
