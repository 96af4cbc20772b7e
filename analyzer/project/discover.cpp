#include "analyzer/project/discover.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <iterator>
#include <map>
#include <set>
#include <system_error>

#include "analyzer/project/alembic_history_inputs.hpp"
#include "analyzer/project/alembic_layout.hpp"
#include "analyzer/project/git.hpp"
#include "analyzer/project/migration_layout.hpp"
#include "analyzer/project/order.hpp"

namespace miglint {

namespace fs = std::filesystem;

namespace {
std::string_view parent_of(std::string_view path) {
  std::size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? std::string_view() : path.substr(0, slash);
}
}  // namespace

void sort_in_migration_order(std::vector<LintInput>& inputs) {
  std::vector<std::pair<MigrationOrderKey, std::size_t>> keys;
  keys.reserve(inputs.size());
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    keys.emplace_back(MigrationOrderKey(inputs[i].display_path), i);
  }
  std::sort(keys.begin(), keys.end(), [&](const auto& a, const auto& b) {
    if (a.first == b.first) {
      // Ties (paths that differ only in leading zeros) by the bytes, then by input position.
      const std::string& x = inputs[a.second].display_path;
      const std::string& y = inputs[b.second].display_path;
      return x < y || (x == y && a.second < b.second);
    }
    return a.first < b.first;
  });
  std::vector<LintInput> sorted;
  sorted.reserve(inputs.size());
  for (const auto& [key, index] : keys) {
    sorted.push_back(std::move(inputs[index]));
  }
  inputs = std::move(sorted);
  // Alembic revisions run in the order of their revision graph, not of their (random) names: each
  // directory's run of revision files is reordered by it.
  for (std::size_t first = 0; first < inputs.size();) {
    std::string_view directory = parent_of(inputs[first].filesystem_path);
    std::size_t last = first + 1;
    while (last < inputs.size() && parent_of(inputs[last].filesystem_path) == directory) {
      ++last;
    }
    if (last - first > 1 && inputs[first].filesystem_path.ends_with(".py")) {
      std::vector<std::string> paths;
      std::map<std::string, LintInput> by_path;
      for (std::size_t i = first; i < last; ++i) {
        paths.push_back(inputs[i].filesystem_path);
        by_path.emplace(inputs[i].filesystem_path, std::move(inputs[i]));
      }
      order_alembic_revisions(paths);
      for (std::size_t i = first; i < last; ++i) {
        inputs[i] = std::move(by_path.at(paths[i - first]));
      }
    }
    first = last;
  }
}

std::string normalize_display_path(const std::string& path) {
  std::string normal = fs::path(path).lexically_normal().generic_string();
  if (normal.size() > 1 && normal.back() == '/') {
    normal.pop_back();
  }
  return normal.empty() ? std::string(".") : normal;
}

namespace {

bool has_extension(const std::string& name, const std::vector<std::string>& extensions) {
  return std::any_of(extensions.begin(), extensions.end(),
                     [&](const std::string& extension) { return name.ends_with(extension); });
}

}  // namespace

std::string_view entry_name(const fs::directory_entry& entry) {
  const std::string& native = entry.path().native();
  std::size_t slash = native.rfind('/');
  return std::string_view(native).substr(slash == std::string::npos ? 0 : slash + 1);
}

namespace {

std::string_view kind_of(fs::file_type type) {
  switch (type) {
    case fs::file_type::fifo:
      return "a named pipe (FIFO)";
    case fs::file_type::character:
      return "a character device";
    case fs::file_type::block:
      return "a block device";
    case fs::file_type::socket:
      return "a socket";
    case fs::file_type::directory:
      return "a directory";
    default:
      return "not a regular file";
  }
}

}  // namespace

std::string canonical_tree(const std::string& directory) {
  std::error_code error;
  fs::path canonical = fs::canonical(directory, error);
  return error ? std::string() : canonical.string();
}

