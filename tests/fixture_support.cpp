#include "tests/fixture_support.hpp"

#include <fmt/format.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

namespace miglint::fixtures {

namespace {

std::string trim(const std::string& text) {
  auto first = text.find_first_not_of(" \t\r");
  auto last = text.find_last_not_of(" \t\r");
  return first == std::string::npos ? std::string() : text.substr(first, last - first + 1);
}

}  // namespace

Fixture read_fixture(const std::string& path) {
  Fixture fixture;
  fixture.path = path;
  std::ifstream in(path, std::ios::binary);
  std::ostringstream buffer;
  buffer << in.rdbuf();
  fixture.text = buffer.str();
  fixture.options.jobs = 1;
  std::istringstream lines(fixture.text);
  std::string line;
  uint32_t number = 0;
  while (std::getline(lines, line)) {
    ++number;
    if (auto at = line.find("-- fixture:"); at != std::string::npos) {
      std::istringstream words(line.substr(at + 11));
      std::string word;
      while (words >> word) {
        if (word == "--all-rules") {
          fixture.all_rules = true;
        } else if (word == "--assume-in-transaction") {
          fixture.options.assume_in_transaction = true;
        } else if (word == "--pg-version") {
          words >> fixture.options.pg_version;
        }
      }
    }
    if (auto ignore = line.find("miglint-ignore"); ignore != std::string::npos) {
      std::string names = line.substr(ignore);
      names = names.substr(names.find_first_of(" \t") == std::string::npos ? names.size()
                                                                           : names.find_first_of(" \t"));
      if (auto reason = names.find("--"); reason != std::string::npos) {
        names = names.substr(0, reason);
      }
      std::istringstream list(names);
      std::string name;
      while (std::getline(list, name, ',')) {
        if (!trim(name).empty()) {
          fixture.ignored_rules.insert(trim(name));
        }
      }
    }
    auto at = line.find("-- expect:");
    if (at == std::string::npos) {
      continue;
    }
    std::string list = line.substr(at + 10);
    if (auto more = list.find("--"); more != std::string::npos) {
      list = list.substr(0, more);
    }
    std::istringstream ids(list);
    std::string id;
    while (std::getline(ids, id, ',')) {
      id = trim(id);
      if (id.empty()) {
        continue;
      }
      Expectation expectation{number, id, 0};
      if (auto column = id.find('@'); column != std::string::npos) {
        expectation.rule = id.substr(0, column);
        expectation.column = static_cast<uint32_t>(std::stoul(id.substr(column + 1)));
      }
      fixture.expectations.push_back(expectation);
    }
  }
  return fixture;
}

std::vector<Fixture> fixture_files(const std::string& path) {
  namespace fs = std::filesystem;
  std::vector<Fixture> files;
  if (fs::is_directory(path)) {
    for (const auto& entry : fs::recursive_directory_iterator(path)) {
      if (entry.is_regular_file() && entry.path().extension() == ".sql") {
        files.push_back(read_fixture(entry.path().string()));
      }
    }
  } else {
    files.push_back(read_fixture(path));
  }
  return files;
}

std::set<std::string> fixture_rule_selection(const std::string& rule_dir, const std::vector<Fixture>& files) {
  std::set<std::string> select{rule_dir};
  for (const Fixture& fixture : files) {
    if (fixture.all_rules) {
      return {};
    }
    for (const Expectation& expectation : fixture.expectations) {
      select.insert(expectation.rule);
    }
    select.insert(fixture.ignored_rules.begin(), fixture.ignored_rules.end());
  }
  return select;
}

std::vector<std::string> fixture_mismatches(const Fixture& fixture, const std::vector<Finding>& findings) {
  std::vector<std::string> problems;
  std::vector<bool> matched(findings.size(), false);
  for (const Expectation& expected : fixture.expectations) {
    bool found = false;
    for (std::size_t i = 0; i < findings.size() && !found; ++i) {
      const Finding& f = findings[i];
      if (!matched[i] && !f.suppressed && f.rule == expected.rule && f.start.line == expected.line &&
          (expected.column == 0 || f.start.column == expected.column)) {
        matched[i] = true;
        found = true;
      }
    }
    if (!found) {
      problems.push_back(
          fmt::format("{}:{}: missing {}{}", fixture.path, expected.line, expected.rule,
                      expected.column != 0 ? fmt::format(" at column {}", expected.column) : ""));
    }
  }
  for (std::size_t i = 0; i < findings.size(); ++i) {
    if (!matched[i] && !findings[i].suppressed) {
      const Finding& f = findings[i];
      problems.push_back(fmt::format("{}:{}:{}: unexpected {}: {}", fixture.path, f.start.line,
                                     f.start.column, f.rule, f.message));
    }
  }
  return problems;
}

std::string render_snapshot(const std::vector<Finding>& findings) {
  std::string out;
  for (const Finding& f : findings) {
    out += fmt::format("{}:{}:{} {} {}{}\n", f.path, f.start.line, f.start.column, f.rule,
                       severity_name(f.severity), f.suppressed ? " (suppressed)" : "");
    out += fmt::format("  message: {}\n", f.message);
    if (!f.help.empty()) {
      out += fmt::format("  help: {}\n", f.help);
    }
  }
  return out;
}

std::string check_snapshot(const std::string& snapshot_path, const std::string& rendered) {
  namespace fs = std::filesystem;
  const char* update = std::getenv("MIGLINT_UPDATE_SNAPSHOTS");
  if (update != nullptr && std::string_view(update) == "1") {
    if (rendered.empty()) {
      fs::remove(snapshot_path);
    } else {
      std::ofstream(snapshot_path, std::ios::binary) << rendered;
    }
    return {};
  }
  std::string pinned;
  if (fs::exists(snapshot_path)) {
    std::ifstream in(snapshot_path, std::ios::binary);
    std::ostringstream buffer;
    buffer << in.rdbuf();
    pinned = buffer.str();
  }
  if (pinned == rendered) {
    return {};
  }
  return fmt::format(
      "{}: the findings as users read them differ from the snapshot (review, then run "
      "ci/update-snapshots)\n--- snapshot\n{}--- now\n{}",
      snapshot_path, pinned, rendered);
}

}  // namespace miglint::fixtures
