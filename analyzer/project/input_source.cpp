// Streaming discovery. `discover_inputs` lists every directory, then sorts all display paths in
// migration order (order.hpp). The walk here yields the same sequence listing one directory at a
// time; why that is the same order:
//
// A key (MigrationOrderKey) compares as the sequence of symbols of the path, a number (a digit run,
// or a leading dashed timestamp) or a single other byte, a number before any byte and the end
// before both; then the down flag; equal keys are broken by the bytes of the paths. Digit runs and
// timestamps consist of digits and `-` only, so no number spans a `/`, and a number's value depends
// only on its own component (a component starts after `/`, where a timestamp may start as at the
// start of a path). The down rewrite (`down` -> `up`) touches only the file name. So the symbols of
// a path are the symbols of its components joined by `/` symbols.
//
// Two paths below one directory D first differ in some component, A in one and B in the other; the
// symbols before it are equal. Let A' be A followed by `/` when A is a directory (more follows), A
// alone when it is the file name; the same for B'. Then:
// - A' and B' are file names: the paths differ only there, and compare as A' and B' do (the key of
//   the name, with the down rule, then its bytes).
// - A' has a `/` and B' does not, or both have one: the first differing symbol of the two paths lies
//   within A' and B', unless one of key(A') and key(B') is a prefix of the other. A `/` symbol occurs
//   in A' only at its end, so that happens only when key(A') == key(B'): two directories whose names
//   differ only in leading zeros (`01/`, `1/`) or in a dashed timestamp's dashes. The walk lists such
//   directories together, as one directory whose entries come from all of them.
// So a directory's entries sorted by key(name + "/" for directories), ties by the bytes of the whole
// path, and walked depth first, give the global order. Several command-line paths are walked one
// after another when, pairwise, neither contains the other and the first components in which they
// differ have different keys (the same argument, for their own components); otherwise the walk
// falls back to collecting everything.
#include "analyzer/project/input_source.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <iterator>
#include <map>
#include <system_error>

#include "analyzer/project/alembic_layout.hpp"
#include "analyzer/project/order.hpp"

