#include "analyzer/model/context.hpp"

#include <algorithm>
#include <cstdlib>
#include <iterator>

#include "analyzer/model/transaction_model.hpp"
#include "analyzer/sql/relation.hpp"

namespace miglint {

MigrationContext::MigrationContext(int pg_version, const SchemaHistory* history, std::size_t file_order)
    : pg_version_(pg_version), history_(history), file_order_(file_order) {}

void MigrationContext::start_section(bool wrapped_in_transaction) {
  // A section runs at another time than the one before it (dbmate up vs down): nothing carries over
  // but the transaction numbering.
  uint32_t last_transaction = transaction_.id;
  std::set<uint32_t> unclosed = std::move(unclosed_begins_);
  *this = MigrationContext(pg_version_, history_, file_order_);
  unclosed_begins_ = std::move(unclosed);
  transaction_.id = last_transaction;
  wrapped_ = wrapped_in_transaction;
  begin_transaction();
}

void MigrationContext::start_runner_transaction(bool wrapped_in_transaction) {
  // The runner commits its transaction (or the statement that ran alone ends) and goes on with the
  // same file and session: created objects, session settings and facts carry over.
  end_transaction();
  begin_transaction();
  wrapped_ = wrapped_in_transaction;
}

void MigrationContext::begin_transaction() {
  uint32_t next = transaction_.id + 1;
  transaction_ = TransactionSummary{};
  transaction_.id = next;
}

bool MigrationContext::is_dml_on_existing(const Statement& statement) const {
  std::string_view kind = statement.kind();
  if (kind != "UpdateStmt" && kind != "DeleteStmt" && kind != "InsertStmt" && kind != "MergeStmt") {
    return false;
  }
  return std::any_of(effects_.begin(), effects_.end(),
                     [&](const RelationEffect& e) { return !created_in_file(e.relation); });
}

bool MigrationContext::is_ddl_on_existing(const Statement& statement) const {
  std::string_view kind = statement.kind();
  // Data changes, reads, maintenance and comments are not schema changes.
  if (kind == "UpdateStmt" || kind == "DeleteStmt" || kind == "InsertStmt" || kind == "MergeStmt" ||
      kind == "SelectStmt" || kind == "LockStmt" || kind == "VacuumStmt" || kind == "CopyStmt" ||
      kind == "CommentStmt") {
    return false;
  }
  return std::any_of(effects_.begin(), effects_.end(), [&](const RelationEffect& e) {
    return e.lock >= LockMode::ShareUpdateExclusive && !created_in_file(e.relation);
  });
}

void MigrationContext::end_transaction() {
  wrapped_ = false;
  explicit_transaction_ = false;
  lock_timeout_.local = false;
  statement_timeout_.local = false;
  held_.clear();
  held_index_.clear();
  first_exclusive_on_existing_ = kNone;
}

void MigrationContext::set_program_transaction(std::optional<uint64_t> id) {
  if (id == program_transaction_) {
    return;
  }
  if (program_transaction_) {
    end_transaction();  // the program commits its transaction before the next one or autocommit
  }
  program_transaction_ = id;
  if (id) {
    if (transaction_.statements_before > 0) {
      begin_transaction();
    }
    wrapped_ = true;
  }
}

void MigrationContext::enter(const Statement& statement) {
  nested_begin_ = false;
  if (!in_transaction() && transaction_.statements_before > 0) {
    begin_transaction();  // autocommit: every statement is its own transaction
  }
  opens_unclosed_ = unclosed_begins_.contains(statement.index());
  if (transaction_control(statement) == TransactionControl::Begin) {
    nested_begin_ = in_transaction();
  }
  effects_ = statement_effects(statement, pg_version_, this);
}

void MigrationContext::leave(const Statement& statement, const std::vector<SchemaEvent>& facts) {
  std::string_view kind = statement.kind();
  if (TransactionControl control = transaction_control(statement); control != TransactionControl::None) {
    if (control == TransactionControl::Begin) {
      explicit_transaction_ = true;
      ++transaction_.statements_before;
    } else if (ends_transaction(control)) {
      end_transaction();
      begin_transaction();
    } else {
      record_savepoint(statement.body());
      ++transaction_.statements_before;
    }
    return;
  }
  // What this statement adds to the transaction's summary.
  transaction_.ddl_on_existing = transaction_.ddl_on_existing || is_ddl_on_existing(statement);
  transaction_.dml_on_existing = transaction_.dml_on_existing || is_dml_on_existing(statement);
  if (kind == "AlterTableStmt") {
    std::string table = qualified_name(statement.body()["relation"]);
    for (Node item : statement.body()["cmds"]) {
      Node cmd = item.as("AlterTableCmd");
      Node constraint = cmd["def"].as("Constraint");
      if (cmd["subtype"].str() == "AT_AddConstraint" && constraint["skip_validation"].boolean()) {
        transaction_.not_valid_constraints.insert(table + "." + std::string(constraint["conname"].str()));
      }
    }
  }
  ++transaction_.statements_before;
  if (kind == "VariableSetStmt") {
    record_setting(statement.body());
  } else if (kind == "SelectStmt") {
    record_set_config(statement.body());
  }
  if (in_transaction()) {
    for (const RelationEffect& effect : effects_) {
      if (effect.lock == LockMode::None) {
        continue;
      }
      auto [it, inserted] = held_index_.try_emplace(effect.relation, held_.size());
      if (inserted) {
        held_.push_back(HeldLock{effect.relation, effect.lock, !created_in_file(effect.relation)});
      } else {
        HeldLock& held = held_[it->second];
        held.lock = std::max(held.lock, effect.lock);
      }
      const HeldLock& held = held_[it->second];
      if (held.existing && held.lock == LockMode::AccessExclusive) {
        first_exclusive_on_existing_ = std::min(first_exclusive_on_existing_, it->second);
      }
    }
  }
  record_created(statement);
  record_enum_change(statement);
  // A down migration's facts hold within its own file; the driver does not publish them.
  for (const SchemaEvent& event : facts) {
    event_positions_by_table_[event.table].push_back(in_file_events_.size());
    in_file_events_.push_back(&event);
  }
}

void MigrationContext::record_created(const Statement& statement) {
  Node stmt = statement.body();
  std::string_view kind = statement.kind();
  if (kind == "CreateStmt" || kind == "CreateSeqStmt") {
    created_.insert(qualified_name(kind == "CreateStmt" ? stmt["relation"] : stmt["sequence"]));
  } else if (kind == "CreateTableAsStmt") {
    std::string name = qualified_name(stmt["into"]["rel"]);
    created_.insert(name);
    if (!stmt["into"]["skipData"].boolean()) {
      created_with_data_.insert(name);  // filled by its query: validating a constraint on it scans rows
    }
  } else if (kind == "CreateSchemaStmt") {
    // Every relation of a schema created in this file is new too (DROP SCHEMA ... CASCADE: "s.*").
    created_.insert(std::string(stmt["schemaname"].str()) + ".*");
  } else if (kind == "CreateEnumStmt") {
    created_types_.insert(qualified_name_from_list(stmt["typeName"]));
  } else if (kind == "CreateDomainStmt") {
    created_types_.insert(qualified_name_from_list(stmt["domainname"]));
  } else if (kind == "CompositeTypeStmt") {
    created_types_.insert(qualified_name(stmt["typevar"]));
  } else if (kind == "ViewStmt") {
    created_.insert(qualified_name(stmt["view"]));
  } else if (kind == "IndexStmt" && !stmt["idxname"].str().empty()) {
    // An index lives in its table's schema.
    std::string index = qualified_name(stmt["relation"]["schemaname"].str(), stmt["idxname"].str());
    created_.insert(index);
    created_index_table_[index] = statement.relation_name();
  } else if (kind == "RenameStmt" && stmt["relation"]) {
    std::string old_name = statement.relation_name();
    std::string_view type = stmt["renameType"].str();
    bool renames_relation = type == "OBJECT_TABLE" || type == "OBJECT_INDEX" || type == "OBJECT_VIEW" ||
                            type == "OBJECT_MATVIEW" || type == "OBJECT_SEQUENCE";
    if (renames_relation && created_.contains(old_name)) {
      created_.insert(qualified_name(stmt["relation"]["schemaname"].str(), stmt["newname"].str()));
    }
  }
}

void MigrationContext::record_savepoint(Node transaction_stmt) {
  std::string_view kind = transaction_stmt["kind"].str();
  std::string_view name = transaction_stmt["savepoint_name"].str();
  std::vector<std::string>& open = transaction_.savepoints;
  if (kind == "TRANS_STMT_SAVEPOINT") {
    open.emplace_back(name);
    return;
  }
  if (kind != "TRANS_STMT_RELEASE" && kind != "TRANS_STMT_ROLLBACK_TO") {
    return;
  }
  // The innermost savepoint of that name; RELEASE ends it and those opened after it, ROLLBACK TO
  // only those opened after it.
  auto it = std::find(open.rbegin(), open.rend(), name);
  if (it != open.rend()) {
    open.erase(kind == "TRANS_STMT_RELEASE" ? std::prev(it.base()) : it.base(), open.end());
  }
}

void MigrationContext::record_enum_change(const Statement& statement) {
  // Outside a transaction every statement commits at once: the new value is usable by the next.
  if (!in_transaction()) {
    return;
  }
  Node stmt = statement.body();
  std::string_view kind = statement.kind();
  bool top_level = transaction_.savepoints.empty();
  if (kind == "CreateEnumStmt" && top_level) {
    transaction_.enum_types_created.insert(qualified_name_from_list(stmt["typeName"]));
  }
  // ADD VALUE (not RENAME VALUE). Before 12 it cannot run in a transaction unless the type was
  // created in it, and then its values are usable (typecmds.c, AlterEnum, PostgreSQL 11).
  if (kind != "AlterEnumStmt" || !stmt["oldVal"].str().empty() || pg_version_ < 12) {
    return;
  }
  // PostgreSQL 17 exempts values added to a type created in the same transaction, both at its top
  // level (pg_enum.c, uncommitted_enum_types); 12 to 16 refuse every value added in the transaction.
  if (pg_version_ >= 17 && top_level &&
      transaction_.enum_types_created.contains(qualified_name_from_list(stmt["typeName"]))) {
    return;
  }
  Node names = stmt["typeName"];
  transaction_.uncommitted_enum_labels[std::string(names.at(names.size() - 1).string_value())].insert(
      std::string(stmt["newVal"].str()));
}

namespace {

// Whether a SET value turns the timeout off: 0, '0', '0s', '0ms', '0min'...
bool is_zero_setting(Node value) {
  Node constant = value.as("A_Const");
  if (constant["ival"]) {
    return constant["ival"]["ival"].integer() == 0;
  }
  if (constant["fval"]) {
    return std::strtod(std::string(constant["fval"]["fval"].str()).c_str(), nullptr) == 0.0;
  }
  std::string_view text = constant["sval"]["sval"].str();
  std::size_t digits = text.find_first_not_of("0123456789");
  std::string_view number = text.substr(0, digits);
  std::string_view unit = digits == std::string_view::npos ? std::string_view() : text.substr(digits);
  bool all_zero = !number.empty() && number.find_first_not_of('0') == std::string_view::npos;
  return all_zero && (unit.empty() || unit == "us" || unit == "ms" || unit == "s" || unit == "min" ||
                      unit == "h" || unit == "d");
}

}  // namespace

void MigrationContext::record_setting(Node set_stmt) {
  std::string_view name = set_stmt["name"].str();
  std::string_view kind = set_stmt["kind"].str();
  auto apply = [&](Timeout& timeout) {
    bool on =
        kind == "VAR_SET_VALUE" && set_stmt["args"].size() > 0 && !is_zero_setting(set_stmt["args"].at(0));
    if (set_stmt["is_local"].boolean()) {
      timeout.local = on;
    } else {
      timeout.session = on;
      timeout.local = false;
    }
  };
  if (kind == "VAR_RESET_ALL") {
    lock_timeout_ = {};
    statement_timeout_ = {};
  } else if (name == "lock_timeout") {
    apply(lock_timeout_);
  } else if (name == "statement_timeout") {
    apply(statement_timeout_);
  }
}

void MigrationContext::record_set_config(Node select_stmt) {
  // SELECT set_config('lock_timeout', '2s', is_local)
  for (Node target : select_stmt["targetList"]) {
    Node call = target.as("ResTarget")["val"].as("FuncCall");
    Node names = call["funcname"];
    if (!call || names.at(names.size() - 1).string_value() != "set_config" || call["args"].size() != 3) {
      continue;
    }
    std::string_view name = call["args"].at(0).as("A_Const")["sval"]["sval"].str();
    Timeout* timeout = name == "lock_timeout"        ? &lock_timeout_
                       : name == "statement_timeout" ? &statement_timeout_
                                                     : nullptr;
    if (timeout == nullptr) {
      continue;
    }
    bool on = !is_zero_setting(call["args"].at(1));
    bool local = call["args"].at(2).as("A_Const")["boolval"]["boolval"].boolean();
    (local ? timeout->local : timeout->session) = on;
  }
}

bool MigrationContext::type_created_in_file(const std::string& qualified_type) const {
  return created_types_.contains(qualified_type);
}

bool MigrationContext::created_empty_in_file(const std::string& qualified_relation) const {
  return created_.contains(qualified_relation) && !created_with_data_.contains(qualified_relation);
}

bool MigrationContext::created_in_file(const std::string& qualified_relation) const {
  return created_.contains(qualified_relation);
}

std::optional<std::string> MigrationContext::table_of_index_created_in_file(
    const std::string& qualified_index) const {
  auto it = created_index_table_.find(qualified_index);
  if (it == created_index_table_.end()) {
    return std::nullopt;
  }
  return it->second;
}

std::optional<std::string> MigrationContext::access_exclusive_held_on_existing() const {
  if (first_exclusive_on_existing_ != kNone) {
    return held_[first_exclusive_on_existing_].relation;
  }
  return std::nullopt;
}

TableFacts MigrationContext::table_facts(const std::string& qualified_table) const {
  return table_facts_until(qualified_table, in_file_events_.size(), 0);
}

TableFacts MigrationContext::table_facts_until(const std::string& qualified_table, std::size_t event_count,
                                               int depth) const {
  static const std::vector<std::size_t> no_positions;
  auto found = event_positions_by_table_.find(qualified_table);
  const std::vector<std::size_t>& positions =
      found == event_positions_by_table_.end() ? no_positions : found->second;
  // This table's events before `event_count`.
  auto end = std::lower_bound(positions.begin(), positions.end(), event_count);
  // A rename into this table replaces every fact before it by the old table's facts at the rename:
  // only the last one counts (reading each one in turn took time exponential in the renames).
  auto first = positions.begin();
  std::optional<TableFacts> facts;
  if (depth < 8) {
    for (auto it = end; it != positions.begin(); --it) {
      std::size_t position = *(it - 1);
      const SchemaEvent& event = *in_file_events_[position];
      if (event.kind == SchemaEvent::Kind::TableRenamedFrom) {
        facts = table_facts_until(event.new_name(), position, depth + 1);
        first = it;
        break;
      }
    }
  }
  if (!facts) {
    facts = history_ != nullptr ? history_->facts_before(qualified_table, file_order_) : TableFacts{};
  }
  for (auto it = first; it != end; ++it) {
    facts->apply(*in_file_events_[*it]);
  }
  return std::move(*facts);
}

}  // namespace miglint