WalkedFile walked_file(const fs::directory_entry& entry, const std::string& tree,
                       const std::vector<std::string>& other_extensions) {
  std::string_view name = entry_name(entry);
  // `.sql` alone is a hidden file without an extension, as std::filesystem::path::extension says.
  bool wanted = (name.size() > 4 && name.ends_with(".sql")) ||
                (!other_extensions.empty() && has_extension(std::string(name), other_extensions));
  // Of Python files, a walk takes Alembic revisions only (not env.py, not the application's code).
  if (!wanted || (name.ends_with(".py") && !is_alembic_revision_path(entry.path().native()))) {
    return {};
  }
  // The entry's own type as the directory listing gave it (no system call for a regular file).
  std::error_code error;
  if (!entry.is_symlink(error)) {
    if (error) {
      return {};  // gone since it was listed
    }
    if (entry.is_regular_file(error) || error) {
      return {!error, {}};
    }
    if (entry.is_directory(error)) {
      return {};  // entered by the walk
    }
    fs::file_type type = entry.is_fifo(error)             ? fs::file_type::fifo
                         : entry.is_socket(error)         ? fs::file_type::socket
                         : entry.is_character_file(error) ? fs::file_type::character
                         : entry.is_block_file(error)     ? fs::file_type::block
                                                          : fs::file_type::unknown;
    return {false, fmt::format("skipped: {}, not a regular file", kind_of(type))};
  }
  fs::path target = fs::canonical(entry.path(), error);
  if (error) {
    return {false, error == std::errc::too_many_symbolic_link_levels
                       ? "skipped: a symbolic link loop"
                       : fmt::format("skipped: a broken symbolic link ({})", error.message())};
  }
  fs::file_status status = fs::status(target, error);
  if (error || !fs::is_regular_file(status)) {
    return {false, fmt::format("skipped: a symbolic link to {}, not to a regular file",
                               error ? "nothing readable" : kind_of(status.type()))};
  }
  const std::string& real = target.native();
  bool inside = !tree.empty() && real.size() > tree.size() && real.starts_with(tree) &&
                (tree.back() == '/' || real[tree.size()] == '/');
  if (!inside) {
    return {false,
            "skipped: a symbolic link to a file outside the walked directory (name the file itself to "
            "lint it)"};
  }
  return {true, {}};
}

namespace {

void list_directory(const std::string& given, DiscoveredInputs& out,
                    const std::vector<std::string>& other_extensions) {
  std::string tree = canonical_tree(given);
  std::error_code error;
  std::vector<LintInput>& found = out.inputs;
  fs::recursive_directory_iterator it(given, fs::directory_options::skip_permission_denied, error);
  if (error) {
    out.errors.push_back(InputError{normalize_display_path(given), std::nullopt,
                                    fmt::format("cannot list directory: {}", error.message())});
    return;
  }
  for (; it != fs::recursive_directory_iterator(); it.increment(error)) {
    if (error) {
      out.errors.push_back(InputError{normalize_display_path(given), std::nullopt,
                                      fmt::format("cannot list directory: {}", error.message())});
      return;
    }
    const fs::directory_entry& entry = *it;
    WalkedFile walked = walked_file(entry, tree, other_extensions);
    if (walked.input || !walked.skipped.empty()) {
      std::string relative = entry.path().lexically_relative(given).generic_string();
      std::string display = normalize_display_path(given + "/" + relative);
      if (walked.input) {
        found.push_back(LintInput{display, entry.path().string(), std::nullopt});
      } else {
        out.skipped.push_back(InputError{display, std::nullopt, std::move(walked.skipped)});
      }
    }
  }
}

}  // namespace

