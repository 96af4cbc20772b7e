// Placeholders in a program's SQL ($1, ?, :name, %s, {}), found outside strings, quoted
// identifiers and comments, and rewritten without moving a byte: every style, every input.
#include <cstdint>
#include <string>
#include <vector>

#include "analyzer/frontend/placeholders.hpp"
#include "fuzz/fuzz_support.hpp"

using namespace miglint;
using miglint::fuzz::require;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view sql = fuzz::as_text(data, size);
  for (PlaceholderStyle style : {PlaceholderStyle::Dollar, PlaceholderStyle::Question,
                                 PlaceholderStyle::Colon, PlaceholderStyle::Printf, PlaceholderStyle::Fmt}) {
    uint32_t previous_end = 0;
    for (const Placeholder& placeholder : find_placeholders(sql, style)) {
      require(placeholder.begin >= previous_end, "placeholders overlap or are out of order");
      require(placeholder.begin < placeholder.end && placeholder.end <= sql.size(),
              "a placeholder outside the SQL");
      previous_end = placeholder.end;
      std::string stand_in =
          placeholder_stand_in(placeholder.end - placeholder.begin, placeholder.identifier);
      require(stand_in.size() == placeholder.end - placeholder.begin, "a stand-in of another length");
    }
    std::string rewritten = neutralize_placeholders(sql, style);
    require(rewritten.size() == sql.size(), "rewriting placeholders moved bytes");
  }
  return 0;
}
