#include "analyzer/discover.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <iterator>
#include <set>
#include <system_error>

#include "analyzer/order.hpp"

namespace miglint {

namespace fs = std::filesystem;

std::string normalize_display_path(const std::string& path) {
  std::string normal = fs::path(path).lexically_normal().generic_string();
  if (normal.size() > 1 && normal.back() == '/') {
    normal.pop_back();
  }
  return normal.empty() ? std::string(".") : normal;
}

namespace {

void list_directory(const std::string& given, DiscoveredInputs& out) {
  std::error_code error;
  std::vector<LintInput> found;
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
    std::error_code type_error;
    if (entry.path().extension() == ".sql" && entry.is_regular_file(type_error)) {
      std::string relative = entry.path().lexically_relative(given).generic_string();
      std::string display = normalize_display_path(given + "/" + relative);
      found.push_back(LintInput{display, entry.path().string(), std::nullopt});
    }
  }
  std::move(found.begin(), found.end(), std::back_inserter(out.inputs));
}

}  // namespace

DiscoveredInputs discover_inputs(const std::vector<std::string>& paths, const std::string& stdin_name) {
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
      list_directory(given, out);
    } else {
      out.inputs.push_back(LintInput{normalize_display_path(given), given, std::nullopt});
    }
  }
  std::stable_sort(out.inputs.begin(), out.inputs.end(), [](const LintInput& a, const LintInput& b) {
    return migration_order_less(a.display_path, b.display_path);
  });
  auto same = [](const LintInput& a, const LintInput& b) { return a.display_path == b.display_path; };
  out.inputs.erase(std::unique(out.inputs.begin(), out.inputs.end(), same), out.inputs.end());
  return out;
}

}  // namespace miglint