DiscoveredInputs discover_inputs(const std::vector<std::string>& paths, const std::string& stdin_name,
                                 const std::vector<std::string>& other_extensions) {
  DiscoveredInputs out;
  for (const std::string& given : paths) {
    if (given == "-") {
      std::string contents((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
      out.inputs.push_back(LintInput{normalize_display_path(stdin_name), {}, std::move(contents)});
      continue;
    }
    std::error_code error;
    fs::file_status status = fs::status(given, error);
    if (error || !fs::exists(status)) {
      out.errors.push_back(
          InputError{normalize_display_path(given), std::nullopt, "no such file or directory"});
    } else if (fs::is_directory(status)) {
      list_directory(given, out, other_extensions);
    } else {
      out.inputs.push_back(LintInput{normalize_display_path(given), given, std::nullopt});
    }
  }
  sort_in_migration_order(out.inputs);
  auto same = [](const LintInput& a, const LintInput& b) { return a.display_path == b.display_path; };
  out.inputs.erase(std::unique(out.inputs.begin(), out.inputs.end(), same), out.inputs.end());
  return out;
}

void add_history(DiscoveredInputs& discovered) {
  std::set<std::string> known;
  for (const LintInput& input : discovered.inputs) {
    known.insert(input.display_path);
  }
  std::vector<LintInput> history;
  for (const LintInput& input : discovered.inputs) {
    if (input.filesystem_path.empty() || !input.report) {
      continue;
    }
    // The file's migration set (migration_layout.hpp): where its earlier migrations are.
    bool diesel = is_diesel_step(input.filesystem_path);
    fs::path set_dir = migrations_directory_of(input.filesystem_path);
    fs::path display_set_dir = fs::path(input.display_path).parent_path();
    if (diesel) {
      display_set_dir = display_set_dir.parent_path();
    }
    std::error_code error;
    auto consider = [&](const fs::directory_entry& entry) {
      std::error_code type_error;
      if (entry.path().extension() != ".sql" || !entry.is_regular_file(type_error)) {
        return;
      }
      std::string relative = entry.path().lexically_relative(set_dir).generic_string();
      std::string shown = normalize_display_path((display_set_dir / relative).generic_string());
      if (known.contains(shown) || !migration_order_less(shown, input.display_path)) {
        return;
      }
      known.insert(shown);
      history.push_back(LintInput{shown, entry.path().string(), std::nullopt, false});
    };
    if (diesel) {
      for (fs::recursive_directory_iterator it(set_dir, error), end; !error && it != end;
           it.increment(error)) {
        consider(*it);
      }
    } else {
      for (fs::directory_iterator it(set_dir, error), end; !error && it != end; it.increment(error)) {
        consider(*it);
      }
    }
  }
  std::move(history.begin(), history.end(), std::back_inserter(discovered.inputs));
  sort_in_migration_order(discovered.inputs);
}

void add_alembic_history(DiscoveredInputs& discovered) {
  std::set<std::string> known;
  for (const LintInput& input : discovered.inputs) {
    known.insert(input.display_path);
  }
  std::vector<LintInput> history;
  for (const LintInput& input : discovered.inputs) {
    if (input.filesystem_path.empty() || !input.report || !is_alembic_revision_path(input.filesystem_path)) {
      continue;
    }
    // The revisions of its versions folder, in graph order, up to this one.
    fs::path versions = fs::path(input.filesystem_path).parent_path();
    fs::path display_versions = fs::path(input.display_path).parent_path();
    std::vector<std::string> revisions;
    std::error_code error;
    for (fs::directory_iterator it(versions, error), end; !error && it != end; it.increment(error)) {
      std::error_code type_error;
      if (it->is_regular_file(type_error) && is_alembic_revision_path(it->path().string())) {
        revisions.push_back(it->path().string());
      }
    }
    order_alembic_revisions(revisions);
    std::string own = fs::path(input.filesystem_path).filename().string();
    for (const std::string& revision : revisions) {
      std::string name = fs::path(revision).filename().string();
      if (name == own) {
        break;
      }
      std::string shown = normalize_display_path((display_versions / name).generic_string());
      if (known.insert(shown).second) {
        history.push_back(LintInput{shown, revision, std::nullopt, false});
      }
    }
  }
  if (history.empty()) {
    return;
  }
  std::move(history.begin(), history.end(), std::back_inserter(discovered.inputs));
  sort_in_migration_order(discovered.inputs);
}

namespace {

// Runs git; its standard output, or an error that says what to check.
Expected<std::string> git(std::vector<std::string> arguments) {
  Expected<std::string> out = run_git(arguments);
  if (!out) {
    return Error{out.error().message + " (is this a git repository, and does the ref exist?)"};
  }
  return out;
}

// `arguments` followed by `--` and the paths (pathspecs).
std::vector<std::string> with_paths(std::vector<std::string> arguments,
                                    const std::vector<std::string>& paths) {
  arguments.emplace_back("--");
  arguments.insert(arguments.end(), paths.begin(), paths.end());
  return arguments;
}

std::vector<std::string> nul_separated(const std::string& text) {
  std::vector<std::string> items;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\0', start);
    if (end == std::string::npos) {
      end = text.size();
    }
    if (end > start) {
      items.push_back(text.substr(start, end - start));
    }
    start = end + 1;
  }
  return items;
}

}  // namespace

Expected<std::vector<LintInput>> changed_inputs(const std::vector<std::string>& paths,
                                                const std::optional<std::string>& since_ref, bool staged,
                                                const std::vector<std::string>& other_extensions) {
  if (!run_git({"rev-parse", "--show-toplevel"})) {
    return Error{"--since and --staged need a git repository"};
  }
  std::vector<std::string> names;
  if (staged) {
    Expected<std::string> diff = git(with_paths(
        {"diff", "--cached", "-M", "--diff-filter=AMR", "--name-only", "-z", "--relative"}, paths));
    if (!diff) {
      return diff.error();
    }
    names = nul_separated(*diff);
  } else {
    Expected<std::string> diff = git(with_paths(
        {"diff", "-M", "--diff-filter=AMR", "--name-only", "-z", "--relative", *since_ref}, paths));
    if (!diff) {
      return diff.error();
    }
    names = nul_separated(*diff);
    Expected<std::string> untracked =
        git(with_paths({"ls-files", "--others", "--exclude-standard", "-z"}, paths));
    if (!untracked) {
      return untracked.error();
    }
    for (std::string& name : nul_separated(*untracked)) {
      names.push_back(std::move(name));
    }
  }
  std::vector<LintInput> inputs;
  std::set<std::string> seen;
  for (const std::string& name : names) {
    bool python_not_revision = name.ends_with(".py") && !is_alembic_revision_path(name);
    if (!(name.ends_with(".sql") || has_extension(name, other_extensions)) || python_not_revision ||
        !seen.insert(name).second) {
      continue;
    }
    LintInput input{normalize_display_path(name), name, std::nullopt, true};
    if (staged) {
      Expected<std::string> contents = git({"show", ":./" + name});
      if (!contents) {
        return contents.error();
      }
      input.contents = std::move(*contents);
    }
    inputs.push_back(std::move(input));
  }
  sort_in_migration_order(inputs);
  return inputs;
}

}  // namespace miglint
