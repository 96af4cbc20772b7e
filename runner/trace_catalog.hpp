#pragma once

// What `miglint trace` reads from the catalog around each statement: the session's relation locks
// (pg_locks), the relations' file nodes (pg_class.relfilenode: a new one is a rewrite) and the
// constraints (pg_constraint). Bookkeeping queries only; the objects of PostgreSQL's own schemas
// are left out.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "analyzer/model/lock_model.hpp"
#include "analyzer/text/expected.hpp"
#include "runner/database.hpp"

namespace miglint::runner {

struct CatalogRelation {
  std::string name;  // "public.users" (schema and name as stored, unquoted)
  char kind = 'r';   // pg_class.relkind
  std::string filenode;
};
// By pg_class oid.
using RelationFiles = std::map<std::string, CatalogRelation>;

struct SessionLock {
  std::string oid;
  std::string relation;
  char kind = 'r';
  LockMode mode = LockMode::None;
  bool operator==(const SessionLock& other) const { return oid == other.oid && mode == other.mode; }
};

struct CatalogConstraint {
  std::string name;
  std::string on;            // "public.users" or "domain public.email"
  std::string relation_oid;  // empty for a domain's constraint
  char type = 'c';           // pg_constraint.contype
  bool valid = false;
};
// By pg_constraint oid.
using Constraints = std::map<std::string, CatalogConstraint>;

Expected<RelationFiles> read_relation_files(PgSession& session);
Expected<Constraints> read_constraints(PgSession& session);
// The relation locks of the backend `pid` (the session's own: pass its backend_pid()), granted or
// awaited, on relations outside PostgreSQL's own schemas. A relation dropped in the transaction has
// an empty name: name_relations_from names it.
Expected<std::vector<SessionLock>> read_session_locks(PgSession& session, int pid);
// Names the locks' relations as `before` (a snapshot taken before the statement) knows them: a
// relation the statement dropped or renamed by its earlier name. Locks of relations known to neither
// (PostgreSQL's own, dropped ones) are left out.
void name_relations_from(std::vector<SessionLock>& locks, const RelationFiles& before);

// Whether the referencing table of the foreign key `constraint_oid` has a valid, non-partial index
// whose leading columns are exactly the key's columns (in any order): what a referenced row's delete or
// key update needs to find the referencing rows without reading the whole table. A foreign key that
// is gone (dropped later in the file) needs none: true.
Expected<bool> foreign_key_has_index(PgSession& session, const std::string& constraint_oid);

// "table", "index", "sequence", "toast table", ... for a pg_class.relkind.
std::string relation_kind_name(char kind);
// "check", "foreign key", ... for a pg_constraint.contype.
std::string constraint_type_name(char type);
// A table, partitioned table or materialized view: what the static lock model speaks of.
inline bool is_table_like(char kind) {
  return kind == 'r' || kind == 'p' || kind == 'm';
}

}  // namespace miglint::runner
