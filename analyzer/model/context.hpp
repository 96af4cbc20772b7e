#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "analyzer/model/lock_model.hpp"
#include "analyzer/model/schema.hpp"
#include "analyzer/sql/statement.hpp"

namespace miglint {

// A lock held in the current transaction, and whether its relation existed before this file
// (locks on tables created in the same transaction block nobody).
struct HeldLock {
  std::string relation;
  LockMode lock = LockMode::None;
  bool existing = true;
};

// The current transaction as seen before a statement. Outside an explicit or assumed transaction
// every statement is a transaction of its own.
struct TransactionSummary {
  uint32_t id = 0;                              // distinct per transaction within a file
  uint32_t statements_before = 0;               // statements of this transaction before the current one
  bool ddl_on_existing = false;                 // an earlier statement changed an existing relation's schema
  bool dml_on_existing = false;                 // an earlier statement wrote rows of an existing relation
  std::set<std::string> not_valid_constraints;  // "public.t.constraint" added NOT VALID in it
  // Enum labels that ALTER TYPE ... ADD VALUE added in it and that PostgreSQL refuses to use until
  // the transaction commits (SQLSTATE 55P04), by the type's unqualified name, as column types
  // carry it: "order_status" -> {"refunded"}. Always empty before PostgreSQL 12, where ADD VALUE
  // either cannot run in a transaction or adds to a type created in it, whose values are usable.
  std::map<std::string, std::set<std::string>> uncommitted_enum_labels;
  // Enum types created in it outside any savepoint ("public.mood"): from PostgreSQL 17 on, values
  // added to them outside a savepoint are usable at once.
  std::set<std::string> enum_types_created;
  std::vector<std::string> savepoints;  // open savepoints, innermost last
};

// What rules know about the migration around a statement: transaction state, objects created
// earlier in the file, timeouts in effect, locks held so far, schema facts and the target version.
class MigrationContext : public SchemaLookup {
 public:
  MigrationContext(int pg_version, const SchemaHistory* history, std::size_t file_order);

  // The driver starts a section (the whole file, or a dbmate up/down section) and walks its
  // statements: enter() before the rules see a statement, leave() after.
  void start_section(bool wrapped_in_transaction);
  // Within a section, the runner ends its transaction (or the statement run alone) and starts the
  // next segment of its plan (see transaction_plan.hpp): in a transaction of its own when
  // `wrapped_in_transaction`, else outside any.
  void start_runner_transaction(bool wrapped_in_transaction);
  void enter(const Statement& statement);
  // For SQL embedded in a program (C++): the statements that follow run inside the program's
  // transaction `id` (a libpqxx transaction object), or in autocommit (nullopt). A change of
  // transaction ends the previous one (the program commits it); the file's other state carries over.
  void set_program_transaction(std::optional<uint64_t> id);
  // `facts` are the schema events the statement teaches (see schema_events()); the context keeps
  // pointers to them, so they must outlive it.
  void leave(const Statement& statement, const std::vector<SchemaEvent>& facts);

  int pg_version() const { return pg_version_; }
  bool in_transaction() const { return wrapped_ || explicit_transaction_; }
  // The transaction was opened by the file itself (BEGIN), not assumed from the migration tool.
  bool transaction_is_explicit() const { return explicit_transaction_; }
  // The transaction is the calling program's (see set_program_transaction), not the file's.
  bool transaction_is_program() const { return wrapped_ && program_transaction_.has_value(); }
  // The statement opens a transaction while one is already open.
  bool nested_begin() const { return nested_begin_; }
  bool created_in_file(const std::string& qualified_relation) const;
  // Created earlier in the file and empty then (CREATE TABLE; not CREATE TABLE AS with data).
  bool created_empty_in_file(const std::string& qualified_relation) const;
  // An enum, domain or composite type created earlier in the file ("public.mood").
  bool type_created_in_file(const std::string& qualified_type) const;
  // For an index created earlier in the file: its table; else nullopt.
  std::optional<std::string> table_of_index_created_in_file(const std::string& qualified_index) const;
  bool lock_timeout_set() const { return lock_timeout_.active(in_transaction()); }
  bool statement_timeout_set() const { return statement_timeout_.active(in_transaction()); }

