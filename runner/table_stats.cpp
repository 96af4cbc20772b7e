#include "runner/table_stats.hpp"

#include <fmt/format.h>

#include <iostream>
#include <iterator>
#include <nlohmann/json.hpp>

#include "analyzer/text/message_text.hpp"

namespace miglint::runner {

namespace {

using Json = nlohmann::json;

// One query for every table. $1: [{"i": 0, "s": "schema or empty", "n": "name"}, ...]. Per table:
// the relation as the catalog resolved it (an unqualified name in the first schema of the search
// path that has it; the search_path setting itself is read, because current_schemas() leaves out
// the schemas the role has no USAGE on, and a role with nothing but CONNECT has none), then per leaf (the
// table itself, or a partitioned table's partitions) the row estimate and the bytes, summed. Rows: reltuples
// once VACUUM or ANALYZE set it (-1 before, from PostgreSQL 14 on; 0 before 14 meant "never" too), else the
// statistics' n_live_tup when the statistics have seen the table, else 0 for a table without a page, else
// unknown.
// `{sizes}` is true when the sizes are read: pg_total_relation_size and pg_relation_size take an
// ACCESS SHARE lock on the relation (so a lock_timeout guards them).
std::string sizes_query(bool with_sizes, int server_version) {
  std::string leaves = server_version >= 120000
                           ? "SELECT t.relid AS oid FROM pg_catalog.pg_partition_tree(f.oid) t "
                             "WHERE f.relkind IN ('p', 'I') AND t.isleaf "
                             "UNION ALL SELECT f.oid WHERE f.relkind NOT IN ('p', 'I')"
                           : "SELECT f.oid";
  std::string known_zero = server_version >= 140000 ? "WHEN k.reltuples = 0 THEN 0 " : "";
  std::string empty_heap = with_sizes ? "WHEN pg_catalog.pg_relation_size(k.oid) = 0 THEN 0 " : "";
  std::string bytes = with_sizes ? "pg_catalog.pg_total_relation_size(k.oid)" : "NULL::bigint";
  return fmt::format(
      R"(WITH wanted AS (
  SELECT (e->>'i')::int AS ord, e->>'s' AS schema_name, e->>'n' AS table_name
  FROM pg_catalog.json_array_elements($1::json) AS e),
path AS (
  SELECT CASE WHEN p.s = '$user' THEN current_user::text ELSE p.s END AS nspname, p.position
  FROM (SELECT pg_catalog.btrim(pg_catalog.btrim(x), '"') AS s, position
        FROM pg_catalog.regexp_split_to_table(pg_catalog.current_setting('search_path'), ',')
             WITH ORDINALITY AS t(x, position)) p),
found AS (
  SELECT w.ord, r.oid, r.relkind, r.nspname, r.relname
  FROM wanted w
  LEFT JOIN LATERAL (
    SELECT c.oid, c.relkind, n.nspname, c.relname
    FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relname = w.table_name
      AND CASE WHEN w.schema_name = '' THEN n.nspname IN (SELECT nspname FROM path)
               ELSE n.nspname = w.schema_name END
      AND c.relkind IN ('r', 'p', 'm', 'f', 'i', 'I')
    ORDER BY (SELECT min(path.position) FROM path WHERE path.nspname = n.nspname)
    LIMIT 1) r ON true),
leaf AS (
  SELECT f.ord,
         CASE WHEN k.reltuples > 0 THEN k.reltuples::bigint
              WHEN s.relid IS NOT NULL AND (s.n_live_tup > 0 OR s.n_tup_ins + s.n_tup_upd + s.n_tup_del > 0
                   OR s.last_analyze IS NOT NULL OR s.last_autoanalyze IS NOT NULL
                   OR s.last_vacuum IS NOT NULL OR s.last_autovacuum IS NOT NULL) THEN s.n_live_tup
              {}{}ELSE NULL END AS rows,
         {} AS bytes
  FROM found f
  CROSS JOIN LATERAL ({}) p
  JOIN pg_catalog.pg_class k ON k.oid = p.oid
  LEFT JOIN pg_catalog.pg_stat_all_tables s ON s.relid = k.oid
  WHERE f.oid IS NOT NULL)
SELECT f.ord, f.oid IS NOT NULL, f.nspname || '.' || f.relname, f.oid,
       CASE WHEN count(l.ord) = 0 AND f.oid IS NOT NULL THEN 0
            WHEN bool_and(l.rows IS NOT NULL) THEN sum(l.rows)::bigint END,
       CASE WHEN count(l.ord) = 0 AND f.oid IS NOT NULL AND {} THEN 0 ELSE sum(l.bytes)::bigint END
FROM found f LEFT JOIN leaf l ON l.ord = f.ord
GROUP BY f.ord, f.oid, f.nspname, f.relname
ORDER BY f.ord)",
      known_zero, empty_heap, bytes, leaves, with_sizes ? "true" : "false");
}

// The bytes of one relation found by sizes_query (its partitions' for a partitioned one), read on
// its own: when the sizes of all the tables could not be read in one query, a table that refuses
// them (its lock held by a migration, 55P03) costs only its own bytes.
std::string one_relation_bytes_query(int server_version) {
  std::string leaves = server_version >= 120000
                           ? "SELECT t.relid AS oid FROM pg_catalog.pg_partition_tree($1::oid) t "
                             "JOIN pg_catalog.pg_class f ON f.oid = $1::oid "
                             "WHERE f.relkind IN ('p', 'I') AND t.isleaf "
                             "UNION ALL SELECT f.oid FROM pg_catalog.pg_class f "
                             "WHERE f.oid = $1::oid AND f.relkind NOT IN ('p', 'I')"
                           : "SELECT $1::oid AS oid";
  return fmt::format("SELECT COALESCE(sum(pg_catalog.pg_total_relation_size(p.oid)), 0)::bigint FROM ({}) p",
                     leaves);
}

