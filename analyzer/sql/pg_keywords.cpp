#include "analyzer/sql/pg_keywords.hpp"

#include <cstdint>
#include <cstring>

// libpg_query's copy of PostgreSQL's keyword table (src/common/keywords.c, kwlookup.c): exported by
// its archive and its shared library, declared here as PostgreSQL's headers declare them (those
// headers are not installed with libpg_query).
extern "C" {
struct ScanKeywordList;
extern const ScanKeywordList ScanKeywords;
extern const uint8_t ScanKeywordCategories[];
int ScanKeywordLookup(const char* str, const ScanKeywordList* keywords);
}

namespace miglint {

std::optional<KeywordCategory> keyword_category(std::string_view word) {
  char text[32];  // the longest keyword has 17 letters
  if (word.empty() || word.size() >= sizeof text) {
    return std::nullopt;
  }
  std::memcpy(text, word.data(), word.size());
  text[word.size()] = '\0';
  int index = ScanKeywordLookup(text, &ScanKeywords);  // folds ASCII case itself
  if (index < 0) {
    return std::nullopt;
  }
  return static_cast<KeywordCategory>(ScanKeywordCategories[index]);
}

}  // namespace miglint
