#pragma once

// What the ALTER TABLE rules share: which statements they look at, and readings of column
// definitions and constraints.
#include <string>
#include <string_view>

#include "rules/rule_support.hpp"

namespace miglint {

// The body of an `ALTER TABLE` of a table that existed before this file, else an empty Node (whose
// `cmds` is an empty list, so a loop over it does nothing). A table created earlier in the file has
// no rows and no readers yet: none of its changes can block or break anyone.
Node alter_of_existing_table(const Statement& statement, const MigrationContext& context);

// The first constraint of type `contype` ("CONSTR_DEFAULT") of a column definition, else empty.
Node column_constraint(Node column_def, std::string_view contype);

// The column's DEFAULT expression; empty without one, and for `DEFAULT NULL`, which PostgreSQL does
// not store (the column reads NULL either way).
Node column_default(Node column_def);

// "serial", "bigserial"... when the column is declared with a serial pseudo-type, else "".
std::string_view serial_type(Node column_def);

// `constraint "name"` when the constraint is named, else `a <kind> constraint` (kind: "CHECK").
std::string constraint_label(Node constraint, std::string_view kind);

}  // namespace miglint