namespace miglint {

std::optional<std::string> MigrationContext::column_type(const std::string& table,
                                                         const std::string& column) const {
  return table_facts(table).column_type(column);
}

std::optional<std::string> MigrationContext::table_of_index(const std::string& index) const {
  if (auto table = table_of_index_created_in_file(index)) {
    return table;
  }
  std::string owner = table_facts(index).owning_table;
  return owner.empty() ? std::nullopt : std::optional<std::string>(owner);
}

std::optional<std::string> MigrationContext::foreign_key_target(const std::string& table,
                                                                const std::string& constraint) const {
  TableFacts facts = table_facts(table);
  auto it = facts.foreign_keys.find(constraint);
  return it == facts.foreign_keys.end() ? std::nullopt : std::optional<std::string>(it->second);
}

bool MigrationContext::has_validated_not_null_check(const std::string& table,
                                                    const std::string& column) const {
  return table_facts(table).has_validated_not_null_check(column);
}

std::vector<std::string> MigrationContext::tables_referencing_schema(const std::string& schema) const {
  std::string prefix = schema + ".";
  std::set<std::string> candidates;
  if (history_ != nullptr) {
    for (std::string& table : history_->tables_before(file_order_)) {
      candidates.insert(std::move(table));
    }
  }
  for (const auto& [table, positions] : event_positions_by_table_) {
    candidates.insert(table);
  }
  std::vector<std::string> referencing;
  for (const std::string& table : candidates) {
    if (table.starts_with(prefix)) {
      continue;
    }
    TableFacts facts = table_facts(table);
    auto in_schema = [&](const auto& entry) { return entry.second.starts_with(prefix); };
    if (std::any_of(facts.foreign_keys.begin(), facts.foreign_keys.end(), in_schema) ||
        std::any_of(facts.triggers.begin(), facts.triggers.end(), in_schema)) {
      referencing.push_back(table);
    }
  }
  return referencing;
}

}  // namespace miglint
