#pragma once

// What the ALTER TABLE rules share: which statements they look at, their commands with a span
// each, and readings of column definitions and constraints.
#include <cstddef>
#include <string>
#include <string_view>

#include "rules/rule_support.hpp"

namespace miglint {

// One command of an ALTER TABLE/INDEX/... statement (`ADD COLUMN ...`, `DROP CONSTRAINT ...`): the
// typed command (subtype(), def(), name()...), its position and its span.
class AlterCommand : public pg::AlterTableCmd {
 public:
  AlterCommand(pg::AlterTableCmd command, std::size_t index, const Statement* statement)
      : pg::AlterTableCmd(command), index_(index), statement_(statement) {}

  std::size_t index() const { return index_; }  // position among the statement's commands
  // From the command's first token to just past its last (Statement::subcommand_span), found from
  // the tokens only when asked: most commands are never reported.
  ByteSpan span() const { return statement_->subcommand_span(index_); }

 private:
  std::size_t index_;
  const Statement* statement_;
};

// The commands of an ALTER TABLE statement, in order, each with its index and span:
//   for (const AlterCommand& command : alter_commands(statement)) ...
class AlterCommands {
 public:
  AlterCommands() = default;
  AlterCommands(const Statement& statement, pg::AlterTableStmt alter)
      : statement_(&statement), cmds_(alter.cmds()) {}

  class Iterator {
   public:
    Iterator(const Statement* statement, pg::Repeated<pg::AnyNode>::Iterator it)
        : statement_(statement), it_(it) {}
    AlterCommand operator*() const {
      return AlterCommand((*it_).as<pg::AlterTableCmd>(), index_, statement_);
    }
    Iterator& operator++() {
      ++it_;
      ++index_;
      return *this;
    }
    bool operator!=(const Iterator& other) const { return it_ != other.it_; }

   private:
    const Statement* statement_;
    pg::Repeated<pg::AnyNode>::Iterator it_;
    std::size_t index_ = 0;
  };
  Iterator begin() const { return Iterator(statement_, cmds_.begin()); }
  Iterator end() const { return Iterator(statement_, cmds_.end()); }
  std::size_t size() const { return cmds_.size(); }
  bool empty() const { return cmds_.empty(); }

 private:
  const Statement* statement_ = nullptr;
  pg::Repeated<pg::AnyNode> cmds_;
};

// The commands of an ALTER TABLE (INDEX, SEQUENCE, VIEW... : any AlterTableStmt); none for
// another statement.
AlterCommands alter_commands(const Statement& statement);
// The commands of `alter`, the statement's own view (as altered_existing_table() gives it).
inline AlterCommands alter_commands(const Statement& statement, pg::AlterTableStmt alter) {
  return AlterCommands(statement, alter);
}

// The ALTER TABLE of a table that existed before this file, else an empty view (whose `cmds()` is
// an empty list, so a loop over it does nothing). A table created earlier in the file has no rows
// and no readers yet: none of its changes can block or break anyone.
pg::AlterTableStmt altered_existing_table(const Statement& statement, const MigrationContext& context);
// Its commands: none unless altered_existing_table() finds the statement.
AlterCommands alter_commands_of_existing_table(const Statement& statement, const MigrationContext& context);

// The first constraint of type `type` (CONSTR_DEFAULT...) of a column definition, else empty.
pg::Constraint column_constraint(pg::ColumnDef column_def, pg::ConstrType type);

// The column's DEFAULT expression; empty without one, and for `DEFAULT NULL`, which PostgreSQL does
// not store (the column reads NULL either way).
pg::AnyNode column_default(pg::ColumnDef column_def);

// "serial", "bigserial"... when the column is declared with a serial pseudo-type, else "".
std::string_view serial_type(pg::ColumnDef column_def);

// `constraint "name"` when the constraint is named, else `a <kind> constraint` (kind: "CHECK").
std::string constraint_label(pg::Constraint constraint, std::string_view kind);

}  // namespace miglint