namespace miglint {

namespace fs = std::filesystem;

VectorInputSource::VectorInputSource(std::span<const LintInput> inputs, std::vector<InputError> errors)
    : inputs_(inputs) {
  errors_ = std::move(errors);
  find_last_files_of_sets();
}

VectorInputSource::VectorInputSource(std::vector<LintInput>&& inputs, std::vector<InputError> errors)
    : owned_(std::move(inputs)), inputs_(owned_) {
  errors_ = std::move(errors);
  find_last_files_of_sets();
}

VectorInputSource::VectorInputSource(DiscoveredInputs&& discovered)
    : VectorInputSource(std::move(discovered.inputs), std::move(discovered.errors)) {
  skipped_ = std::move(discovered.skipped);
}

void VectorInputSource::find_last_files_of_sets() {
  std::unordered_map<std::string_view, std::size_t> last;
  for (std::size_t i = 0; i < inputs_.size(); ++i) {
    last[migration_set_of(inputs_[i].display_path)] = i;
  }
  last_of_set_.assign(inputs_.size(), false);
  for (const auto& [set, index] : last) {
    last_of_set_[index] = true;
  }
}

std::optional<LintInput> VectorInputSource::next(std::vector<std::string>& finished_sets) {
  if (finished_) {
    finished_sets.push_back(std::move(*finished_));
    finished_.reset();
  }
  if (next_ == inputs_.size()) {
    return std::nullopt;
  }
  std::size_t index = next_++;
  if (last_of_set_[index]) {  // reported with the next input
    finished_ = std::string(migration_set_of(inputs_[index].display_path));
  }
  if (!owned_.empty()) {
    return std::move(owned_[index]);
  }
  return inputs_[index];
}

FilteredInputSource::FilteredInputSource(std::unique_ptr<InputSource> source,
                                         std::function<bool(const LintInput&)> keep)
    : source_(std::move(source)), keep_(std::move(keep)) {}

std::optional<LintInput> FilteredInputSource::next(std::vector<std::string>& finished_sets) {
  while (std::optional<LintInput> input = source_->next(finished_sets)) {
    if (keep_(*input)) {
      return input;
    }
  }
  return std::nullopt;
}

namespace {

// A command-line path.
struct Root {
  std::string given;
  std::string display;  // normalised
  bool directory = false;
  std::string tree;                     // a directory's canonical path (walked_file)
  std::optional<std::string> contents;  // stdin
  // What every display path found below it starts with: `display/` for a directory ("" for `.`),
  // the display path itself for a file.
  std::string prefix;
};

// The display prefix of files directly in directory `given`: normalize(given/x) without the x.
std::string directory_prefix(const std::string& given) {
  std::string probe = normalize_display_path(given + "/x");
  probe.pop_back();
  return probe;
}

// Whether every input of `a` comes before every input of `b` (-1), after (1), or either cannot be
// told from the paths alone (0: one contains the other, or their first differing components tie).
int compare_roots(const Root& a, const Root& b) {
  const std::string& x = a.prefix;
  const std::string& y = b.prefix;
  std::size_t at = std::mismatch(x.begin(), x.end(), y.begin(), y.end()).first - x.begin();
  if (x == y || (at == x.size() && a.directory) || (at == y.size() && b.directory)) {
    return 0;
  }
  std::size_t slash = at == 0 ? std::string::npos : x.rfind('/', at - 1);
  std::size_t start = slash == std::string::npos ? 0 : slash + 1;
  auto component = [&](const std::string& text) {
    std::size_t end = text.find('/', at);
    return std::string_view(text).substr(start,
                                         end == std::string::npos ? std::string::npos : end + 1 - start);
  };
  MigrationOrderKey left(component(x));
  MigrationOrderKey right(component(y));
  if (left == right) {
    return 0;
  }
  return left < right ? -1 : 1;
}

// `directory/name` as std::filesystem::path's operator/ joins them (no second slash after one that
// ends the directory), without decomposing the path per file.
std::string join_path(const std::string& directory, const std::string& name) {
  if (directory.empty()) {
    return name;
  }
  std::string joined;
  joined.reserve(directory.size() + 1 + name.size());
  joined.append(directory);
  if (directory.back() != '/') {
    joined.append(1, '/');
  }
  joined.append(name);
  return joined;
}

class DirectoryWalk final : public InputSource {
 public:
  DirectoryWalk(std::vector<Root> roots, std::vector<InputError> errors,
                std::vector<std::string> other_extensions)
      : roots_(std::move(roots)), other_extensions_(std::move(other_extensions)) {
    errors_ = std::move(errors);
  }

  // Known when only files were given (then no thread starts that would find nothing to do).
  std::optional<std::size_t> size_hint() const override {
    bool files_only =
        std::none_of(roots_.begin(), roots_.end(), [](const Root& root) { return root.directory; });
    return files_only ? std::optional<std::size_t>(roots_.size()) : std::nullopt;
  }

