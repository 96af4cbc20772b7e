#include "analyzer/project/alembic_layout.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <sstream>

#include "analyzer/text/hash.hpp"

namespace miglint {

namespace fs = std::filesystem;

namespace {

std::mutex& locations_mutex() {
  static std::mutex mutex;
  return mutex;
}
std::vector<std::string>& configured_locations() {
  static std::vector<std::string> locations;
  return locations;
}

bool path_exists(const fs::path& path) {
  std::error_code error;
  return fs::exists(path, error);
}

std::string absolute_text(const fs::path& path) {
  std::error_code error;
  fs::path absolute = fs::absolute(path, error);
  return (error ? path : absolute).lexically_normal().string();
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) {
    text.remove_prefix(1);
  }
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r')) {
    text.remove_suffix(1);
  }
  return text;
}

// The quoted strings of a Python value written on one line: "a", ('a', 'b'), None.
std::vector<std::string> quoted_strings(std::string_view value) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < value.size(); ++i) {
    char quote = value[i];
    if (quote == '#') {
      break;
    }
    if (quote != '"' && quote != '\'') {
      continue;
    }
    std::size_t close = value.find(quote, i + 1);
    if (close == std::string_view::npos) {
      break;
    }
    out.emplace_back(value.substr(i + 1, close - i - 1));
    i = close;
  }
  return out;
}

