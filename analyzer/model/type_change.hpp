#pragma once

#include <optional>
#include <string>

namespace miglint {

// Whether ALTER COLUMN ... TYPE rewrites the table (and rebuilds its indexes) on PostgreSQL 15.
enum class TypeChange {
  NoRewrite,   // binary-coercible: only the catalog changes
  Rewrite,     // every row is rewritten under ACCESS EXCLUSIVE
  UnknownOld,  // the column's current type is not known: assume a rewrite
};

// `old_type` and `new_type` are normalised names (schema.hpp normalized_type_name): "int4",
// "varchar(20)", "numeric(10,2)". A USING clause always rewrites. Binary-coercible changes:
// varchar(n) -> varchar(m >= n), varchar or text; varchar <-> text; numeric(p,s) -> numeric(q >= p, s)
// or numeric; cidr -> inet; citext -> text; bit varying(n) -> bit varying(m >= n); the same type.
// Array columns are rewritten by any element change. timestamp(p) -> timestamp(q >= p) (and time,
// timetz, timestamptz, interval) keeps the stored values.
// timestamp <-> timestamptz skips the rewrite only when the server's TimeZone is UTC, which a static
// analysis cannot know: it counts as a rewrite.
TypeChange classify_type_change(const std::optional<std::string>& old_type, const std::string& new_type,
                                bool has_using);

}  // namespace miglint
