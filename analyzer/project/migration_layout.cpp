#include "analyzer/project/migration_layout.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <map>

#include "analyzer/project/order.hpp"
#include "analyzer/text/message_text.hpp"

namespace miglint {

namespace fs = std::filesystem;

namespace {

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// The longest prefix made of digit groups joined by `-` or `.` ("2024-01-15-100000", "3.1", "0003").
std::size_t version_length(std::string_view text) {
  std::size_t end = 0;
  while (end < text.size() && is_digit(text[end])) {
    ++end;
  }
  if (end == 0) {
    return 0;
  }
  while (end + 1 < text.size() && (text[end] == '-' || text[end] == '.') && is_digit(text[end + 1])) {
    std::size_t next = end + 1;
    while (next < text.size() && is_digit(text[next])) {
      ++next;
    }
    end = next;
  }
  return end;
}

bool ends_with_sql(std::string_view name) {
  return name.size() > 4 && name.ends_with(".sql");
}

NameReading invalid(std::string why) {
  return NameReading{NameReading::Kind::Invalid, {}, {}, std::move(why)};
}

NameReading skip(std::string why) {
  return NameReading{NameReading::Kind::Skip, {}, {}, std::move(why)};
}

// "<version><sep><name>" with sep one of `_`, `-`, `.`, or nothing at the end.
NameReading versioned(std::string_view stem, std::string_view shown) {
  std::size_t length = version_length(stem);
  if (length == 0) {
    return invalid(fmt::format(
        "{}: cannot tell the migration's version: expected a leading number (0003_add_users.sql), "
        "V3__add_users.sql (Flyway) or <version>_name/up.sql (diesel)",
        shown));
  }
  std::string_view rest = stem.substr(length);
  if (!rest.empty() && rest.front() != '_' && rest.front() != '-' && rest.front() != '.') {
    return invalid(fmt::format("{}: the version `{}` runs into the name (write {}_{})", shown,
                               stem.substr(0, length), stem.substr(0, length), rest));
  }
  while (!rest.empty() && (rest.front() == '_' || rest.front() == '-' || rest.front() == '.')) {
    rest.remove_prefix(1);
  }
  return NameReading{
      NameReading::Kind::Migration, std::string(stem.substr(0, length)), std::string(rest), {}};
}

std::string_view file_name_of(std::string_view path) {
  std::size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

}  // namespace

bool is_down_migration_path(std::string_view path) {
  std::string_view name = file_name_of(path);
  return name == "down.sql" || name.ends_with(".down.sql") || name.ends_with("_down.sql");
}

bool is_diesel_step(std::string_view path) {
  std::string_view name = file_name_of(path);
  return name == "up.sql" || name == "down.sql";
}

std::string_view migration_set_of(std::string_view path) {
  std::size_t slash = path.rfind('/');
  std::string_view dir = slash == std::string_view::npos ? std::string_view() : path.substr(0, slash);
  if (is_diesel_step(path)) {
    std::size_t up = dir.rfind('/');
    dir = up == std::string_view::npos ? std::string_view() : dir.substr(0, up);
  }
  return dir;
}

NameReading read_migration_name(std::string_view relative_path) {
  std::size_t slash = relative_path.rfind('/');
  std::string_view file = file_name_of(relative_path);
  if (!ends_with_sql(file)) {
    return skip("not a .sql file");
  }
  if (is_down_migration_path(file)) {
    return skip("a down migration");
  }
  if (file == "up.sql") {
    // diesel: the version and name are the directory's.
    if (slash == std::string_view::npos) {
      return invalid(fmt::format("{}: an up.sql outside a <version>_name directory", relative_path));
    }
    std::string_view dir = relative_path.substr(0, slash);
    std::size_t parent_slash = dir.rfind('/');
    std::string_view dir_name = parent_slash == std::string_view::npos ? dir : dir.substr(parent_slash + 1);
    return versioned(dir_name, relative_path);
  }
  std::string_view stem = file.substr(0, file.size() - 4);
  if (stem.ends_with(".up") || stem.ends_with("_up")) {
    stem.remove_suffix(3);
  }
  if (stem.size() >= 2 && (stem[0] == 'V' || stem[0] == 'v' || stem[0] == 'U' || stem[0] == 'R') &&
      stem.find("__") != std::string_view::npos) {
    std::size_t separator = stem.find("__");
    std::string_view version = stem.substr(1, separator - 1);
    std::string name(stem.substr(separator + 2));
    if (stem[0] == 'U') {
      return skip("a Flyway undo migration");
    }
    if (stem[0] == 'R') {
      return invalid(fmt::format(
          "{}: Flyway repeatable migrations (R__) are not supported by miglint run; give it a version",
          relative_path));
    }
    // Flyway also allows `_` between version parts (V1_1__x means 1.1).
    std::string dotted(version);
    std::replace(dotted.begin(), dotted.end(), '_', '.');
    // `V__x.sql` has no version at all; Flyway refuses it ("it must contain a version"), and an
    // empty version would sort before every other migration.
    if (dotted.empty()) {
      return invalid(fmt::format("{}: a Flyway migration needs a version (V3__{})", relative_path, name));
    }
    if (version_length(dotted) != dotted.size()) {
      return invalid(
          fmt::format("{}: `{}` is not a Flyway version (digits separated by dots)", relative_path, version));
    }
    return NameReading{NameReading::Kind::Migration, std::string(version), std::move(name), {}};
  }
  return versioned(stem, relative_path);
}

std::string migrations_directory_of(const std::string& file) {
  fs::path path(file);
  fs::path dir = path.parent_path();
  if (is_diesel_step(file)) {
    dir = dir.parent_path();
  }
  return dir.empty() ? std::string(".") : dir.string();
}

Expected<MigrationDirectory> discover_migrations(const std::string& directory) {
  std::error_code error;
  if (!fs::is_directory(directory, error)) {
    return Error{fmt::format("{}: no such migrations directory", directory)};
  }
  MigrationDirectory found;
  found.directory = directory;
  std::vector<std::string> problems;
  fs::recursive_directory_iterator it(directory, fs::directory_options::skip_permission_denied, error);
  for (; !error && it != fs::recursive_directory_iterator(); it.increment(error)) {
    std::error_code type_error;
    if (it->path().extension() != ".sql" || !it->is_regular_file(type_error)) {
      continue;
    }
    std::string relative = it->path().lexically_relative(directory).generic_string();
    NameReading reading = read_migration_name(relative);
    if (reading.kind == NameReading::Kind::Invalid) {
      problems.push_back(escape_for_message(reading.why));  // one line each, whatever the file name
    } else if (reading.kind == NameReading::Kind::Skip) {
      found.skipped.push_back(relative);
    } else {
      found.migrations.push_back(
          MigrationFile{std::move(reading.version), std::move(reading.name), it->path().string(), relative});
    }
  }
  if (error) {
    return Error{fmt::format("{}: cannot list the migrations directory: {}", directory, error.message())};
  }
  // Versions in migration order (the order key of `lint`, applied to the version token).
  std::vector<std::pair<MigrationOrderKey, std::size_t>> keys;
  for (std::size_t i = 0; i < found.migrations.size(); ++i) {
    keys.emplace_back(MigrationOrderKey(found.migrations[i].version), i);
  }
  std::sort(keys.begin(), keys.end(), [&](const auto& a, const auto& b) {
    if (a.first == b.first) {
      return found.migrations[a.second].relative_path < found.migrations[b.second].relative_path;
    }
    return a.first < b.first;
  });
  for (std::size_t k = 1; k < keys.size(); ++k) {
    if (keys[k - 1].first == keys[k].first) {
      const MigrationFile& a = found.migrations[keys[k - 1].second];
      const MigrationFile& b = found.migrations[keys[k].second];
      problems.push_back(
          escape_for_message(fmt::format("{}: duplicate version: {} has version {} and {} has version {}",
                                         directory, a.relative_path, a.version, b.relative_path, b.version)));
    }
  }
  // Moved only once every duplicate is named (a moved-from file has no name left to report).
  std::vector<MigrationFile> ordered;
  for (const auto& key : keys) {
    ordered.push_back(std::move(found.migrations[key.second]));
  }
  found.migrations = std::move(ordered);
  std::sort(found.skipped.begin(), found.skipped.end());
  if (!problems.empty()) {
    std::sort(problems.begin(), problems.end());
    return Error{fmt::format("{}", fmt::join(problems, "\n"))};
  }
  return found;
}

}  // namespace miglint
