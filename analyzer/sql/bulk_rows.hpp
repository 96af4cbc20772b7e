#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace miglint {

// The text the SQL front end parses instead of `text` when that has rows of data no rule reads: a
// copy of the same length (every offset, line and comment where it was) in which the constant rows
// of plain `INSERT INTO t [(cols)] VALUES (...), (...)` statements are blanked to spaces, all but
// the first value of the first row. A seed file's million-row INSERT then costs a parse tree of one
// value instead of gigabytes, and the statement still parses as the same INSERT into the same
// table and columns (what the lock model, the transaction model and the DML rules look at).
//
// A row counts as constant when, by the tokens, it holds only numbers, plain '...' strings, NULL,
// TRUE, FALSE, DEFAULT, signs and commas, calls of functions on those (`now()`, `lower('X')`),
// typed literals (`DATE '...'`, `E'...'`), CURRENT_TIMESTAMP and its kin, and casts (`'a'::mood`):
// nothing that names a column, a relation, a parameter or a subquery, read by a small grammar so
// that a row PostgreSQL would not parse is kept (its syntax error stays). Rows are kept whole inside
// BEGIN ATOMIC bodies, and wherever a string in them could be an enum label the file adds with
// ALTER TYPE ... ADD VALUE before them (the one rule that reads INSERT values,
// enum-value-used-in-same-transaction, looks for exactly those).
// Returns nullopt when nothing would be blanked.
std::optional<std::string> without_bulk_rows(std::string_view text);

}  // namespace miglint
