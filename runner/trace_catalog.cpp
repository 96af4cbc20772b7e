#include "runner/trace_catalog.hpp"

#include <fmt/format.h>

#include "analyzer/model/lock_conflicts.hpp"

namespace miglint::runner {

namespace {

constexpr const char* kUserSchemas =
    "n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_temp\\_%' "
    "AND n.nspname NOT LIKE 'pg\\_toast\\_temp\\_%'";

char first_char(const std::optional<std::string>& value) {
  return value && !value->empty() ? (*value)[0] : ' ';
}

}  // namespace

Expected<RelationFiles> read_relation_files(PgSession& session) {
  PgOutcome found =
      session.query(fmt::format("SELECT c.oid::text, n.nspname || '.' || c.relname, c.relkind::text, "
                                "c.relfilenode::text FROM pg_class c "
                                "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE {}",
                                kUserSchemas));
  if (!found.ok) {
    return Error{fmt::format("cannot read pg_class: {}", found.error.message)};
  }
  RelationFiles files;
  for (const PgRow& row : found.rows) {
    files[row[0].value_or("")] =
        CatalogRelation{row[1].value_or(""), first_char(row[2]), row[3].value_or("0")};
  }
  return files;
}

Expected<Constraints> read_constraints(PgSession& session) {
  PgOutcome found = session.query(
      fmt::format("SELECT c.oid::text, c.conname, "
                  "COALESCE(n.nspname || '.' || r.relname, 'domain ' || c.contypid::regtype::text), "
                  "COALESCE(c.conrelid::text, ''), c.contype::text, c.convalidated::text "
                  "FROM pg_constraint c LEFT JOIN pg_class r ON r.oid = c.conrelid "
                  "LEFT JOIN pg_namespace n ON n.oid = COALESCE(r.relnamespace, c.connamespace) "
                  "WHERE {}",
                  kUserSchemas));
  if (!found.ok) {
    return Error{fmt::format("cannot read pg_constraint: {}", found.error.message)};
  }
  Constraints constraints;
  for (const PgRow& row : found.rows) {
    std::string relation = row[3].value_or("");
    constraints[row[0].value_or("")] = CatalogConstraint{row[1].value_or(""), row[2].value_or(""),
                                                         relation == "0" ? std::string() : relation,
                                                         first_char(row[4]), row[5].value_or("") == "true"};
  }
  return constraints;
}

Expected<std::vector<SessionLock>> read_session_locks(PgSession& session, int pid) {
  PgOutcome found = session.query(
      fmt::format("SELECT l.relation::text, n.nspname || '.' || c.relname, c.relkind::text, l.mode "
                  "FROM pg_locks l LEFT JOIN pg_class c ON c.oid = l.relation "
                  "LEFT JOIN pg_namespace n ON n.oid = c.relnamespace "
                  "WHERE l.locktype = 'relation' AND l.pid = $1 "
                  "AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
                  "AND (c.oid IS NULL OR ({}))",
                  kUserSchemas),
      {std::to_string(pid)});
  if (!found.ok) {
    return Error{fmt::format("cannot read pg_locks: {}", found.error.message)};
  }
  std::vector<SessionLock> locks;
  for (const PgRow& row : found.rows) {
    std::optional<LockMode> mode = lock_mode_from_pg_locks(row[3].value_or(""));
    if (mode) {
      // A relation the statement dropped has no pg_class row any more: named from a snapshot taken
      // before it (name_dropped_relations), or left out.
      locks.push_back(
          SessionLock{row[0].value_or(""), row[1].value_or(""), row[2] ? first_char(row[2]) : ' ', *mode});
    }
  }
  return locks;
}

void name_relations_from(std::vector<SessionLock>& locks, const RelationFiles& before) {
  for (SessionLock& lock : locks) {
    if (auto found = before.find(lock.oid); found != before.end()) {
      lock.relation = found->second.name;  // a renamed relation keeps the name it had
      lock.kind = found->second.kind;
    }
  }
  std::erase_if(locks, [](const SessionLock& lock) { return lock.relation.empty(); });
}

Expected<bool> foreign_key_has_index(PgSession& session, const std::string& constraint_oid) {
  PgOutcome found = session.query(
      "SELECT (NOT EXISTS (SELECT 1 FROM pg_constraint WHERE oid = $1::oid) OR "
      "EXISTS (SELECT 1 FROM pg_constraint c JOIN pg_index i ON i.indrelid = c.conrelid "
      "WHERE c.oid = $1::oid AND i.indisvalid AND i.indpred IS NULL "
      "AND (string_to_array(i.indkey::text, ' ')::int2[])[1:cardinality(c.conkey)] @> c.conkey "
      "AND (string_to_array(i.indkey::text, ' ')::int2[])[1:cardinality(c.conkey)] <@ c.conkey))::text",
      {constraint_oid});
  if (!found.ok || found.rows.empty()) {
    return Error{fmt::format("cannot read pg_index: {}", found.error.message)};
  }
  return found.rows[0][0].value_or("") == "true";
}

std::string relation_kind_name(char kind) {
  switch (kind) {
    case 'r':
      return "table";
    case 'p':
      return "partitioned table";
    case 'i':
      return "index";
    case 'I':
      return "partitioned index";
    case 'S':
      return "sequence";
    case 't':
      return "toast table";
    case 'v':
      return "view";
    case 'm':
      return "materialized view";
    case 'c':
      return "composite type";
    case 'f':
      return "foreign table";
    default:
      return "relation";
  }
}

std::string constraint_type_name(char type) {
  switch (type) {
    case 'c':
      return "check";
    case 'f':
      return "foreign key";
    case 'p':
      return "primary key";
    case 'u':
      return "unique";
    case 'x':
      return "exclusion";
    case 't':
      return "trigger";
    case 'n':
      return "not null";
    default:
      return "constraint";
  }
}

}  // namespace miglint::runner
