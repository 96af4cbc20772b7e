#include "analyzer/model/lock_model.hpp"

#include <algorithm>

#include "analyzer/model/schema.hpp"
#include "analyzer/model/type_change.hpp"
#include "analyzer/model/volatility.hpp"
#include "analyzer/sql/relation.hpp"

namespace miglint {

std::string_view lock_mode_name(LockMode mode) {
  switch (mode) {
    case LockMode::None:
      return "NONE";
    case LockMode::AccessShare:
      return "ACCESS SHARE";
    case LockMode::RowShare:
      return "ROW SHARE";
    case LockMode::RowExclusive:
      return "ROW EXCLUSIVE";
    case LockMode::ShareUpdateExclusive:
      return "SHARE UPDATE EXCLUSIVE";
    case LockMode::Share:
      return "SHARE";
    case LockMode::ShareRowExclusive:
      return "SHARE ROW EXCLUSIVE";
    case LockMode::Exclusive:
      return "EXCLUSIVE";
    case LockMode::AccessExclusive:
      return "ACCESS EXCLUSIVE";
  }
  return "NONE";
}

bool is_relation_set(std::string_view relation) {
  return relation == kEveryTable || relation.ends_with(".*");
}

std::string relation_set_label(std::string_view relation) {
  if (relation == kEveryTable) {
    return "every table of the database";
  }
  relation.remove_suffix(2);
  return "every relation of schema \"" + std::string(relation) + "\"";
}

bool set_not_null_scans(const std::string& table, const std::string& column, int pg_version,
                        const SchemaLookup* schema) {
  return !(pg_version >= 12 && schema != nullptr && schema->has_validated_not_null_check(table, column));
}

namespace {

class EffectList {
 public:
  void add(const std::string& relation, LockMode lock, bool rewrite = false, bool scan = false) {
    if (relation.empty() || relation == "public.") {
      return;
    }
    auto it = std::find_if(effects_.begin(), effects_.end(),
                           [&](const RelationEffect& e) { return e.relation == relation; });
    if (it == effects_.end()) {
      effects_.push_back(RelationEffect{relation, lock, rewrite, scan});
      return;
    }
    it->lock = std::max(it->lock, lock);
    it->rewrite = it->rewrite || rewrite;
    it->scan = it->scan || scan;
  }
  std::vector<RelationEffect> take() { return std::move(effects_); }

