#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "analyzer/model/lock_model.hpp"
#include "analyzer/sql/tokens.hpp"

namespace miglint {

// What is known of a statement the PostgreSQL 17 grammar cannot parse (valid PostgreSQL 18 or 19),
// read from its tokens alone: the locks it takes and, when it is a hazard, the finding to report.
// Only statements whose hazard the tokens settle are read (REPACK; ALTER TABLE ... ADD CONSTRAINT n NOT
// NULL col [NOT VALID] as its only command); others give nothing.
struct TokenHazard {
  std::vector<RelationEffect> effects;  // the locks it takes, as the lock model would say
  std::string rule;                     // the rule that reports it ("" when it is no hazard)
  std::string message;
  std::string help;
  std::string relation;  // the qualified table it names ("" for a database-wide form)
};

// `tokens` are the statement's tokens (comments included or not) within `text`.
std::optional<TokenHazard> token_hazard(std::string_view text, const std::vector<Token>& tokens);

}  // namespace miglint
