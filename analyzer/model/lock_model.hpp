#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "analyzer/sql/statement.hpp"

namespace miglint {

// PostgreSQL's table-level lock modes, weakest first (the order of the documentation's table).
enum class LockMode {
  None,
  AccessShare,
  RowShare,
  RowExclusive,
  ShareUpdateExclusive,
  Share,
  ShareRowExclusive,
  Exclusive,
  AccessExclusive,
};

// "ACCESS EXCLUSIVE", spelled as PostgreSQL's documentation spells it.
std::string_view lock_mode_name(LockMode mode);

// What one statement does to one relation.
struct RelationEffect {
  // Qualified name, "public.users"; or a set of relations no statement names one by one (see
  // relation_set_label): "*", every table of the database (CLUSTER, VACUUM FULL, REPACK without a
  // table); "billing.*", every relation of schema billing (DROP SCHEMA billing CASCADE).
  std::string relation;
  LockMode lock = LockMode::None;
  bool rewrite = false;  // the table (and its indexes) is rewritten
  bool scan = false;     // the table is read in full (validation, index build, DML without a key)
};

inline constexpr std::string_view kEveryTable = "*";
// Whether `relation` stands for a set of relations ("*", "schema.*").
bool is_relation_set(std::string_view relation);
// "every table of the database", "every relation of schema \"billing\"": for messages, where a
// single relation is quoted instead.
std::string relation_set_label(std::string_view relation);

// What the lock model may ask about the schema (known from earlier migrations and statements).
class SchemaLookup {
 public:
  virtual ~SchemaLookup() = default;
  virtual std::optional<std::string> column_type(const std::string& table,
                                                 const std::string& column) const = 0;
  virtual std::optional<std::string> table_of_index(const std::string& index) const = 0;
  virtual std::optional<std::string> foreign_key_target(const std::string& table,
                                                        const std::string& constraint) const = 0;
  // A validated CHECK (column IS NOT NULL) is known on the table.
  virtual bool has_validated_not_null_check(const std::string& table, const std::string& column) const = 0;
  // Tables outside `schema` with a foreign key known to reference a table of `schema`, or a trigger
  // known to execute a function of `schema`: DROP SCHEMA ... CASCADE drops those constraints and
  // triggers, under ACCESS EXCLUSIVE on their table.
  virtual std::vector<std::string> tables_referencing_schema(const std::string& /*schema*/) const {
    return {};
  }
};

// Whether ALTER TABLE `table` ALTER COLUMN `column` SET NOT NULL reads the whole table: it does,
// unless (from PostgreSQL 12 on) a validated CHECK (column IS NOT NULL) proves no row holds NULL.
// The lock model and the adding-not-nullable-field rule both ask this.
bool set_not_null_scans(const std::string& table, const std::string& column, int pg_version,
                        const SchemaLookup* schema);

// The lock model: the relations a statement locks and how, for a target PostgreSQL major version.
// With `schema`, an index's table, a column's current type (is a type change binary-coercible?),
// a foreign key's referenced table and validated NOT NULL checks are taken into account.
std::vector<RelationEffect> statement_effects(const Statement& statement, int pg_version,
                                              const SchemaLookup* schema = nullptr);

}  // namespace miglint
