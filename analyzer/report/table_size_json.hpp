#pragma once

// The size of a finding's table as the JSON report (`"table"`) and SARIF (`result.properties.table`)
// carry it, with `lint --stats-from` only (docs/table-sizes.md): one place for the shape.
#include <string>

#include "analyzer/model/finding.hpp"

namespace miglint {

// {"name": "orders", "schema": null, "relation": "public.orders", "exists": true, "new": false,
//  "rows": 48000000, "bytes": 9771050598, "lowered": false}; "" when the finding has no size.
// `schema` is null for an unqualified name; `relation` is the catalog's (null for a new table);
// `new`: not in the database, or created earlier in the migration; rows and bytes null when unknown.
std::string table_size_json(const Finding& finding);

}  // namespace miglint
