#pragma once

// `miglint init --from-squawk`: squawk's `.squawk.toml` (excluded_rules, included_rules,
// pg_version, assume_in_transaction, excluded_paths, [upload_to_github]) as a miglint.toml, with
// squawk's rule names mapped to miglint's (analyzer/sql/squawk_rules.hpp).
#include <string>
#include <vector>

#include "analyzer/text/expected.hpp"

namespace miglint {

struct SquawkConversion {
  std::string miglint_toml;        // the file to write
  std::vector<std::string> notes;  // what could not be carried over, one line each (for stderr)
};

// Reads `.squawk.toml` at `path`; a file that is not TOML is an error naming its line and column.
Expected<SquawkConversion> convert_squawk_config(const std::string& path);

}  // namespace miglint
