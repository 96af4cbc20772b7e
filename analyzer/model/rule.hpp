#pragma once

#include <array>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "analyzer/model/finding.hpp"
#include "analyzer/sql/pg_view_support.hpp"
#include "analyzer/sql/statement.hpp"

namespace miglint {

class MigrationContext;
using pg::NodeKind;

// What a rule reports: where, what is wrong (naming the table and the lock), and the safe way.
struct RuleHit {
  ByteSpan span;
  std::string message;
  std::string help;
  TableRef table;  // the table the hit is about, if one (Finding::table)
};

// Collects a rule's hits for one statement. `once(key)` is the rule's memory within one file: true
// the first time a key is seen, for rules that report once per file or per transaction.
class RuleOutput {
 public:
  RuleOutput() = default;
  explicit RuleOutput(std::unordered_set<std::string>* memory) : memory_(memory) {}

  void report(ByteSpan span, std::string message, std::string help, TableRef table = {}) {
    hits_.push_back(RuleHit{span, std::move(message), std::move(help), std::move(table)});
  }
  bool once(const std::string& key) { return memory_ == nullptr || memory_->insert(key).second; }
  std::vector<RuleHit>& hits() { return hits_; }

 private:
  std::vector<RuleHit> hits_;
  std::unordered_set<std::string>* memory_ = nullptr;
};

using RuleCheck = void (*)(const Statement& statement, const MigrationContext& context, RuleOutput& out);

// A rule: metadata plus a pure check function. Rules see one statement and the context before it;
// they do no I/O. Rules whose `check` is null are reported by the lint driver itself
// (syntax-error, unsupported-syntax, unused-ignore).
struct Rule {
  std::string_view id;
  Severity severity;
  std::string_view summary;
  std::array<std::string_view, 3> tags;  // unused entries are empty
  RuleCheck check;
  // The statement kinds `check` looks at ({NodeKind::RenameStmt}): the driver calls it for those
  // statements only. Unused entries are NodeKind::None; none given: every statement.
  std::array<pg::NodeKind, 6> kinds = {};
  bool can_disable = true;
  // Behaviour depends on --pg-version: the catalog test then requires fixtures at several versions.
  bool version_dependent = false;

  bool looks_at_every_statement() const {
    for (pg::NodeKind kind : kinds) {
      if (kind != pg::NodeKind{}) {
        return false;
      }
    }
    return true;
  }

  bool has_tag(std::string_view tag) const {
    for (std::string_view t : tags) {
      if (t == tag) {
        return true;
      }
    }
    return false;
  }
};

// Ids of the rules the driver reports itself.
inline constexpr std::string_view kSyntaxErrorRule = "syntax-error";
inline constexpr std::string_view kUnsupportedSyntaxRule = "unsupported-syntax";
inline constexpr std::string_view kUnusedIgnoreRule = "unused-ignore";
inline constexpr std::string_view kMalformedIgnoreRule = "malformed-ignore";

}  // namespace miglint