  // The current statement's effects, from the lock model.
  const std::vector<RelationEffect>& effects() const { return effects_; }
  // Locks held before the current statement in the current transaction.
  const std::vector<HeldLock>& held_locks() const { return held_; }
  // A relation that existed before the file and is held in ACCESS EXCLUSIVE by this transaction.
  std::optional<std::string> access_exclusive_held_on_existing() const;

  // Facts about a table: earlier files (in migration order), then this file up to here.
  TableFacts table_facts(const std::string& qualified_table) const;
  // SchemaLookup, for the lock model.
  std::optional<std::string> column_type(const std::string& table, const std::string& column) const override;
  std::optional<std::string> table_of_index(const std::string& index) const override;
  std::optional<std::string> foreign_key_target(const std::string& table,
                                                const std::string& constraint) const override;
  bool has_validated_not_null_check(const std::string& table, const std::string& column) const override;
  std::vector<std::string> tables_referencing_schema(const std::string& schema) const override;

  const TransactionSummary& transaction() const { return transaction_; }
  // For a BEGIN: the transaction it opens is never committed or rolled back in its section.
  bool opens_unclosed_transaction() const { return opens_unclosed_; }
  // The driver tells which statements (by index) open a transaction left open.
  void set_unclosed_begins(std::set<uint32_t> statement_indexes) {
    unclosed_begins_ = std::move(statement_indexes);
  }
  // Whether the statement changes an existing relation's schema, or writes its rows.
  bool is_ddl_on_existing(const Statement& statement) const;
  bool is_dml_on_existing(const Statement& statement) const;

 private:
  struct Timeout {
    bool session = false;
    bool local = false;
    bool active(bool in_transaction) const { return session || (local && in_transaction); }
  };
  void end_transaction();
  void begin_transaction();
  // The table's facts after the first `event_count` events of this file, following renames.
  TableFacts table_facts_until(const std::string& qualified_table, std::size_t event_count, int depth) const;
  void record_created(const Statement& statement);
  void record_setting(Node set_stmt);
  void record_savepoint(Node transaction_stmt);
  void record_enum_change(const Statement& statement);
  void record_set_config(Node select_stmt);

  int pg_version_;
  const SchemaHistory* history_;
  std::size_t file_order_;
  bool wrapped_ = false;
  std::optional<uint64_t> program_transaction_;
  bool explicit_transaction_ = false;
  bool nested_begin_ = false;
  Timeout lock_timeout_;
  Timeout statement_timeout_;
  std::set<std::string> created_;
  std::set<std::string> created_types_;
  std::set<std::string> created_with_data_;
  std::unordered_map<std::string, std::string> created_index_table_;
  std::vector<RelationEffect> effects_;
  std::vector<HeldLock> held_;
  std::unordered_map<std::string, std::size_t> held_index_;  // relation -> its position in held_
  // The first entry of held_ that existed before the file and is held in ACCESS EXCLUSIVE (kNone
  // when none): kept as locks are taken, so asking for it costs nothing per statement.
  static constexpr std::size_t kNone = static_cast<std::size_t>(-1);
  std::size_t first_exclusive_on_existing_ = kNone;
  // The events leave() was given, in order: they are the driver's (StatementFacts), which outlive
  // the context; a copy of each was a fifth of the memory of a file of 100,000 CREATE INDEX.
  std::vector<const SchemaEvent*> in_file_events_;
  // Positions in in_file_events_ of each table's events, ascending: looking a table's facts up
  // reads its own events only (scanning every event per lookup made DDL-heavy files quadratic).
  std::unordered_map<std::string, std::vector<std::size_t>> event_positions_by_table_;
  TransactionSummary transaction_;
  std::set<uint32_t> unclosed_begins_;
  bool opens_unclosed_ = false;
};

}  // namespace miglint