  std::optional<LintInput> next(std::vector<std::string>& finished_sets) override {
    while (true) {
      if (stack_.empty()) {
        if (next_root_ == roots_.size()) {
          return std::nullopt;
        }
        Root& root = roots_[next_root_++];
        if (!root.directory) {
          return LintInput{std::move(root.display), root.contents ? std::string() : std::move(root.given),
                           std::move(root.contents)};
        }
        Frame frame;
        frame.dirs.push_back(Dir{std::move(root.given), std::move(root.prefix), std::move(root.tree)});
        list(frame);
        stack_.push_back(std::move(frame));
        continue;
      }
      Frame& frame = stack_.back();
      if (frame.next == frame.entries.size()) {
        for (const Dir& dir : frame.dirs) {
          finished_sets.emplace_back(set_name(dir.prefix));
        }
        stack_.pop_back();
        continue;
      }
      const Entry& entry = frame.entries[frame.next++];
      const Dir& dir = frame.dirs[entry.dir];
      if (!entry.directory) {
        return LintInput{dir.prefix + entry.name, join_path(dir.fs_path, entry.name), std::nullopt};
      }
      // A directory, with the ones right after it whose names have the same key: listed together.
      Frame child;
      child.dirs.push_back(Dir{join_path(dir.fs_path, entry.name), dir.prefix + entry.name + "/", dir.tree});
      while (frame.next < frame.entries.size() && frame.entries[frame.next].joins_previous) {
        const Entry& same = frame.entries[frame.next++];
        const Dir& parent = frame.dirs[same.dir];
        child.dirs.push_back(
            Dir{join_path(parent.fs_path, same.name), parent.prefix + same.name + "/", parent.tree});
      }
      list(child);
      stack_.push_back(std::move(child));  // `frame` is not used past this point
    }
  }

 private:
  struct Dir {
    std::string fs_path;
    std::string prefix;  // display path and `/` ("" for `.`)
    std::string tree;    // the canonical command-line directory it is below
  };
  struct Entry {
    std::string name;
    uint32_t dir = 0;  // which of the frame's directories holds it
    bool directory = false;
    bool joins_previous = false;  // a directory whose key equals the previous entry's (also a directory)
  };
  struct Frame {
    std::vector<Dir> dirs;
    std::vector<Entry> entries;  // in migration order
    std::size_t next = 0;
  };

  // The migration set of files directly in a directory with this display prefix.
  static std::string set_name(const std::string& prefix) {
    return prefix.empty() ? std::string() : prefix.substr(0, prefix.size() - 1);
  }
  static std::string error_name(const std::string& prefix) {
    if (prefix.empty()) {
      return ".";
    }
    return prefix.size() == 1 ? prefix : prefix.substr(0, prefix.size() - 1);
  }

  // Lists the frame's directories and sorts their entries in migration order.
  void list(Frame& frame) {
    struct Keyed {
      MigrationOrderKey key;
      Entry entry;
    };
    std::vector<Keyed> found;
    for (std::size_t d = 0; d < frame.dirs.size(); ++d) {
      const Dir& dir = frame.dirs[d];
      std::error_code error;
      fs::directory_iterator it(dir.fs_path, fs::directory_options::skip_permission_denied, error);
      for (; !error && it != fs::directory_iterator(); it.increment(error)) {
        const fs::directory_entry& item = *it;
        std::error_code type_error;
        bool directory = !item.is_symlink(type_error) && item.is_directory(type_error);
        if (!directory) {
          WalkedFile walked = walked_file(item, dir.tree, other_extensions_);
          if (!walked.input) {
            if (!walked.skipped.empty()) {
              skipped_.push_back(InputError{dir.prefix + std::string(entry_name(item)), std::nullopt,
                                            std::move(walked.skipped)});
            }
            continue;
          }
        }
        std::string name(entry_name(item));
        MigrationOrderKey key(directory ? name + "/" : name);
        found.push_back(
            Keyed{std::move(key), Entry{std::move(name), static_cast<uint32_t>(d), directory, false}});
      }
      if (error) {
        errors_.push_back(InputError{error_name(dir.prefix), std::nullopt,
                                     fmt::format("cannot list directory: {}", error.message())});
      }
    }
    auto path_of = [&](const Entry& entry) { return frame.dirs[entry.dir].prefix + entry.name; };
    std::sort(found.begin(), found.end(), [&](const Keyed& a, const Keyed& b) {
      if (a.key == b.key) {
        return path_of(a.entry) < path_of(b.entry);  // ties by the bytes of the whole path
      }
      return a.key < b.key;
    });
    if (frame.dirs.size() == 1) {
      order_revisions(frame.dirs[0], found);
    }
    frame.entries.reserve(found.size());
    for (std::size_t i = 0; i < found.size(); ++i) {
      Entry& entry = found[i].entry;
      entry.joins_previous =
          entry.directory && i > 0 && found[i - 1].entry.directory && found[i - 1].key == found[i].key;
      frame.entries.push_back(std::move(entry));
    }
  }

