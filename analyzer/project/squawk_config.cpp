#include "analyzer/project/squawk_config.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <toml++/toml.h>
#include <algorithm>
#include <optional>

#include "analyzer/project/approvals.hpp"
#include "analyzer/project/config_table.hpp"
#include "analyzer/sql/squawk_rules.hpp"

namespace miglint {

namespace {

// The strings of an array setting; a value of another type is reported and left out.
std::vector<std::string> strings_of(const toml::node& value, std::string_view key,
                                    std::vector<std::string>& notes) {
  std::vector<std::string> out;
  const toml::array* array = value.as_array();
  if (array == nullptr) {
    notes.push_back(fmt::format("`{}` is not an array of strings: left out", key));
    return out;
  }
  for (const toml::node& item : *array) {
    if (std::optional<std::string> text = item.value<std::string>()) {
      out.push_back(*text);
    } else {
      notes.push_back(fmt::format("`{}` holds a value that is not a string: left out", key));
    }
  }
  return out;
}

// squawk's pg_version ("15", "15.2", or a number) as a major version miglint takes (10-19).
std::optional<int> major_version(const toml::node& value) {
  std::string text;
  if (std::optional<std::string> written = value.value<std::string>()) {
    text = *written;
  } else if (std::optional<double> number = value.value<double>()) {
    text = fmt::format("{}", *number);
  } else {
    return std::nullopt;
  }
  int major = 0;
  std::size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9' && digits < 4) {
    major = major * 10 + (text[digits] - '0');
    ++digits;
  }
  if (digits == 0) {
    return std::nullopt;
  }
  return major;
}

}  // namespace

Expected<SquawkConversion> convert_squawk_config(const std::string& path) {
  Expected<toml::table> parsed = parse_toml_file(path);
  if (!parsed) {
    return parsed.error();
  }
  SquawkConversion conversion;
  std::vector<std::string>& notes = conversion.notes;
  std::vector<std::string> settings;
  std::vector<std::string> comments;
  std::vector<std::string> ignore;
  auto map_rule = [&](const std::string& name, std::string_view key) -> std::optional<std::string> {
    if (std::optional<SquawkRule> squawk = find_squawk_rule(name)) {
      if (squawk->miglint.empty()) {
        notes.push_back(fmt::format("{}: squawk's `{}` has no miglint equivalent ({}): left out", key, name,
                                    squawk->note));
        comments.push_back(fmt::format("#   {} (in {}): no miglint equivalent: {}", name, key, squawk->note));
        return std::nullopt;
      }
      return std::string(squawk->miglint);
    }
    notes.push_back(fmt::format("{}: `{}` is not a squawk rule: left out", key, name));
    comments.push_back(fmt::format("#   {} (in {}): not a squawk rule", name, key));
    return std::nullopt;
  };
  for (const auto& [key, value] : *parsed) {
    std::string name(key.str());
    if (name == "excluded_rules") {
      for (const std::string& rule : strings_of(value, name, notes)) {
        if (std::optional<std::string> mapped = map_rule(rule, name)) {
          if (std::find(ignore.begin(), ignore.end(), *mapped) == ignore.end()) {
            ignore.push_back(*mapped);
          }
        }
      }
    } else if (name == "included_rules") {
      // squawk's opt-in rules (require-table-schema): miglint's rules are all on by default.
      for (const std::string& rule : strings_of(value, name, notes)) {
        if (std::optional<std::string> mapped = map_rule(rule, name)) {
          comments.push_back(
              fmt::format("#   {} (in included_rules): miglint's `{}` is on by default", rule, *mapped));
        }
      }
    } else if (name == "pg_version") {
      std::optional<int> major = major_version(value);
      if (major && *major >= 10 && *major <= 19) {
        settings.push_back(fmt::format("pg_version = {}", *major));
      } else {
        notes.push_back("pg_version: miglint takes a major version from 10 to 19: left out (default 15)");
        comments.push_back("#   pg_version: not a major version from 10 to 19");
      }
    } else if (name == "assume_in_transaction") {
      if (std::optional<bool> flag = value.value<bool>()) {
        settings.push_back(fmt::format("assume_in_transaction = {}", *flag));
      } else {
        notes.push_back("assume_in_transaction is not true or false: left out");
      }
    } else if (name == "excluded_paths") {
      std::vector<std::string> globs;
      for (const std::string& glob : strings_of(value, name, notes)) {
        globs.push_back(toml_string(glob));
      }
      if (!globs.empty()) {
        settings.push_back(fmt::format("exclude = [{}]   # relative to this file", fmt::join(globs, ", ")));
      }
    } else if (name == "upload_to_github") {
      notes.push_back(
          "[upload_to_github]: miglint posts no pull-request comments; use `--format github` or `--format "
          "sarif` in CI (docs/migrating-from-squawk.md)");
      comments.push_back(
          "#   [upload_to_github]: use `miglint lint --format github` or `--format sarif` in CI");
    } else {
      notes.push_back(fmt::format("`{}` is not a .squawk.toml key miglint knows: left out", name));
      comments.push_back(fmt::format("#   {}: unknown to miglint", name));
    }
  }
  if (!ignore.empty()) {
    std::vector<std::string> quoted;
    for (const std::string& id : ignore) {
      quoted.push_back(toml_string(id));
    }
    settings.push_back(fmt::format("ignore = [{}]", fmt::join(quoted, ", ")));
  }
  std::string text = fmt::format(
      "# miglint.toml, converted from {} by `miglint init --from-squawk`.\n"
      "# squawk's rule names are mapped to miglint's (docs/migrating-from-squawk.md); `miglint init`\n"
      "# writes a starter that lists every setting.\n\n",
      path);
  for (const std::string& line : settings) {
    text += line + "\n";
  }
  if (!comments.empty()) {
    text += "\n# Not carried over from " + path + ":\n";
    for (const std::string& line : comments) {
      text += line + "\n";
    }
  }
  conversion.miglint_toml = std::move(text);
  return conversion;
}

}  // namespace miglint
