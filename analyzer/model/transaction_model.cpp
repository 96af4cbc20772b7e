#include "analyzer/model/transaction_model.hpp"

namespace miglint {

namespace {

bool has_concurrently_option(Node params) {
  for (Node option : params) {
    if (option.as("DefElem")["defname"].str() == "concurrently") {
      return true;
    }
  }
  return false;
}

bool is_concurrent_detach(Node alter_table) {
  for (Node item : alter_table["cmds"]) {
    Node cmd = item.as("AlterTableCmd");
    if (cmd["subtype"].str() == "AT_DetachPartition" &&
        cmd["def"].as("PartitionCmd")["concurrent"].boolean()) {
      return true;
    }
  }
  return false;
}

}  // namespace

bool is_concurrent_operation(const Statement& statement) {
  Node body = statement.body();
  std::string_view kind = statement.kind();
  if (kind == "IndexStmt") {
    return body["concurrent"].boolean();
  }
  if (kind == "DropStmt") {
    return body["removeType"].str() == "OBJECT_INDEX" && body["concurrent"].boolean();
  }
  if (kind == "ReindexStmt") {
    return has_concurrently_option(body["params"]);
  }
  if (kind == "AlterTableStmt") {
    return is_concurrent_detach(body);
  }
  return false;
}

bool cannot_run_in_transaction(const Statement& statement, int pg_version) {
  return cannot_run_in_transaction(statement, pg_version, is_concurrent_operation(statement));
}

bool cannot_run_in_transaction(const Statement& statement, int pg_version, bool concurrent) {
  if (concurrent) {
    return true;
  }
  std::string_view kind = statement.kind();
  Node body = statement.body();
  if (kind == "VacuumStmt") {
    return body["is_vacuumcmd"].boolean();  // VACUUM, not ANALYZE
  }
  if (kind == "ReindexStmt") {
    // REINDEX SYSTEM and REINDEX DATABASE cannot run in a transaction block either.
    std::string_view target = body["kind"].str();
    return target == "REINDEX_OBJECT_SYSTEM" || target == "REINDEX_OBJECT_DATABASE";
  }
  if (kind == "AlterEnumStmt") {
    return pg_version < 12 && body["oldVal"].str().empty();  // ADD VALUE, not RENAME VALUE
  }
  if (kind == "ClusterStmt") {
    return !body["relation"];  // CLUSTER of every clustered table in the database
  }
  if (kind == "DiscardStmt") {
    return body["target"].str() == "DISCARD_ALL";
  }
  if (kind == "TransactionStmt") {
    std::string_view what = body["kind"].str();
    return what == "TRANS_STMT_COMMIT_PREPARED" || what == "TRANS_STMT_ROLLBACK_PREPARED";
  }
  if (kind == "AlterDatabaseStmt") {
    for (Node option : body["options"]) {
      if (option.as("DefElem")["defname"].str() == "tablespace") {
        return true;  // ALTER DATABASE ... SET TABLESPACE moves files
      }
    }
    return false;
  }
  if (kind == "AlterSubscriptionStmt") {
    return body["kind"].str() == "ALTER_SUBSCRIPTION_REFRESH";
  }
  return kind == "CreatedbStmt" || kind == "DropdbStmt" || kind == "CreateTableSpaceStmt" ||
         kind == "DropTableSpaceStmt" || kind == "AlterSystemStmt" || kind == "CreateSubscriptionStmt" ||
         kind == "DropSubscriptionStmt";
}

TransactionControl transaction_control(const Statement& statement) {
  if (statement.kind() != "TransactionStmt") {
    return TransactionControl::None;
  }
  std::string_view what = statement.body()["kind"].str();
  if (what == "TRANS_STMT_BEGIN" || what == "TRANS_STMT_START") {
    return TransactionControl::Begin;
  }
  if (what == "TRANS_STMT_COMMIT") {
    return TransactionControl::Commit;
  }
  if (what == "TRANS_STMT_ROLLBACK") {
    return TransactionControl::Rollback;
  }
  if (what == "TRANS_STMT_PREPARE") {
    return TransactionControl::Prepare;
  }
  return TransactionControl::Other;
}

std::string_view statement_label(const Statement& statement) {
  std::string_view kind = statement.kind();
  if (kind == "IndexStmt") {
    return "CREATE INDEX CONCURRENTLY";
  }
  if (kind == "DropStmt") {
    return "DROP INDEX CONCURRENTLY";
  }
  if (kind == "ReindexStmt") {
    return "REINDEX CONCURRENTLY";
  }
  if (kind == "AlterTableStmt") {
    return "DETACH PARTITION ... CONCURRENTLY";
  }
  return kind;
}

}  // namespace miglint
