#include "rules/registry.hpp"

#include <algorithm>
#include <vector>

namespace miglint {

// One line per rule; each is defined in rules/<id with underscores>.cpp.
extern const Rule kBanConcurrentIndexCreationInTransaction;
extern const Rule kBanDropColumn;
extern const Rule kBanDropDatabase;
extern const Rule kBanDropTable;
extern const Rule kBanTruncateCascade;
extern const Rule kRenamingColumn;
extern const Rule kRenamingTable;
extern const Rule kRequireConcurrentIndexCreation;
extern const Rule kRequireConcurrentIndexDeletion;
extern const Rule kSyntaxError;
extern const Rule kUnbatchedDelete;
extern const Rule kUnbatchedUpdate;
extern const Rule kUnsupportedSyntax;
extern const Rule kUnusedIgnore;

std::span<const Rule> all_rules() {
  static const std::vector<Rule> rules = [] {
    std::vector<Rule> list = {
        kBanConcurrentIndexCreationInTransaction,
        kBanDropColumn,
        kBanDropDatabase,
        kBanDropTable,
        kBanTruncateCascade,
        kRenamingColumn,
        kRenamingTable,
        kRequireConcurrentIndexCreation,
        kRequireConcurrentIndexDeletion,
        kSyntaxError,
        kUnbatchedDelete,
        kUnbatchedUpdate,
        kUnsupportedSyntax,
        kUnusedIgnore,
    };
    std::sort(list.begin(), list.end(), [](const Rule& a, const Rule& b) { return a.id < b.id; });
    return list;
  }();
  return rules;
}

}  // namespace miglint