// `name = value` or `name: type = value` at the start of a line; the value's text, or nullopt.
std::optional<std::string_view> assignment(std::string_view line, std::string_view name) {
  if (!line.starts_with(name)) {
    return std::nullopt;
  }
  std::string_view rest = line.substr(name.size());
  if (!rest.empty() && rest.front() != ' ' && rest.front() != '=' && rest.front() != ':' &&
      rest.front() != '\t') {
    return std::nullopt;  // `revision_x = ...`
  }
  std::size_t equals = rest.find('=');
  if (equals == std::string_view::npos || rest.substr(equals).starts_with("==")) {
    return std::nullopt;
  }
  return trim(rest.substr(equals + 1));
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

void add_alembic_script_location(const std::string& directory) {
  std::lock_guard lock(locations_mutex());
  std::string absolute = absolute_text(directory);
  auto& locations = configured_locations();
  if (std::find(locations.begin(), locations.end(), absolute) == locations.end()) {
    locations.push_back(absolute);
  }
}

std::optional<AlembicProject> alembic_project_of(std::string_view revision_path) {
  fs::path path{std::string(revision_path)};
  fs::path versions = path.parent_path();
  if (versions.empty()) {
    versions = ".";
  }
  fs::path script = versions.parent_path();
  if (script.empty()) {
    script = ".";
  }
  bool found = versions.filename() == "versions" && path_exists(script / "env.py");
  if (!found) {
    std::string versions_text = absolute_text(versions);
    std::lock_guard lock(locations_mutex());
    for (const std::string& location : configured_locations()) {
      if (absolute_text(fs::path(location) / "versions") == versions_text || location == versions_text) {
        script = location;
        found = true;
        break;
      }
    }
  }
  if (!found) {
    return std::nullopt;
  }
  AlembicProject project;
  project.script_directory = absolute_text(script);
  project.versions_directory = absolute_text(versions);
  fs::path root = fs::path(project.script_directory).parent_path();
  for (fs::path at = project.script_directory; !at.empty(); at = at.parent_path()) {
    if (path_exists(at / "alembic.ini")) {
      root = at;
      break;
    }
    if (at == at.parent_path() || path_exists(at / ".git")) {
      break;
    }
  }
  project.root = root.string();
  return project;
}

bool is_alembic_revision_path(std::string_view path) {
  if (!path.ends_with(".py")) {
    return false;
  }
  std::string_view name = path.substr(path.rfind('/') == std::string_view::npos ? 0 : path.rfind('/') + 1);
  if (name.starts_with("__") || name.starts_with(".")) {
    return false;
  }
  return alembic_project_of(path).has_value();
}

std::optional<AlembicProject> alembic_project_at(const std::string& directory) {
  fs::path dir(directory);
  std::vector<fs::path> candidates;
  std::ifstream ini(dir / "alembic.ini");
  std::string line;
  while (ini && std::getline(ini, line)) {
    if (std::optional<std::string_view> value = assignment(trim(line), "script_location")) {
      std::string location(*value);
      auto here = location.find("%(here)s");
      if (here != std::string::npos) {
        location.replace(here, 8, dir.string());
      }
      candidates.push_back(fs::path(location).is_absolute() ? fs::path(location) : dir / location);
    }
  }
  candidates.push_back(dir);
  candidates.push_back(dir / "migrations");
  candidates.push_back(dir / "alembic");
  for (const fs::path& script : candidates) {
    if (path_exists(script / "env.py") && path_exists(script / "versions")) {
      AlembicProject project;
      project.script_directory = absolute_text(script);
      project.versions_directory = absolute_text(script / "versions");
      project.root = absolute_text(dir);
      return project;
    }
  }
  return std::nullopt;
}

RevisionHeader read_revision_header(std::string path, std::string_view text) {
  RevisionHeader header;
  header.path = std::move(path);
  uint32_t line_number = 0;
  std::size_t at = 0;
  while (at <= text.size()) {
    std::size_t end = text.find('\n', at);
    std::string_view line =
        text.substr(at, end == std::string_view::npos ? std::string_view::npos : end - at);
    ++line_number;
    if (std::optional<std::string_view> value = assignment(line, "revision")) {
      std::vector<std::string> strings = quoted_strings(*value);
      if (!strings.empty()) {
        header.revision = strings.front();
        header.revision_line = line_number;
      }
    } else if (std::optional<std::string_view> down = assignment(line, "down_revision")) {
      // A tuple may continue over lines: read up to its closing parenthesis.
      std::string_view parents = *down;
      if ((parents.starts_with("(") || parents.starts_with("[")) &&
          parents.find_first_of(")]") == std::string_view::npos && end != std::string_view::npos) {
        std::size_t from = at + static_cast<std::size_t>(parents.data() - line.data());
        std::size_t close = text.find_first_of(")]", end);
        parents =
            text.substr(from, close == std::string_view::npos ? std::string_view::npos : close - from + 1);
      }
      header.down_revisions = quoted_strings(parents);
      header.down_revision_line = line_number;
    }
    if (end == std::string_view::npos) {
      break;
    }
    at = end + 1;
  }
  return header;
}

std::vector<std::size_t> revision_graph_order(const std::vector<RevisionHeader>& headers) {
  // Kahn's algorithm over the revisions with an id; of the revisions whose parents are all placed,
  // the first by path goes next. Parents that no file has do not hold a revision back.
  std::map<std::string, std::size_t, std::less<>> index_of;
  for (std::size_t i = 0; i < headers.size(); ++i) {
    if (!headers[i].revision.empty()) {
      index_of.emplace(headers[i].revision, i);
    }
  }
  std::vector<std::size_t> waiting(headers.size(), 0);
  std::vector<std::vector<std::size_t>> children(headers.size());
  for (std::size_t i = 0; i < headers.size(); ++i) {
    if (headers[i].revision.empty()) {
      continue;
    }
    for (const std::string& parent : headers[i].down_revisions) {
      auto found = index_of.find(parent);
      if (found != index_of.end() && found->second != i) {
        ++waiting[i];
        children[found->second].push_back(i);
      }
    }
  }
  auto later_path = [&](std::size_t a, std::size_t b) { return headers[a].path > headers[b].path; };
  std::vector<std::size_t> ready;  // a heap whose top is the first path
  for (std::size_t i = 0; i < headers.size(); ++i) {
    if (!headers[i].revision.empty() && waiting[i] == 0) {
      ready.push_back(i);
    }
  }
  std::make_heap(ready.begin(), ready.end(), later_path);
  std::vector<std::size_t> order;
  std::vector<bool> placed(headers.size(), false);
  while (!ready.empty()) {
    std::pop_heap(ready.begin(), ready.end(), later_path);
    std::size_t next = ready.back();
    ready.pop_back();
    placed[next] = true;
    order.push_back(next);
    for (std::size_t child : children[next]) {
      if (--waiting[child] == 0) {
        ready.push_back(child);
        std::push_heap(ready.begin(), ready.end(), later_path);
      }
    }
  }
  // Revisions in a cycle, then files without a revision id, by path.
  std::vector<std::size_t> rest;
  for (std::size_t i = 0; i < headers.size(); ++i) {
    if (!placed[i]) {
      rest.push_back(i);
    }
  }
  std::stable_sort(rest.begin(), rest.end(), [&](std::size_t a, std::size_t b) {
    bool a_id = !headers[a].revision.empty();
    bool b_id = !headers[b].revision.empty();
    return a_id != b_id ? a_id : headers[a].path < headers[b].path;
  });
  order.insert(order.end(), rest.begin(), rest.end());
  return order;
}

void order_alembic_revisions(std::vector<std::string>& paths) {
  std::vector<std::size_t> revision_indexes;
  for (std::size_t i = 0; i < paths.size(); ++i) {
    if (paths[i].ends_with(".py")) {
      revision_indexes.push_back(i);
    }
  }
  if (revision_indexes.size() < 2 || !is_alembic_revision_path(paths[revision_indexes.front()])) {
    return;
  }
  std::vector<RevisionHeader> headers;
  for (std::size_t i : revision_indexes) {
    headers.push_back(read_revision_header(paths[i], read_file(paths[i])));
  }
  std::vector<std::size_t> order = revision_graph_order(headers);
  std::vector<std::string> reordered;
  for (std::size_t i = 0; i < paths.size(); ++i) {
    if (!paths[i].ends_with(".py")) {
      reordered.push_back(std::move(paths[i]));
    }
  }
  for (std::size_t k : order) {
    reordered.push_back(std::move(headers[k].path));
  }
  paths = std::move(reordered);
}

Expected<std::vector<AlembicRevisionFile>> alembic_revisions(const AlembicProject& project) {
  std::error_code error;
  std::vector<RevisionHeader> headers;
  std::vector<std::string> texts;
  for (fs::directory_iterator it(project.versions_directory, error); !error && it != fs::directory_iterator();
       it.increment(error)) {
    std::string path = it->path().string();
    if (!it->is_regular_file() || !is_alembic_revision_path(path)) {
      continue;
    }
    texts.push_back(read_file(path));
    headers.push_back(read_revision_header(path, texts.back()));
  }
  if (error) {
    return Error{
        fmt::format("{}: cannot list the revisions: {}", project.versions_directory, error.message())};
  }
  std::vector<AlembicRevisionFile> revisions;
  for (std::size_t k : revision_graph_order(headers)) {
    if (headers[k].revision.empty()) {
      continue;
    }
    AlembicRevisionFile file;
    file.relative_path = fs::path(headers[k].path).lexically_relative(project.versions_directory).string();
    file.checksum = sha256_hex(texts[k]);
    file.header = std::move(headers[k]);
    revisions.push_back(std::move(file));
  }
  return revisions;
}

}  // namespace miglint
