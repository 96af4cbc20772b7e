#pragma once

#include <string>
#include <string_view>

#include "analyzer/sql/ast.hpp"
#include "analyzer/sql/pg_view_support.hpp"

namespace miglint {

namespace pg {
class RangeVar;  // analyzer/sql/pg_nodes.hpp
}  // namespace pg

// "schema.name" for a RangeVar node; unqualified names are taken to live in `public`, the
// default search_path, so that `t` and `public.t` are the same relation.
std::string qualified_name(Node range_var);
std::string qualified_name(std::string_view schema, std::string_view name);
// The same for a name list such as DROP's objects: [{"String": "s"}, {"String": "t"}].
std::string qualified_name_from_list(Node names);
// Text for messages: the name as written ("t" or "s.t").
std::string display_name(Node range_var);

// The same over the typed views, for code that reads the parse tree through them (rules/).
std::string qualified_name(pg::RangeVar range_var);
std::string qualified_name_from_list(pg::Repeated<pg::AnyNode> names);
std::string display_name(pg::RangeVar range_var);

}  // namespace miglint