  // An Alembic versions folder's revision files in the order of the revision graph (their names
  // are random): they keep the places the name order gave the directory's Python files.
  template <typename Keyed>
  static void order_revisions(const Dir& dir, std::vector<Keyed>& found) {
    std::vector<std::size_t> places;
    std::vector<std::string> paths;
    for (std::size_t i = 0; i < found.size(); ++i) {
      if (!found[i].entry.directory && found[i].entry.name.ends_with(".py")) {
        places.push_back(i);
        paths.push_back(join_path(dir.fs_path, found[i].entry.name));
      }
    }
    if (places.size() < 2) {
      return;
    }
    std::vector<std::string> ordered = paths;
    order_alembic_revisions(ordered);
    if (ordered == paths) {
      return;
    }
    std::map<std::string, Keyed> by_path;
    for (std::size_t k = 0; k < places.size(); ++k) {
      by_path.emplace(paths[k], std::move(found[places[k]]));
    }
    for (std::size_t k = 0; k < places.size(); ++k) {
      found[places[k]] = std::move(by_path.at(ordered[k]));
    }
  }

  std::vector<Root> roots_;
  std::vector<std::string> other_extensions_;  // besides *.sql (C++ sources)
  std::size_t next_root_ = 0;
  std::vector<Frame> stack_;
};

// At most this many command-line paths are ordered pairwise; more fall back to collecting.
constexpr std::size_t kMaxWalkedRoots = 64;

}  // namespace

std::unique_ptr<InputSource> open_inputs(const std::vector<std::string>& paths, const std::string& stdin_name,
                                         const std::vector<std::string>& other_extensions) {
  auto collect = [&] {
    DiscoveredInputs discovered = discover_inputs(paths, stdin_name, other_extensions);
    return std::make_unique<VectorInputSource>(std::move(discovered));
  };
  if (paths.size() > kMaxWalkedRoots) {
    return collect();
  }
  // The command-line paths, errors in their order as discover_inputs has them; stdin is read only
  // once the walk is chosen.
  std::vector<Root> roots;
  std::vector<InputError> errors;
  for (const std::string& given : paths) {
    if (given == "-") {
      std::string display = normalize_display_path(stdin_name);
      roots.push_back(Root{given, display, false, {}, std::string(), display});
      continue;
    }
    std::error_code error;
    fs::file_status status = fs::status(given, error);
    if (error || !fs::exists(status)) {
      errors.push_back(InputError{normalize_display_path(given), std::nullopt, "no such file or directory"});
    } else if (fs::is_directory(status)) {
      fs::directory_iterator probe(given, fs::directory_options::skip_permission_denied, error);
      if (error) {
        errors.push_back(InputError{normalize_display_path(given), std::nullopt,
                                    fmt::format("cannot list directory: {}", error.message())});
        continue;
      }
      roots.push_back(Root{given, normalize_display_path(given), true, canonical_tree(given), std::nullopt,
                           directory_prefix(given)});
    } else {
      std::string display = normalize_display_path(given);
      roots.push_back(Root{given, display, false, {}, std::nullopt, display});
    }
  }
  for (std::size_t i = 0; i < roots.size(); ++i) {
    for (std::size_t j = i + 1; j < roots.size(); ++j) {
      if (compare_roots(roots[i], roots[j]) == 0) {
        return collect();
      }
    }
  }
  for (Root& root : roots) {
    if (root.contents) {  // stdin (at most one: two would tie above)
      root.contents->assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
    }
  }
  std::sort(roots.begin(), roots.end(), [](const Root& a, const Root& b) { return compare_roots(a, b) < 0; });
  return std::make_unique<DirectoryWalk>(std::move(roots), std::move(errors), other_extensions);
}

}  // namespace miglint
