#pragma once

// `miglint lint --stats-from DSN` (docs/table-sizes.md): the sizes of the tables the findings name,
// read by `miglint-runner table-sizes` (beside this executable) so that a lint never loads libpq.
#include <string>
#include <vector>

#include "analyzer/engine/table_sizes.hpp"
#include "analyzer/text/expected.hpp"

namespace miglint {

// One run of the helper for every table; its one-line error (a connection refused) when it fails.
Expected<TableSizes> fetch_table_sizes(const std::string& database_url, const std::vector<TableRef>& tables);

}  // namespace miglint
