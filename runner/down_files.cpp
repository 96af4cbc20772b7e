#include "runner/down_files.hpp"

#include <fmt/format.h>

#include <filesystem>

#include "analyzer/engine/down_migrations.hpp"
#include "analyzer/text/message_text.hpp"

namespace miglint::runner {

namespace fs = std::filesystem;

namespace {

std::string_view file_name_of(std::string_view path) {
  std::size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

std::string_view directory_of(std::string_view path) {
  std::size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? std::string_view() : path.substr(0, slash + 1);
}

}  // namespace

std::string dbmate_down_planned_text(std::string_view bytes, ByteSpan down) {
  std::string text(bytes);
  std::size_t marker_end = text.find('\n', down.begin);
  marker_end = marker_end == std::string::npos ? down.end : std::min<std::size_t>(marker_end, down.end);
  std::string marker = text.substr(down.begin, marker_end - down.begin);
  for (std::size_t i = 0; i < text.size(); ++i) {
    if ((i < marker_end || i >= down.end) && text[i] != '\n') {
      text[i] = ' ';
    }
  }
  if (marker.find("transaction:false") != std::string::npos) {
    constexpr std::string_view kNoTransaction = "-- miglint-no-transaction";
    text.replace(down.begin, kNoTransaction.size(), kNoTransaction);
  }
  return text;
}

DownLookup find_down_migration(const std::string& directory, const MigrationFile& up,
                               const std::string& up_bytes) {
  DownLookup lookup;
  const std::string& relative = up.relative_path;
  std::string down_relative;
  std::string_view name = file_name_of(relative);
  if (relative.ends_with(".up.sql")) {
    down_relative = relative.substr(0, relative.size() - 7) + ".down.sql";
  } else if (name == "up.sql") {
    down_relative = std::string(directory_of(relative)) + "down.sql";
  } else if (name.starts_with("V") && name.find("__") != std::string_view::npos) {
    // Flyway: U<version>__<any description>.sql in the same directory.
    const std::string prefix = "U" + up.version + "__";
    fs::path folder = fs::path(directory) / std::string(directory_of(relative));
    std::error_code error;
    for (const fs::directory_entry& entry : fs::directory_iterator(folder, error)) {
      std::string candidate = entry.path().filename().string();
      if (candidate.starts_with(prefix) && candidate.ends_with(".sql") && entry.is_regular_file()) {
        down_relative = std::string(directory_of(relative)) + candidate;
      }
    }
    if (down_relative.empty()) {
      lookup.expected =
          fmt::format("an undo migration {}{}<description>.sql", directory_of(relative), prefix);
      return lookup;
    }
  } else {
    SourceFile source(up.path, up_bytes);
    std::vector<ByteSpan> spans = down_migration_spans(source);
    if (up_bytes.find("migrate:up") == std::string::npos) {
      return lookup;  // a plain layout: no down migrations
    }
    if (spans.empty()) {
      lookup.expected = fmt::format("a `-- migrate:down` section in {}", relative);
      return lookup;
    }
    lookup.found = DownFile{up.path, relative, up_bytes, dbmate_down_planned_text(up_bytes, spans.front()),
                            spans.front()};
    return lookup;
  }
  fs::path path = fs::path(directory) / down_relative;
  lookup.expected = down_relative;
  std::error_code error;
  if (!fs::is_regular_file(path, error)) {
    return lookup;
  }
  Expected<std::string> bytes = read_file_bytes(path.string(), kDefaultMaxFileSize);
  if (!bytes) {
    lookup.error = bytes.error().message;
    return lookup;
  }
  const auto size = static_cast<uint32_t>(bytes->size());
  std::string planned = *bytes;
  lookup.found =
      DownFile{path.string(), down_relative, std::move(*bytes), std::move(planned), ByteSpan{0, size}};
  return lookup;
}

}  // namespace miglint::runner
