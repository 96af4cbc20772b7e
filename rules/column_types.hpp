#pragma once

// What the type-hygiene rules share: the columns whose type a statement chooses, and where.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rules/rule_support.hpp"

namespace miglint {

// A column whose type a statement chooses: a column of CREATE TABLE, ALTER TABLE ... ADD COLUMN,
// or ALTER TABLE ... ALTER COLUMN ... TYPE.
struct TypedColumn {
  std::string_view column;     // the column's name
  pg::RangeVar relation;       // the table
  std::string_view type;       // the last part of the type's name: "int4", "varchar", "serial", "bpchar"
  bool has_modifiers = false;  // varchar(20), bpchar(3); `char` alone is bpchar(1) too
  bool is_array = false;

  // From the column's name to the end of its type: `price numeric(10,2)`. Found from the tokens
  // only when asked: most columns are never reported.
  ByteSpan span() const;
  // The type as written, `numeric(10,2)` (normalised when its position is not known).
  std::string written_type() const;
  // Where the type is written (`numeric(10,2)`), when the parse tree says; for fixes.
  std::optional<ByteSpan> type_span() const;

  const Statement* statement = nullptr;
  pg::ColumnDef column_def;  // the column's definition (for ALTER COLUMN ... TYPE, the new type's)
  pg::TypeName type_name;
};

// The typed columns of a CREATE TABLE or ALTER TABLE statement, in order. Tables created earlier in
// the file are included: a new table is exactly where types are chosen. Seven rules ask for them:
// found once per statement and kept with it.
const std::vector<TypedColumn>& typed_columns(const Statement& statement);

// `"column" of table "t"` for messages.
std::string column_label(const TypedColumn& column);
// The column's table, quoted for messages: `"t"`.
std::string quoted_table_name(const TypedColumn& column);

}  // namespace miglint
