#include "analyzer/model/schema.hpp"

#include <chrono>

#include <fmt/format.h>

#include <algorithm>

#include "analyzer/sql/pg_nodes.hpp"
#include "analyzer/sql/relation.hpp"

namespace miglint {

std::string normalized_type_name(pg::TypeName type_name) {
  return normalized_type_name(type_name.node());
}

std::string normalized_type_name(Node type_name) {
  Node names = type_name["names"];
  std::string name(names.at(names.size() - 1).string_value());
  std::vector<std::string> modifiers;
  for (Node modifier : type_name["typmods"]) {
    Node constant = modifier.as("A_Const");
    if (constant["ival"]) {
      modifiers.push_back(std::to_string(constant["ival"]["ival"].integer()));
    }
  }
  // The grammar's spellings for the same types.
  if (name == "integer" || name == "int") {
    name = "int4";
  }
  std::string out = name;
  if (!modifiers.empty()) {
    out += "(";
    for (std::size_t i = 0; i < modifiers.size(); ++i) {
      out += (i == 0 ? "" : ",") + modifiers[i];
    }
    out += ")";
  }
  for (std::size_t i = 0; i < type_name["arrayBounds"].size(); ++i) {
    out += "[]";
  }
  return out;
}

namespace {

SchemaEvent make_event(SchemaEvent::Kind kind, std::string table, std::string column = {}) {
  SchemaEvent event{kind, false, std::move(table), std::move(column), {}};
  return event;
}

SchemaEvent typed_column(const std::string& table, std::string column, std::string type) {
  SchemaEvent event = make_event(SchemaEvent::Kind::ColumnTyped, table, std::move(column));
  event.detail = std::move(type);
  return event;
}

SchemaEvent constraint_event(SchemaEvent::Kind kind, const std::string& table, std::string constraint) {
  SchemaEvent event = make_event(kind, table);
  event.name = std::move(constraint);
  return event;
}

SchemaEvent check_added(const std::string& table, Node constraint);

std::string not_null_check_column(Node constraint) {
  Node test = constraint["raw_expr"].as("NullTest");
  if (!test || test["nulltesttype"].str() != "IS_NOT_NULL") {
    return {};
  }
  Node fields = test["arg"].as("ColumnRef")["fields"];
  return fields.size() == 1 ? std::string(fields.at(0).string_value()) : std::string();
}

SchemaEvent check_added(const std::string& table, Node constraint) {
  // An unnamed CHECK gets a name from PostgreSQL that a static analysis does not reproduce; a key
  // of its own (from its position) keeps it from overwriting other unnamed checks.
  std::string name(constraint["conname"].str());
  if (name.empty()) {
    name = "<unnamed check at " + std::to_string(constraint["location"].integer()) + ">";
  }
  SchemaEvent event = constraint_event(SchemaEvent::Kind::CheckAdded, table, name);
  event.detail = not_null_check_column(constraint);
  event.validated = !constraint["skip_validation"].boolean();
  return event;
}

// The type a column is stored as: serial types are integer columns with a sequence default.
std::string storage_type_name(Node type_name) {
  std::string type = normalized_type_name(type_name);
  if (type == "serial" || type == "serial4") {
    return "int4";
  }
  if (type == "bigserial" || type == "serial8") {
    return "int8";
  }
  if (type == "smallserial" || type == "serial2") {
    return "int2";
  }
  return type;
}

void column_events(std::vector<SchemaEvent>& out, const std::string& table, Node column_def) {
  std::string column(column_def["colname"].str());
  out.push_back(typed_column(table, column, storage_type_name(column_def["typeName"])));
  for (Node item : column_def["constraints"]) {
    Node constraint = item.as("Constraint");
    if (constraint["contype"].str() == "CONSTR_CHECK") {
      out.push_back(check_added(table, constraint));
    }
  }
}

void alter_table_events(std::vector<SchemaEvent>& out, Node stmt) {
  std::string table = qualified_name(stmt["relation"]);
  for (Node item : stmt["cmds"]) {
    Node cmd = item.as("AlterTableCmd");
    std::string_view subtype = cmd["subtype"].str();
    std::string name(cmd["name"].str());
    if (subtype == "AT_AddColumn") {
      column_events(out, table, cmd["def"].as("ColumnDef"));
    } else if (subtype == "AT_AlterColumnType") {
      out.push_back(typed_column(table, name, normalized_type_name(cmd["def"].as("ColumnDef")["typeName"])));
    } else if (subtype == "AT_DropColumn") {
      out.push_back(make_event(SchemaEvent::Kind::ColumnDropped, table, name));
    } else if (subtype == "AT_AddConstraint") {
      Node constraint = cmd["def"].as("Constraint");
      std::string_view contype = constraint["contype"].str();
      if (contype == "CONSTR_CHECK") {
        out.push_back(check_added(table, constraint));
      } else if (contype == "CONSTR_FOREIGN" && !constraint["conname"].str().empty()) {
        SchemaEvent fk = constraint_event(SchemaEvent::Kind::ForeignKeyAdded, table,
                                          std::string(constraint["conname"].str()));
        fk.detail = qualified_name(constraint["pktable"]);
        out.push_back(std::move(fk));
      } else if ((contype == "CONSTR_UNIQUE" || contype == "CONSTR_PRIMARY" ||
                  contype == "CONSTR_EXCLUSION") &&
                 !constraint["conname"].str().empty()) {
        // The constraint's index takes the constraint's name.
        std::string schema(stmt["relation"]["schemaname"].str());
        SchemaEvent index =
            make_event(SchemaEvent::Kind::IndexCreated, qualified_name(schema, constraint["conname"].str()));
        index.detail = table;
        out.push_back(std::move(index));
      }
    } else if (subtype == "AT_ValidateConstraint") {
      out.push_back(constraint_event(SchemaEvent::Kind::ConstraintValidated, table, name));
    } else if (subtype == "AT_DropConstraint") {
      out.push_back(constraint_event(SchemaEvent::Kind::ConstraintDropped, table, name));
    }
  }
}

}  // namespace

std::vector<SchemaEvent> schema_events(const Statement& statement) {
  std::vector<SchemaEvent> out;
  Node stmt = statement.body();
  std::string_view kind = statement.kind();
  if (kind == "CreateStmt") {
    std::string table = statement.relation_name();
    out.push_back(make_event(SchemaEvent::Kind::TableCreated, table));
    for (Node element : stmt["tableElts"]) {
      if (Node column = element.as("ColumnDef")) {
        column_events(out, table, column);
      } else if (Node constraint = element.as("Constraint"); constraint["contype"].str() == "CONSTR_CHECK") {
        out.push_back(check_added(table, constraint));
      }
    }
  } else if (kind == "AlterTableStmt" && stmt["objtype"].str() == "OBJECT_TABLE") {
    alter_table_events(out, stmt);
  } else if (kind == "DropStmt" && stmt["removeType"].str() == "OBJECT_TABLE") {
    for (Node object : stmt["objects"]) {
      out.push_back(
          make_event(SchemaEvent::Kind::TableDropped, qualified_name_from_list(object.as("List")["items"])));
    }
  } else if (kind == "CreateTrigStmt") {
    // Which function a trigger runs: DROP SCHEMA ... CASCADE (or DROP FUNCTION ... CASCADE) of the
    // function's schema drops the trigger, under ACCESS EXCLUSIVE on its table.
    SchemaEvent trigger = constraint_event(SchemaEvent::Kind::TriggerAdded, statement.relation_name(),
                                           std::string(stmt["trigname"].str()));
    trigger.detail = qualified_name_from_list(stmt["funcname"]);
    out.push_back(std::move(trigger));
  } else if (kind == "DropStmt" && stmt["removeType"].str() == "OBJECT_TRIGGER") {
    for (Node object : stmt["objects"]) {
      Node names = object.as("List")["items"];
      std::size_t count = names.size();
      if (count >= 2) {
        std::string_view table = names.at(count - 2).string_value();
        std::string_view schema_name = count >= 3 ? names.at(count - 3).string_value() : std::string_view();
        out.push_back(constraint_event(SchemaEvent::Kind::TriggerDropped, qualified_name(schema_name, table),
                                       std::string(names.at(count - 1).string_value())));
      }
    }
  } else if (kind == "DropStmt" && stmt["removeType"].str() == "OBJECT_INDEX") {
    for (Node object : stmt["objects"]) {
      out.push_back(
          make_event(SchemaEvent::Kind::IndexDropped, qualified_name_from_list(object.as("List")["items"])));
    }
  } else if (kind == "IndexStmt" && !stmt["idxname"].str().empty()) {
    SchemaEvent index =
        make_event(SchemaEvent::Kind::IndexCreated,
                   qualified_name(stmt["relation"]["schemaname"].str(), stmt["idxname"].str()));
    index.detail = statement.relation_name();
    out.push_back(std::move(index));
  } else if (kind == "RenameStmt" && stmt["relation"]) {
    std::string table = statement.relation_name();
    std::string_view type = stmt["renameType"].str();
    if (type == "OBJECT_INDEX") {
      // Facts do not follow a renamed index either.
      out.push_back(make_event(SchemaEvent::Kind::IndexDropped, table));
    } else if (type == "OBJECT_COLUMN") {
      SchemaEvent rename =
          make_event(SchemaEvent::Kind::ColumnRenamed, table, std::string(stmt["subname"].str()));
      rename.detail = stmt["newname"].str();
      out.push_back(std::move(rename));
    } else if (type == "OBJECT_TABLE") {
      // The new name takes the old table's facts (folds follow the rename back); the old name is gone.
      SchemaEvent renamed =
          make_event(SchemaEvent::Kind::TableRenamedFrom,
                     qualified_name(stmt["relation"]["schemaname"].str(), stmt["newname"].str()));
      renamed.detail = table;
      out.push_back(std::move(renamed));
      out.push_back(make_event(SchemaEvent::Kind::TableDropped, table));
    }
  }
  return out;
}

void TableFacts::apply(const SchemaEvent& event) {
  switch (event.kind) {
    case SchemaEvent::Kind::TableCreated:
    case SchemaEvent::Kind::TableDropped:
    case SchemaEvent::Kind::TableFactsLost:
    case SchemaEvent::Kind::TableRenamedFrom:  // folds replace this with the old table's facts
    case SchemaEvent::Kind::IndexDropped:
      column_types.clear();
      checks.clear();
      foreign_keys.clear();
      triggers.clear();
      owning_table.clear();
      break;
    case SchemaEvent::Kind::TriggerAdded:
      triggers[event.constraint()] = event.new_name();
      break;
    case SchemaEvent::Kind::TriggerDropped:
      triggers.erase(event.constraint());
      break;
    case SchemaEvent::Kind::IndexCreated:
      owning_table = event.new_name();
      break;
    case SchemaEvent::Kind::ForeignKeyAdded:
      foreign_keys[event.constraint()] = event.new_name();
      break;
    case SchemaEvent::Kind::ColumnTyped:
      column_types[event.column()] = event.type();
      break;
    case SchemaEvent::Kind::ColumnDropped:
      column_types.erase(event.column());
      std::erase_if(checks,
                    [&](const auto& entry) { return entry.second.not_null_column == event.column(); });
      break;
    case SchemaEvent::Kind::ColumnRenamed: {
      auto it = column_types.find(event.column());
      if (it != column_types.end()) {
        column_types[event.new_name()] = it->second;
        column_types.erase(it);
      }
      for (auto& [name, check] : checks) {
        if (check.not_null_column == event.column()) {
          check.not_null_column = event.new_name();
        }
      }
      break;
    }
    case SchemaEvent::Kind::CheckAdded:
      checks[event.constraint()] = Check{event.not_null_column(), event.validated};
      break;
    case SchemaEvent::Kind::ConstraintValidated:
      if (auto it = checks.find(event.constraint()); it != checks.end()) {
        it->second.validated = true;
      }
      break;
    case SchemaEvent::Kind::ConstraintDropped:
      checks.erase(event.constraint());
      foreign_keys.erase(event.constraint());
      break;
  }
}

std::optional<std::string> TableFacts::column_type(const std::string& column) const {
  auto it = column_types.find(column);
  if (it == column_types.end()) {
    return std::nullopt;
  }
  return it->second;
}

bool TableFacts::has_validated_not_null_check(const std::string& column) const {
  return std::any_of(checks.begin(), checks.end(), [&](const auto& entry) {
    return entry.second.validated && entry.second.not_null_column == column;
  });
}

SchemaHistory::SchemaHistory(std::size_t file_count) {
  for (std::size_t file = 0; file < file_count; ++file) {
    begin_file(file, 0);
  }
  end_set(0);
}

void SchemaHistory::begin_file(std::size_t file_order, uint32_t set) {
  std::unique_lock lock(events_mutex_);
  set_of_file_[file_order] = set;
  ++sets_[set].files_open;
}

void SchemaHistory::end_set(uint32_t set) {
  std::unique_lock lock(events_mutex_);
  SetState& state = sets_[set];
  state.ended = true;
  if (state.files_open == 0) {
    drop_set(set);
  }
}

void SchemaHistory::file_done(std::size_t file_order) {
  std::unique_lock lock(events_mutex_);
  auto file = set_of_file_.find(file_order);
  if (file == set_of_file_.end()) {
    return;
  }
  uint32_t set = file->second;
  set_of_file_.erase(file);
  SetState& state = sets_[set];
  if (--state.files_open == 0 && state.ended) {
    drop_set(set);
  }
}

void SchemaHistory::drop_set(uint32_t set) {
  sets_.erase(set);
  std::string prefix = std::to_string(set) + "/";
  std::erase_if(events_by_table_, [&](const auto& entry) { return entry.first.starts_with(prefix); });
}

void SchemaHistory::publish_if_unpublished(std::size_t file_order) {
  {
    std::lock_guard lock(mutex_);
    std::size_t prefix = published_prefix_.load();
    if (file_order < prefix || (file_order - prefix < published_after_prefix_.size() &&
                                published_after_prefix_[file_order - prefix])) {
      return;
    }
  }
  publish(file_order, {});
}

void SchemaHistory::publish(std::size_t file_order, std::vector<SchemaEvent> events) {
  if (!events.empty()) {
    std::unique_lock events_lock(events_mutex_);
    uint32_t set = set_of_file_.at(file_order);
    // Room for each table's events first: a list grown by doubling held up to twice a table's
    // events (200,000 renamed columns of one table).
    std::unordered_map<std::string, std::size_t> added;
    for (const SchemaEvent& event : events) {
      ++added[event.table];
    }
    for (const auto& [table, count] : added) {
      auto& list = events_by_table_[key(set, table)];
      if (list.capacity() < list.size() + count) {
        // Still doubling across files, which add a few events each to the same tables.
        list.reserve(std::max(list.size() + count, 2 * list.size()));
      }
    }
    added.clear();
    for (auto& event : events) {
      auto& list = events_by_table_[key(set, event.table)];
      // Keep each table's events in migration order; events of one file keep their own order.
      auto position =
          std::upper_bound(list.begin(), list.end(), file_order,
                           [](std::size_t order, const auto& entry) { return order < entry.first; });
      list.insert(position, {file_order, std::move(event)});
    }
  }
  {
    std::lock_guard lock(mutex_);
    std::size_t prefix = published_prefix_.load();
    std::size_t slot = file_order - prefix;
    if (published_after_prefix_.size() <= slot) {
      published_after_prefix_.resize(slot + 1, false);
    }
    published_after_prefix_[slot] = true;
    while (!published_after_prefix_.empty() && published_after_prefix_.front()) {
      published_after_prefix_.pop_front();
      ++prefix;
    }
    published_prefix_.store(prefix);
    if (waiting_ == 0) {
      return;  // nobody to wake: spare the system call
    }
  }
  published_cv_.notify_all();
}

void SchemaHistory::wait_for_files_before(std::size_t file_order) {
  if (published_prefix_.load() >= file_order) {
    return;
  }
  // The file before is usually being parsed on the other core right now: a short busy wait (CPU
  // pause instructions, no system calls) avoids putting this thread to sleep and waking it again.
  // On the corpus, 1 file in 6 waits here: half of those for under 16 us, a few for milliseconds.
  // Spinning with sched_yield instead put ~6% of the run's CPU in the scheduler (perf); 100 us of
  // pauses gave the best wall time for the same CPU time as 0, 20 or yields (A/B on the corpus).
  constexpr auto kSpinLimit = std::chrono::microseconds(100);
  auto spin_until = std::chrono::steady_clock::now() + kSpinLimit;
  for (unsigned spin = 1;; ++spin) {
    if (published_prefix_.load() >= file_order) {
      return;
    }
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
    if (spin % 64 == 0 && std::chrono::steady_clock::now() >= spin_until) {
      break;
    }
  }
  std::unique_lock lock(mutex_);
  ++waiting_;
  published_cv_.wait(lock, [&] { return published_prefix_.load() >= file_order; });
  --waiting_;
}

TableFacts SchemaHistory::facts_before(const std::string& table, std::size_t file_order) const {
  std::shared_lock lock(events_mutex_);
  auto file = set_of_file_.find(file_order);
  if (file == set_of_file_.end()) {
    return {};
  }
  return fold(file->second, table, file_order, false, 0);
}

std::vector<std::string> SchemaHistory::tables_before(std::size_t file_order) const {
  std::shared_lock lock(events_mutex_);
  std::vector<std::string> tables;
  auto file = set_of_file_.find(file_order);
  if (file == set_of_file_.end()) {
    return tables;
  }
  std::string prefix = std::to_string(file->second) + "/";
  for (const auto& [set_and_table, events] : events_by_table_) {
    if (set_and_table.starts_with(prefix) && !events.empty() && events.front().first < file_order) {
      tables.push_back(set_and_table.substr(prefix.size()));
    }
  }
  return tables;
}

TableFacts SchemaHistory::fold(uint32_t set, const std::string& table, std::size_t file_order, bool into_file,
                               int depth) const {
  TableFacts facts;
  auto it = events_by_table_.find(key(set, table));
  if (it == events_by_table_.end()) {
    return facts;
  }
  for (const auto& [order, event] : it->second) {
    if (order > file_order || (order == file_order && !into_file)) {
      break;
    }
    if (order == file_order && event.kind == SchemaEvent::Kind::TableDropped) {
      break;  // the rename's own drop of the old name
    }
    if (event.kind == SchemaEvent::Kind::TableRenamedFrom && depth < 8) {
      facts = fold(set, event.new_name(), order, true, depth + 1);
      continue;
    }
    facts.apply(event);
  }
  return facts;
}

}  // namespace miglint
