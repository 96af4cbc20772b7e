// The migration order key (analyzer/project/order.hpp). Paths are the input's NUL-separated parts (a path
// holds no NUL). Besides not crashing, the order must be one a directory walk can produce listing
// one directory at a time (analyzer/project/input_source.cpp relies on it): two paths compare as the first
// components in which they differ do, whenever those components' keys differ.
#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "analyzer/project/order.hpp"
#include "fuzz/fuzz_support.hpp"

using namespace miglint;
using miglint::fuzz::require;

namespace {

std::vector<std::string> split(std::string_view text, char separator) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (true) {
    std::size_t end = text.find(separator, start);
    parts.emplace_back(
        text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
    if (end == std::string_view::npos) {
      return parts;
    }
    start = end + 1;
  }
}

// The component of `path` that starts at `start`, with its `/` when more follows (a directory).
std::string_view component_at(std::string_view path, std::size_t start) {
  std::size_t end = path.find('/', start);
  return path.substr(start, end == std::string_view::npos ? std::string_view::npos : end + 1 - start);
}

void check_walk_order(const std::string& x, const std::string& y) {
  // The start of the first component in which they differ.
  std::size_t common = 0;
  while (common < x.size() && common < y.size() && x[common] == y[common]) {
    ++common;
  }
  if (common == x.size() || common == y.size()) {
    return;  // one is a prefix of the other: no walk lists both
  }
  std::size_t slash = std::string_view(x).substr(0, common).rfind('/');
  std::size_t start = slash == std::string_view::npos ? 0 : slash + 1;
  std::string_view a = component_at(x, start);
  std::string_view b = component_at(y, start);
  MigrationOrderKey key_a(a);
  MigrationOrderKey key_b(b);
  if (key_a == key_b) {
    return;  // the documented exception: listed together, ordered by the whole path
  }
  require((key_a < key_b) == migration_order_less(x, y),
          "two paths compare unlike the first components in which they differ");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<std::string> paths = split(fuzz::as_text(data, size), '\0');
  if (paths.size() > 16) {
    paths.resize(16);
  }
  std::vector<MigrationOrderKey> keys;
  for (const std::string& path : paths) {
    keys.emplace_back(path);
  }
  for (std::size_t i = 0; i < paths.size(); ++i) {
    for (std::size_t j = 0; j < paths.size(); ++j) {
      bool less = migration_order_less(paths[i], paths[j]);
      require(!(less && migration_order_less(paths[j], paths[i])), "the migration order is not asymmetric");
      require(!(keys[i] < keys[j]) || less, "the key order and migration_order_less disagree");
      if (i != j && paths[i] != paths[j]) {
        check_walk_order(paths[i], paths[j]);
      }
    }
  }
  std::vector<std::string> sorted = paths;
  std::sort(sorted.begin(), sorted.end(), migration_order_less);
  for (std::size_t i = 1; i < sorted.size(); ++i) {
    require(!migration_order_less(sorted[i], sorted[i - 1]),
            "sorting in migration order leaves paths unsorted");
  }
  return 0;
}
