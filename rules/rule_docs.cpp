#include "rules/rule_docs.hpp"

namespace miglint {

std::string_view rule_doc(std::string_view id) {
  for (const RuleDoc& doc : rule_docs()) {
    if (doc.id == id) {
      return doc.markdown;
    }
  }
  return {};
}

}  // namespace miglint
