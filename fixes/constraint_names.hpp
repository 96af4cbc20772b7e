#pragma once

// The names PostgreSQL gives constraints written without one, so that a fix can write the name
// PostgreSQL would have chosen (`ADD CONSTRAINT orders_customer_id_fkey FOREIGN KEY ...`) and
// validate the constraint by that name later. Follows PostgreSQL's own code (12 to 17):
//  - a foreign key: ChooseForeignKeyConstraintNameAddition (tablecmds.c) joins the referencing
//    columns with `_`, then makeObjectName (indexcmds.c) builds `<table>_<columns>_fkey`;
//  - a CHECK: AddRelationNewConstraints (heap.c) names it `<table>_<column>_check` when its
//    expression reads exactly one column, else `<table>_check`;
//  - makeObjectName keeps the result within 63 bytes (NAMEDATALEN - 1), cutting the longer of the
//    two names first, at a character boundary (pg_mbcliplen, UTF-8 assumed).
// ChooseConstraintName then appends a number (`_fkey1`) when a constraint of that name exists in
// the schema: what the database holds is unknown to a static fix, so it gives no name where the
// file itself holds another constraint of that name (ConstraintNameClaims).
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "analyzer/sql/pg_nodes.hpp"
#include "analyzer/sql/statement.hpp"

namespace miglint {

// makeObjectName(name1, name2, label); `name2` empty: none (no underscore for it).
std::string postgres_object_name(std::string_view name1, std::string_view name2, std::string_view label);

// The name of an unnamed FOREIGN KEY or CHECK `constraint` of `table` (its relname), as PostgreSQL
// chooses it when no other constraint of the schema has that name; `column` is the column of a
// column constraint (`ADD COLUMN c int REFERENCES u`), empty for a table constraint. nullopt: another
// kind of constraint, or a CHECK whose columns cannot be told from its text (a qualified or
// whole-row reference).
std::optional<std::string> unnamed_constraint_name(std::string_view table, pg::Constraint constraint,
                                                   std::string_view column);

// How many constraints of a file claim each name, by schema ("schema name"): the names written
// and the names PostgreSQL gives the unnamed foreign keys and checks, of CREATE TABLE and ALTER
// TABLE statements. A fix names an unnamed constraint only when its name is claimed once (by it).
class ConstraintNameClaims {
 public:
  void add_statement(const Statement& statement);
  int claims(std::string_view schema, std::string_view name) const;

 private:
  void claim(std::string_view schema, std::string_view name);
  std::map<std::string, int, std::less<>> claims_;
};

}  // namespace miglint
