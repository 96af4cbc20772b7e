// require-lock-timeout and require-statement-timeout: the SET goes on the line before the statement
// the finding is on (the first that needs it), with the value of the [run] table (or the runner's
// default). Inside a transaction it is SET LOCAL, which ends with the transaction; on its own a SET,
// which lasts for the session, as the migration tool's session is the migration's.
#include <fmt/format.h>

#include "fixes/timeout_fixes.hpp"

namespace miglint {

namespace {

std::optional<Fix> fix_setting(const Statement& statement, const FileFixContext& context,
                               std::string_view setting, const std::string& value) {
  if (value.empty()) {
    return std::nullopt;
  }
  const TransactionSegment* segment = segment_of(context.plan, statement.index());
  if (segment == nullptr) {
    return std::nullopt;
  }
  bool in_transaction = segment->kind != TransactionSegment::Kind::Autocommit;
  // BEGIN or COMMIT inside the tool's transaction (transaction-nesting): where a SET LOCAL would end
  // is not clear; no fix.
  if (const PlanSection* section = section_of(context.plan, statement.index());
      section != nullptr && segment->kind == TransactionSegment::Kind::Wrapped) {
    for (std::size_t i = section->first; i < section->last; ++i) {
      if (context.plan.statements[i].control != TransactionControl::None) {
        return std::nullopt;
      }
    }
  }
  // A BEGIN is not wrapped in another transaction: the SET goes after it (the statement is not the BEGIN).
  std::string line = fmt::format("SET {}{} = '{}';\n", in_transaction ? "LOCAL " : "", setting, value);
  Fix fix;
  fix.description = fmt::format("set {} before the statement", setting);
  fix.edits.push_back(insert_lines_before(statement, line));
  return fix;
}

}  // namespace

std::optional<Fix> fix_lock_timeout(const Finding& /*finding*/, const Statement& statement,
                                    const FileFixContext& context) {
  return fix_setting(statement, context, "lock_timeout", context.settings.lock_timeout);
}

std::optional<Fix> fix_statement_timeout(const Finding& /*finding*/, const Statement& statement,
                                         const FileFixContext& context) {
  return fix_setting(statement, context, "statement_timeout", context.settings.statement_timeout);
}

}  // namespace miglint
