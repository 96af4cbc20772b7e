#pragma once

// Size-aware findings (docs/table-sizes.md): the sizes of the tables findings name, read from a
// database's catalog by `lint --stats-from` and `plan`, shown in the findings' messages, and findings
// on small or new tables lowered to notes. Nothing here touches a database: the sizes come in as
// values (the runner's table_stats.hpp reads them).
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "analyzer/model/finding.hpp"

namespace miglint {

// `[lint] small_table_rows`: findings whose hazard grows with the table are lowered to notes on
// tables with fewer rows.
inline constexpr int64_t kDefaultSmallTableRows = 10000;

// The catalog's answer per table as findings name it: (schema as written, "" when unqualified; name).
using TableKey = std::pair<std::string, std::string>;
using TableSizes = std::map<TableKey, TableSize>;

inline TableKey table_key(const TableRef& table) {
  return {table.schema, table.name};
}

// The distinct tables the findings name (not those created earlier in their migration, which are
// new whatever the database holds), in first-seen order: the one batched catalog query asks for these.
std::vector<TableRef> tables_to_look_up(const std::vector<Finding>& findings);

// Gives each finding that names a table its size, and the message its description
// (`...; "orders": ~48 M rows, 9.1 GB`); lowers those whose hazard grows with the table
// (TableRef::scales_with_size) to notes when the table has fewer than `small_table_rows` rows, is
// not in the database, or was created earlier in the migration, and says so in the message.
// Findings without a table are left as they are. `lower` false: sizes only (`plan`, whose findings
// need an approval whatever their table's size).
void apply_table_sizes(std::vector<Finding>& findings, const TableSizes& sizes, int64_t small_table_rows,
                       bool lower = true);
void apply_table_size(Finding& finding, const TableSizes& sizes, int64_t small_table_rows, bool lower = true);

// A relation as the lock model names it ("public.orders", "orders" when it has no schema) as a
// table to look up.
TableRef table_ref_of_relation(const std::string& qualified);

// "~48 M rows", "~120 rows", "~4.8 k rows": an estimate, two significant digits above 1,000.
std::string describe_row_estimate(int64_t rows);
// "9.1 GB", "480 MB", "1.2 TB", "8 KB" (powers of 1024, as PostgreSQL's pg_size_pretty).
std::string describe_table_bytes(int64_t bytes);
// `~48 M rows, 9.1 GB`, `new table, not in the database`, `row count unknown (never analyzed), 9.1 GB`.
std::string describe_table_size(const TableSize& size);

// "public.orders" as a finding's table is written: "orders" or "app.orders".
std::string display_table(const TableRef& table);

}  // namespace miglint
