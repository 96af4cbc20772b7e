#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "analyzer/sql/statement.hpp"

namespace miglint {

namespace pg {
class TypeName;  // analyzer/sql/pg_nodes.hpp
}  // namespace pg

// A schema fact that a statement teaches: a column's type, a CHECK constraint and whether it is
// validated. Facts are keyed by qualified table name and folded in migration order.
struct SchemaEvent {
  enum class Kind {
    TableCreated,      // resets the table's facts
    TableDropped,      // forgets them
    TableFactsLost,    // changed beyond what is tracked
    TableRenamedFrom,  // `table` is the new name, `new_name` the old one: the old table's facts carry over
    ColumnTyped,       // column declared or retyped: `type`
    ColumnDropped,
    ColumnRenamed,        // `column` renamed to `new_name`
    CheckAdded,           // CHECK `constraint`; `not_null_column` when it is `col IS NOT NULL`
    ConstraintValidated,  // VALIDATE CONSTRAINT `constraint`
    ConstraintDropped,
    ForeignKeyAdded,  // FOREIGN KEY `constraint` referencing table `new_name`
    IndexCreated,     // `table` is the index; `new_name` the table it belongs to
    IndexDropped,     // `table` is the index
    TriggerAdded,     // trigger `constraint` on `table`, executing function `new_name` ("r.f")
    TriggerDropped,   // trigger `constraint` on `table`
  };
  Kind kind;
  bool validated = false;  // CheckAdded
  std::string table;
  // No event names both a column and a constraint, nor two of a type, a new name and a CHECK's
  // column: two strings hold them (an event is kept three times, per statement, in the file's
  // context and in the history, and a file may create 100,000 indexes).
  std::string name;    // column() or constraint()
  std::string detail;  // type(), new_name() or not_null_column()

  const std::string& column() const { return name; }
  const std::string& constraint() const { return name; }
  const std::string& type() const { return detail; }  // normalised: "int4", "varchar(20)", "numeric(10,2)"
  const std::string& new_name() const { return detail; }
  const std::string& not_null_column() const { return detail; }
};

// The facts statement teaches, in order.
std::vector<SchemaEvent> schema_events(const Statement& statement);
// "int4", "varchar(255)", "timestamptz", "text[]" for a TypeName node.
std::string normalized_type_name(Node type_name);
std::string normalized_type_name(pg::TypeName type_name);

// What is known about one table after folding events.
struct TableFacts {
  struct Check {
    std::string not_null_column;
    bool validated = false;
  };
  std::map<std::string, std::string> column_types;
  std::map<std::string, Check> checks;
  std::map<std::string, std::string> foreign_keys;  // constraint -> referenced table
  std::map<std::string, std::string> triggers;      // trigger -> the function it executes
  std::string owning_table;                         // for an index: its table

  void apply(const SchemaEvent& event);
  std::optional<std::string> column_type(const std::string& column) const;
  bool has_validated_not_null_check(const std::string& column) const;
};

// Facts learned from the up migrations of a run, shared across worker threads. Each file
// publishes its events under its position in migration order; a file's rules see the facts of the
// files before it only, so the result does not depend on thread timing.
//
// Facts stay within a migration set (a directory of migrations; for diesel's `<version>/up.sql`,
// the directory above). Files join their set as they are read (begin_file), in migration order; a
// set's facts are dropped once no later file can join it (end_set) and its files are done, so
// memory depends on the sets and files in flight, not on how many files a run lints.
class SchemaHistory {
 public:
  SchemaHistory() = default;
  // `file_count` files, all in one set that stays (for callers that lint a known list).
  explicit SchemaHistory(std::size_t file_count);

  // File `file_order` belongs to `set`; files begin in migration order, each before it publishes.
  void begin_file(std::size_t file_order, uint32_t set);
  // No file begins in `set` from now on: its facts go once its files are done.
  void end_set(uint32_t set);
  // Every file must publish exactly once (an empty list for down migrations and broken files).
  void publish(std::size_t file_order, std::vector<SchemaEvent> events);
  // Publishes nothing for `file_order` unless it has published already: for a file whose reading
  // failed partway (an internal error), so that the files after it do not wait for it forever.
  void publish_if_unpublished(std::size_t file_order);
  // Blocks until every file before `file_order` has published.
  void wait_for_files_before(std::size_t file_order);
  // The table's facts from the files before `file_order` (in the same migration set).
  TableFacts facts_before(const std::string& table, std::size_t file_order) const;
  // The tables (and indexes) of `file_order`'s set that the files before it taught a fact about.
  std::vector<std::string> tables_before(std::size_t file_order) const;
  // The file is linted (it reads no more facts): once its set has ended and every file of it is
  // done, the set's facts are dropped.
  void file_done(std::size_t file_order);

 private:
  struct SetState {
    std::size_t files_open = 0;  // begun and not done
    bool ended = false;
  };
  mutable std::mutex mutex_;                // publication state and its condition variable
  mutable std::shared_mutex events_mutex_;  // sets and events: many readers, one writer at a time
  std::condition_variable published_cv_;
  std::deque<bool> published_after_prefix_;                // files [prefix, prefix + size): published?
  std::atomic<std::size_t> published_prefix_{0};           // files [0, prefix) have all published
  std::size_t waiting_ = 0;                                // threads blocked in wait_for_files_before
  std::unordered_map<std::size_t, uint32_t> set_of_file_;  // files begun and not done
  std::unordered_map<uint32_t, SetState> sets_;
  // Keyed by set and table ("3/public.users").
  std::unordered_map<std::string, std::vector<std::pair<std::size_t, SchemaEvent>>> events_by_table_;
  static std::string key(uint32_t set, const std::string& table) { return std::to_string(set) + "/" + table; }
  void drop_set(uint32_t set);  // events_mutex_ held
  // Folds a table's events in `set` before `file_order` (through it, up to the table's first drop
  // there, with `into_file`), following renames back to the old name. events_mutex_ is held.
  TableFacts fold(uint32_t set, const std::string& table, std::size_t file_order, bool into_file,
                  int depth) const;
};

}  // namespace miglint