 private:
  std::vector<RelationEffect> effects_;
};

// An option of a parenthesised option list that is on: `(FULL)`, `(FULL true)`, `(FULL 1)`; not
// `(FULL false)` or `(FULL 0)`.
bool has_option(Node options, std::string_view name) {
  for (Node option : options) {
    Node element = option.as("DefElem");
    if (element["defname"].str() != name) {
      continue;
    }
    Node arg = element["arg"];
    if (!arg) {
      return true;
    }
    std::string_view text = arg.as("String")["sval"].str();
    if (Node integer = arg.as("Integer")) {
      return integer["ival"].integer() != 0;
    }
    return text != "false" && text != "off" && text != "0" && text != "no";
  }
  return false;
}

// Column-definition constraints of ADD COLUMN that make PostgreSQL rewrite the table.
bool column_definition_rewrites(Node column_def, int pg_version) {
  if (!column_def["identity"].str().empty()) {
    return true;
  }
  std::string_view type =
      column_def["typeName"]["names"].at(column_def["typeName"]["names"].size() - 1).string_value();
  if (type == "serial" || type == "bigserial" || type == "smallserial" || type == "serial4" ||
      type == "serial8" || type == "serial2") {
    return true;
  }
  for (Node constraint : column_def["constraints"]) {
    std::string_view contype = constraint.as("Constraint")["contype"].str();
    if (contype == "CONSTR_IDENTITY" || contype == "CONSTR_GENERATED") {
      return true;
    }
    // A default is stored in the catalog from PostgreSQL 11 on, unless it is volatile: then every
    // existing row gets its own value, written by a rewrite.
    // DEFAULT NULL stores no default at all.
    bool null_default = constraint["raw_expr"].as("A_Const")["isnull"].boolean();
    if (contype == "CONSTR_DEFAULT" && !null_default &&
        (pg_version < 11 || !is_non_volatile_expression(constraint["raw_expr"]))) {
      return true;
    }
  }
  return false;
}

void add_constraint_effects(EffectList& effects, const std::string& table, Node constraint) {
  std::string_view contype = constraint["contype"].str();
  bool not_valid = constraint["skip_validation"].boolean();
  if (contype == "CONSTR_FOREIGN") {
    // Both tables take SHARE ROW EXCLUSIVE; validation scans the referencing table.
    effects.add(table, LockMode::ShareRowExclusive, false, !not_valid);
    effects.add(qualified_name(constraint["pktable"]), LockMode::ShareRowExclusive);
    return;
  }
  if (contype == "CONSTR_CHECK") {
    effects.add(table, LockMode::AccessExclusive, false, !not_valid);
    return;
  }
  if (contype == "CONSTR_PRIMARY" || contype == "CONSTR_UNIQUE" || contype == "CONSTR_EXCLUSION") {
    // Builds an index under ACCESS EXCLUSIVE unless an existing index is adopted.
    bool using_index = !constraint["indexname"].str().empty();
    effects.add(table, LockMode::AccessExclusive, false, !using_index);
    return;
  }
  effects.add(table, LockMode::AccessExclusive);
}

void alter_table_effects(EffectList& effects, Node stmt, int pg_version, const SchemaLookup* schema) {
  std::string table = qualified_name(stmt["relation"]);
  for (Node item : stmt["cmds"]) {
    Node cmd = item.as("AlterTableCmd");
    std::string_view subtype = cmd["subtype"].str();
    if (subtype == "AT_AddColumn") {
      Node def = cmd["def"].as("ColumnDef");
      effects.add(table, LockMode::AccessExclusive, column_definition_rewrites(def, pg_version));
      for (Node constraint : def["constraints"]) {
        Node c = constraint.as("Constraint");
        std::string_view contype = c["contype"].str();
        if (contype == "CONSTR_FOREIGN") {
          effects.add(qualified_name(c["pktable"]), LockMode::ShareRowExclusive);
        } else if (contype == "CONSTR_PRIMARY" || contype == "CONSTR_UNIQUE") {
          effects.add(table, LockMode::AccessExclusive, false, true);
        }
      }
    } else if (subtype == "AT_AddConstraint") {
      add_constraint_effects(effects, table, cmd["def"].as("Constraint"));
    } else if (subtype == "AT_ValidateConstraint") {
      effects.add(table, LockMode::ShareUpdateExclusive, false, true);
      // Validating a foreign key reads the referenced table under ROW SHARE.
      if (schema != nullptr) {
        if (auto target = schema->foreign_key_target(table, std::string(cmd["name"].str()))) {
          effects.add(*target, LockMode::RowShare);
        }
      }
    } else if (subtype == "AT_SetNotNull") {
      effects.add(table, LockMode::AccessExclusive, false,
                  set_not_null_scans(table, std::string(cmd["name"].str()), pg_version, schema));
    } else if (subtype == "AT_AlterColumnType") {
      Node def = cmd["def"].as("ColumnDef");
      std::optional<std::string> old_type;
      if (schema != nullptr) {
        old_type = schema->column_type(table, std::string(cmd["name"].str()));
      }
      TypeChange change = classify_type_change(old_type, normalized_type_name(def["typeName"]),
                                               static_cast<bool>(def["raw_default"]));
      effects.add(table, LockMode::AccessExclusive, change != TypeChange::NoRewrite);
    } else if (subtype == "AT_SetTableSpace" || subtype == "AT_SetLogged" || subtype == "AT_SetUnLogged" ||
               subtype == "AT_SetAccessMethod" || subtype == "AT_SetExpression") {
      // SET EXPRESSION (PostgreSQL 17) recomputes a stored generated column: a rewrite.
      effects.add(table, LockMode::AccessExclusive, true);
    } else if (subtype == "AT_SetStatistics" || subtype == "AT_SetOptions" || subtype == "AT_ResetOptions" ||
               subtype == "AT_ClusterOn" || subtype == "AT_DropCluster" || subtype == "AT_SetRelOptions" ||
               subtype == "AT_ResetRelOptions" || subtype == "AT_DetachPartitionFinalize") {
      effects.add(table, LockMode::ShareUpdateExclusive);
    } else if (subtype.starts_with("AT_EnableTrig") || subtype.starts_with("AT_DisableTrig") ||
               subtype == "AT_EnableAlwaysTrig" || subtype == "AT_EnableReplicaTrig") {
      effects.add(table, LockMode::ShareRowExclusive);
    } else if (subtype == "AT_AttachPartition" && stmt["objtype"].str() == "OBJECT_INDEX") {
      // ALTER INDEX parent ATTACH PARTITION child: catalog only, on the two indexes.
      effects.add(table, LockMode::ShareUpdateExclusive);
      effects.add(qualified_name(cmd["def"].as("PartitionCmd")["name"]), LockMode::AccessExclusive);
    } else if (subtype == "AT_AttachPartition") {
      // The parent takes SHARE UPDATE EXCLUSIVE from 12 on; the partition is scanned to prove its bound.
      effects.add(table, pg_version >= 12 ? LockMode::ShareUpdateExclusive : LockMode::AccessExclusive);
      effects.add(qualified_name(cmd["def"].as("PartitionCmd")["name"]), LockMode::AccessExclusive, false,
                  true);
    } else if (subtype == "AT_DetachPartition") {
      bool concurrent = cmd["def"].as("PartitionCmd")["concurrent"].boolean();
      LockMode mode = concurrent ? LockMode::ShareUpdateExclusive : LockMode::AccessExclusive;
      effects.add(table, mode);
      effects.add(qualified_name(cmd["def"].as("PartitionCmd")["name"]), mode);
    } else {
      effects.add(table, LockMode::AccessExclusive);
    }
  }
}

void drop_effects(EffectList& effects, Node stmt, const SchemaLookup* schema) {
  std::string_view type = stmt["removeType"].str();
  // DROP SCHEMA s CASCADE drops every object of the schema, each under ACCESS EXCLUSIVE, and what
  // depends on them elsewhere: foreign keys of other tables and triggers running the schema's
  // functions (ACCESS EXCLUSIVE on those tables; the ones earlier migrations added are known),
  // views. Which relations the schema holds is not known statically: the set "s.*". Without
  // CASCADE it fails unless the schema is empty, and then locks no table.
  if (type == "OBJECT_SCHEMA" && stmt["behavior"].str() == "DROP_CASCADE") {
    for (Node object : stmt["objects"]) {
      std::string name(object.string_value());
      effects.add(name + ".*", LockMode::AccessExclusive);
      if (schema != nullptr) {
        for (const std::string& table : schema->tables_referencing_schema(name)) {
          effects.add(table, LockMode::AccessExclusive);
        }
      }
    }
    return;
  }
  // DROP TRIGGER / POLICY / RULE name ON table: ACCESS EXCLUSIVE on the table ([schema, table, name]).
  if (type == "OBJECT_TRIGGER" || type == "OBJECT_POLICY" || type == "OBJECT_RULE") {
    for (Node object : stmt["objects"]) {
      Node names = object.as("List")["items"];
      std::size_t count = names.size();
      if (count >= 2) {
        std::string_view table = names.at(count - 2).string_value();
        std::string_view schema_name = count >= 3 ? names.at(count - 3).string_value() : std::string_view();
        effects.add(qualified_name(schema_name, table), LockMode::AccessExclusive);
      }
    }
    return;
  }
  bool relation = type == "OBJECT_TABLE" || type == "OBJECT_INDEX" || type == "OBJECT_VIEW" ||
                  type == "OBJECT_MATVIEW" || type == "OBJECT_SEQUENCE" || type == "OBJECT_FOREIGN_TABLE";
  if (!relation) {
    return;
  }
  LockMode mode = stmt["concurrent"].boolean() ? LockMode::ShareUpdateExclusive : LockMode::AccessExclusive;
  for (Node object : stmt["objects"]) {
    std::string name = qualified_name_from_list(object.as("List")["items"]);
    effects.add(name, mode);
    // DROP INDEX locks the index's table too, in the same mode.
    if (type == "OBJECT_INDEX" && schema != nullptr) {
      if (auto table = schema->table_of_index(name)) {
        effects.add(*table, mode);
      }
    }
  }
}

void rename_effects(EffectList& effects, Node stmt) {
  std::string_view type = stmt["renameType"].str();
  Node relation = stmt["relation"];
  if (!relation) {
    return;
  }
  // Renaming an index takes SHARE UPDATE EXCLUSIVE from PostgreSQL 12 on; everything else here
  // takes ACCESS EXCLUSIVE.
  LockMode mode = type == "OBJECT_INDEX" ? LockMode::ShareUpdateExclusive : LockMode::AccessExclusive;
  effects.add(qualified_name(relation), mode);
}

bool dml_is_keyed(Node where_clause) {
  return static_cast<bool>(where_clause);
}

LockMode lock_stmt_mode(int64_t mode) {
  // LOCK TABLE's mode numbers are PostgreSQL's lock mode numbers (1 = ACCESS SHARE ... 8).
  if (mode < 1 || mode > 8) {
    return LockMode::AccessExclusive;
  }
  return static_cast<LockMode>(mode);
}

}  // namespace

std::vector<RelationEffect> statement_effects(const Statement& statement, int pg_version,
                                              const SchemaLookup* schema) {
  EffectList effects;
  Node stmt = statement.body();
  std::string_view kind = statement.kind();
  if (kind == "AlterTableStmt") {
    alter_table_effects(effects, stmt, pg_version, schema);
  } else if (kind == "IndexStmt") {
    bool concurrent = stmt["concurrent"].boolean();
    effects.add(statement.relation_name(), concurrent ? LockMode::ShareUpdateExclusive : LockMode::Share,
                false, true);
  } else if (kind == "DropStmt") {
    drop_effects(effects, stmt, schema);
  } else if (kind == "RenameStmt") {
    rename_effects(effects, stmt);
  } else if (kind == "TruncateStmt") {
    for (Node relation : stmt["relations"]) {
      effects.add(qualified_name(relation.as("RangeVar")), LockMode::AccessExclusive);
    }
  } else if (kind == "UpdateStmt" || kind == "DeleteStmt") {
    effects.add(statement.relation_name(), LockMode::RowExclusive, false, !dml_is_keyed(stmt["whereClause"]));
  } else if (kind == "InsertStmt" || kind == "MergeStmt") {
    effects.add(statement.relation_name(), LockMode::RowExclusive);
  } else if (kind == "CreateTrigStmt") {
    effects.add(statement.relation_name(), LockMode::ShareRowExclusive);
  } else if (kind == "RefreshMatViewStmt") {
    // The concurrent form computes a diff and applies it row by row: no new relation file.
    bool concurrent = stmt["concurrent"].boolean();
    effects.add(statement.relation_name(), concurrent ? LockMode::Exclusive : LockMode::AccessExclusive,
                !concurrent);
  } else if (kind == "ReindexStmt") {
    // REINDEX rebuilds indexes, not the table: SHARE on the table (writes wait), ACCESS EXCLUSIVE on
    // each index rebuilt (reads through it wait).
    bool concurrent = has_option(stmt["params"], "concurrently");
    if (stmt["relation"]) {
      std::string name = statement.relation_name();
      LockMode table_mode = concurrent ? LockMode::ShareUpdateExclusive : LockMode::Share;
      if (stmt["kind"].str() == "REINDEX_OBJECT_INDEX") {
        effects.add(name, concurrent ? LockMode::ShareUpdateExclusive : LockMode::AccessExclusive);
        if (schema != nullptr) {
          if (auto table = schema->table_of_index(name)) {
            effects.add(*table, table_mode);
          }
        }
      } else {
        effects.add(name, table_mode);
      }
    }
  } else if (kind == "VacuumStmt") {
    bool full = has_option(stmt["options"], "full");
    bool analyze_only = !stmt["is_vacuumcmd"].boolean();
    LockMode mode = full && !analyze_only ? LockMode::AccessExclusive : LockMode::ShareUpdateExclusive;
    for (Node relation : stmt["rels"]) {
      Node range_var = relation.as("VacuumRelation")["relation"];
      effects.add(qualified_name(range_var), mode, full && !analyze_only, true);
    }
    // Without a table list: every table of the database, one after the other, each in a
    // transaction of its own (VACUUM cannot run in a transaction block).
    if (stmt["rels"].size() == 0) {
      effects.add(std::string(kEveryTable), mode, full && !analyze_only, true);
    }
  } else if (kind == "ClusterStmt") {
    // Without a table: every table clustered before (which ones is not known statically), each in a
    // transaction of its own, as VACUUM FULL does every table.
    effects.add(stmt["relation"] ? statement.relation_name() : std::string(kEveryTable),
                LockMode::AccessExclusive, true);
  } else if (kind == "LockStmt") {
    for (Node relation : stmt["relations"]) {
      effects.add(qualified_name(relation.as("RangeVar")), lock_stmt_mode(stmt["mode"].integer()));
    }
  } else if (kind == "CreateStmt") {
    // A new table locks only the tables it references (and a partitioned parent).
    for (Node element : stmt["tableElts"]) {
      for (Node constraint : element.as("ColumnDef")["constraints"]) {
        Node c = constraint.as("Constraint");
        if (c["contype"].str() == "CONSTR_FOREIGN") {
          effects.add(qualified_name(c["pktable"]), LockMode::ShareRowExclusive);
        }
      }
      Node table_constraint = element.as("Constraint");
      if (table_constraint["contype"].str() == "CONSTR_FOREIGN") {
        effects.add(qualified_name(table_constraint["pktable"]), LockMode::ShareRowExclusive);
      }
    }
    if (stmt["partbound"]) {
      for (Node parent : stmt["inhRelations"]) {
        effects.add(qualified_name(parent.as("RangeVar")), LockMode::AccessExclusive);
      }
    }
  } else if (kind == "CreatePolicyStmt" || kind == "AlterPolicyStmt") {
    effects.add(qualified_name(stmt["table"]), LockMode::AccessExclusive);
  } else if (kind == "RuleStmt") {
    effects.add(statement.relation_name(), LockMode::AccessExclusive);
  } else if (kind == "ViewStmt" && stmt["replace"].boolean()) {
    // CREATE OR REPLACE VIEW of an existing view swaps its rule under ACCESS EXCLUSIVE.
    effects.add(qualified_name(stmt["view"]), LockMode::AccessExclusive);
  } else if (kind == "AlterSeqStmt") {
    // Blocks nextval(), and so every insert that draws from the sequence.
    effects.add(qualified_name(stmt["sequence"]), LockMode::ShareRowExclusive);
  } else if (kind == "CommentStmt") {
    std::string_view objtype = stmt["objtype"].str();
    if (objtype == "OBJECT_TABLE" || objtype == "OBJECT_COLUMN") {
      Node names = stmt["object"].as("List")["items"];
      std::size_t count = names.size();
      if (objtype == "OBJECT_COLUMN" && count >= 2) {
        std::string_view table_name = names.at(count - 2).string_value();
        std::string_view schema_name = count >= 3 ? names.at(count - 3).string_value() : std::string_view();
        effects.add(qualified_name(schema_name, table_name), LockMode::ShareUpdateExclusive);
      } else if (objtype == "OBJECT_TABLE") {
        effects.add(qualified_name_from_list(names), LockMode::ShareUpdateExclusive);
      }
    }
  }
  return effects.take();
}

}  // namespace miglint
