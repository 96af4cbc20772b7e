#pragma once

#include <string>

#include "analyzer/model/context.hpp"
#include "analyzer/model/rule.hpp"
#include "analyzer/sql/ast.hpp"
#include "analyzer/sql/pg_nodes.hpp"
#include "analyzer/sql/statement.hpp"

namespace miglint {

// Whether an UPDATE or DELETE touches one bounded batch of rows. It does when at least one
// top-level AND conjunct of its WHERE clause is (literals and $n parameters count as constants):
//  - a two-sided bound on one column: `id >= a AND id < b`, `id BETWEEN a AND b` (ctid included);
//  - equality or IN on constants: `id = 5`, `id IN (1, 2)`, `id = ANY($1)`;
//  - IN, `= ANY(ARRAY(...))` against a subquery with LIMIT, or against a CTE with LIMIT;
// or when it joins (UPDATE ... FROM, DELETE ... USING) a subquery or CTE with LIMIT under a WHERE
// join condition. `WHERE CURRENT OF cursor` (one row) counts too; `LIMIT ALL` is no limit.
bool is_batched_dml(pg::UpdateStmt update);
bool is_batched_dml(pg::DeleteStmt delete_stmt);

// The shared check of unbatched-update and unbatched-delete, for an UPDATE or a DELETE statement
// (nothing for another kind).
void check_unbatched_dml(const Statement& statement, const MigrationContext& context, RuleOutput& out,
                         std::string_view verb);

}  // namespace miglint
