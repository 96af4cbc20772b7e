#pragma once

#include <string_view>
#include <vector>

namespace miglint {

// A rule's documentation page, rules/docs/<id>.md, embedded at build time.
struct RuleDoc {
  std::string_view id;
  std::string_view markdown;
};

const std::vector<RuleDoc>& rule_docs();
// The page of `id`, or "" when there is none.
std::string_view rule_doc(std::string_view id);

}  // namespace miglint
