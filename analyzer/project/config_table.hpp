#pragma once

// A table of miglint.toml that the part of miglint it configures reads itself: [cpp] by the C++ front
// end, [run] by the runner. load_config hands each registered table to its reader, which reports a
// problem as one line naming the file, line and key, as every other setting does.
#include <any>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <toml++/toml.h>

#include "analyzer/text/expected.hpp"

namespace miglint {

// A TOML file of miglint's (miglint.toml, miglint.approvals.toml) parsed, or its syntax error as one
// line naming the file, line and column.
Expected<toml::table> parse_toml_file(const std::string& path);

// What a table's reader may use: located errors (they end the reading) and common value checks.
class ConfigTableReader {
 public:
  ConfigTableReader(const std::string& path, const std::string& directory)
      : path_(path), directory_(directory) {}
  virtual ~ConfigTableReader() = default;

  [[noreturn]] void fail(const toml::node& node, std::string what) const;
  [[noreturn]] void fail_key(const toml::key& key, std::string what) const;
  // An array of strings, or an error naming `name`.
  std::vector<std::string> strings(const toml::node& value, const std::string& name) const;
  // The config file's directory (absolute): relative paths in the file are relative to it.
  const std::string& config_directory() const { return directory_; }

 private:
  const std::string& path_;
  const std::string& directory_;
};

struct ConfigTable {
  std::string name;  // its top-level key ("cpp" for [cpp])
  // Reads the table's value (the node under the key); the result is kept in Config::tables.
  std::function<std::any(const ConfigTableReader& reader, const toml::node& value)> read;
};

}  // namespace miglint
