#pragma once

// The schema of a database as `miglint test` compares it, read from the catalog: every object of the
// schemas that are not PostgreSQL's own, keyed by kind and name, with a definition that changes when
// the object does. Covered: schemas, tables (kind and persistence), columns (type, nullability,
// default, identity, generation), indexes (definition and validity), constraints (definition and
// validity), sequences (type, bounds, increment, cycling), views and materialized views (query),
// functions and procedures (definition), triggers (definition, enabled or not), enum types (labels
// in order), domains and composite types. miglint's own history tables and extension members are left
// out. Comparing row data is not the schema and is not done.
#include <map>
#include <string>
#include <vector>

#include "analyzer/text/expected.hpp"
#include "runner/database.hpp"

namespace miglint::runner {

// "index public.items_kind_idx" -> "CREATE INDEX items_kind_idx ON public.items USING btree (kind)".
using SchemaSnapshot = std::map<std::string, std::string>;

// `history_schema`: where miglint's tables are (left out).
Expected<SchemaSnapshot> read_schema_snapshot(PgSession& session, const std::string& history_schema);

struct SchemaDifference {
  std::string object;
  std::optional<std::string> before;  // nullopt: not in `before`
  std::optional<std::string> after;   // nullopt: not in `after`
};

// The objects that differ, in key order.
std::vector<SchemaDifference> compare_schemas(const SchemaSnapshot& before, const SchemaSnapshot& after);

}  // namespace miglint::runner