std::optional<int64_t> as_integer(const std::optional<std::string>& text) {
  if (!text) {
    return std::nullopt;
  }
  return std::stoll(*text);
}

// Ends the transaction whatever happened in it (nothing was written: READ ONLY).
void end_transaction(PgSession& session) {
  session.query("ROLLBACK");
}

}  // namespace

Expected<TableSizes> read_table_sizes(PgSession& session, const std::vector<TableRef>& tables) {
  TableSizes sizes;
  if (tables.empty()) {
    return sizes;
  }
  Json wanted = Json::array();
  for (std::size_t i = 0; i < tables.size(); ++i) {
    wanted.push_back(Json{{"i", i}, {"s", tables[i].schema}, {"n", tables[i].name}});
  }
  // Read-only twice over: the session's default and the transaction's own mode. The timeouts keep
  // a catalog read from waiting behind a migration's lock (the size functions take ACCESS SHARE).
  for (const char* setting : {"SET default_transaction_read_only = on", "SET lock_timeout = '2s'",
                              "SET statement_timeout = '30s'"}) {
    PgOutcome set = session.query(setting);
    if (!set.ok) {
      return Error{fmt::format("cannot read table sizes: {}", set.error.message)};
    }
  }
  PgOutcome outcome;
  bool bytes_one_by_one = false;
  for (bool with_sizes : {true, false}) {
    PgOutcome begun = session.query("BEGIN READ ONLY");
    if (!begun.ok) {
      return Error{fmt::format("cannot read table sizes: {}", begun.error.message)};
    }
    outcome = session.query(sizes_query(with_sizes, session.server_version()), {wanted.dump()});
    end_transaction(session);
    // Without the sizes when they are refused (42501), or wait for a lock (55P03) or too long (57014):
    // then each table's bytes are asked for on their own.
    bool retry = !outcome.ok && with_sizes &&
                 (outcome.error.sqlstate == "42501" || outcome.error.sqlstate == "55P03" ||
                  outcome.error.sqlstate == "57014");
    if (!retry) {
      break;
    }
    bytes_one_by_one = true;
  }
  if (!outcome.ok) {
    return Error{fmt::format("cannot read table sizes: {}", outcome.error.message)};
  }
  if (bytes_one_by_one) {
    const std::string bytes_query = one_relation_bytes_query(session.server_version());
    for (PgRow& row : outcome.rows) {
      if (row.at(1).value_or("f") != "t" || !row.at(3)) {
        continue;
      }
      // Each in a read-only transaction of its own (default_transaction_read_only); a refusal leaves
      // this table's bytes unknown, as the batch's refusal left every table's.
      PgOutcome bytes = session.query(bytes_query, {row.at(3)});
      if (bytes.ok && !bytes.rows.empty()) {
        row.at(5) = bytes.rows[0].at(0);
      } else if (!bytes.ok && bytes.error.sqlstate != "42501" && bytes.error.sqlstate != "55P03" &&
                 bytes.error.sqlstate != "57014") {
        return Error{fmt::format("cannot read table sizes: {}", bytes.error.message)};
      }
    }
  }
  for (const PgRow& row : outcome.rows) {
    std::size_t index = static_cast<std::size_t>(std::stoul(row.at(0).value_or("0")));
    if (index >= tables.size()) {
      continue;
    }
    TableSize size;
    size.exists = row.at(1).value_or("f") == "t";
    size.relation = row.at(2).value_or("");
    size.rows = as_integer(row.at(4));
    size.bytes = as_integer(row.at(5));
    sizes[table_key(tables[index])] = std::move(size);
  }
  return sizes;
}

Expected<TableSizes> read_table_sizes(const std::string& url, const std::vector<TableRef>& tables) {
  Redactor redact(url);
  Expected<std::unique_ptr<PgSession>> session = PgSession::connect(url, redact, "miglint-stats");
  if (!session) {
    return Error{session.error().message};
  }
  return read_table_sizes(**session, tables);
}

int table_sizes_command(std::istream& in, std::ostream& out, std::ostream& err) {
  std::string request((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  Json parsed = Json::parse(request, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object() || !parsed.contains("tables") ||
      !parsed["tables"].is_array() || !parsed.value("database_url", Json()).is_string()) {
    err << "miglint: error: table-sizes: expected {\"database_url\": ..., \"tables\": [{\"schema\", "
           "\"name\"}...]} on standard input\n";
    return 2;
  }
  std::vector<TableRef> tables;
  for (const Json& entry : parsed["tables"]) {
    TableRef table;
    table.schema = entry.value("schema", "");
    table.name = entry.value("name", "");
    tables.push_back(std::move(table));
  }
  Expected<TableSizes> sizes = read_table_sizes(parsed["database_url"].get<std::string>(), tables);
  if (!sizes) {
    err << fmt::format("miglint: error: --stats-from: {}\n", escape_for_message(sizes.error().message));
    return 2;
  }
  Json answer = Json::array();
  for (const TableRef& table : tables) {
    auto found = sizes->find(table_key(table));
    if (found == sizes->end()) {
      continue;
    }
    const TableSize& size = found->second;
    answer.push_back(Json{{"schema", table.schema},
                          {"name", table.name},
                          {"exists", size.exists},
                          {"relation", size.relation},
                          {"rows", size.rows ? Json(*size.rows) : Json(nullptr)},
                          {"bytes", size.bytes ? Json(*size.bytes) : Json(nullptr)}});
  }
  out << answer.dump() << "\n";
  return 0;
}

}  // namespace miglint::runner
