#include "rules/column_types.hpp"

#include <algorithm>
#include <array>

#include "analyzer/model/schema.hpp"
#include "analyzer/text/ascii.hpp"

namespace miglint {

namespace {

// Words that start what follows a column's type (constraints, COLLATE, USING ...), never a type.
constexpr std::array<std::string_view, 17> kAfterType = {
    "not",        "null",        "default",   "primary", "references", "check",
    "constraint", "unique",      "generated", "collate", "using",      "deferrable",
    "initially",  "compression", "storage",   "options", "exclude"};

bool has_location(Node node) {
  return node["location"] && node["location"].integer() >= 0;
}

// `token` equals the lower-case `word`, ignoring ASCII case (no copy: this runs per token).
bool is_word(std::string_view token, std::string_view word) {
  if (token.size() != word.size()) {
    return false;
  }
  for (std::size_t i = 0; i < word.size(); ++i) {
    if (ascii_lower(token[i]) != word[i]) {
      return false;
    }
  }
  return true;
}

// The end of a column's type: past its words and dots, its parenthesised modifiers and array
// brackets, up to the first word or punctuation that follows a type.
uint32_t type_end(const Statement& statement, uint32_t type_begin) {
  std::string_view text = statement.file().text();
  uint32_t end = 0;
  int depth = 0;
  for (const Token& token : statement.tokens()) {
    if (token.begin < type_begin) {
      continue;
    }
    std::string_view word = text.substr(token.begin, token.end - token.begin);
    bool opens = word == "(" || word == "[";
    bool closes = word == ")" || word == "]";
    if (depth == 0 && end != 0 &&
        (closes || word == "," || word == ";" ||
         std::any_of(kAfterType.begin(), kAfterType.end(),
                     [&](std::string_view after) { return is_word(word, after); }))) {
      break;
    }
    depth += opens ? 1 : closes ? -1 : 0;
    end = token.end;
  }
  return end;
}

void add_column(std::vector<TypedColumn>& out, const Statement& statement, Node relation, Node column_def,
                std::string_view name) {
  Node type_name = column_def["typeName"];
  Node names = type_name["names"];
  if (names.size() == 0) {
    return;  // PARTITION OF / OF type: the column's options only
  }
  TypedColumn column;
  column.column = name;
  column.relation = relation;
  column.type = names.at(names.size() - 1).string_value();
  column.has_modifiers = type_name["typmods"].size() > 0;
  column.is_array = type_name["arrayBounds"].size() > 0;
  column.statement = &statement;
  column.column_def = column_def;
  column.type_name = type_name;
  out.push_back(column);
}

std::vector<TypedColumn> find_typed_columns(const Statement& statement) {
  std::vector<TypedColumn> out;
  Node stmt = statement.body();
  if (statement.kind() == "CreateStmt") {
    for (Node element : stmt["tableElts"]) {
      Node def = element.as("ColumnDef");
      if (def) {
        add_column(out, statement, stmt["relation"], def, def["colname"].str());
      }
    }
  } else if (statement.kind() == "AlterTableStmt" && stmt["objtype"].str() == "OBJECT_TABLE") {
    for (Node item : stmt["cmds"]) {
      Node cmd = item.as("AlterTableCmd");
      Node def = cmd["def"].as("ColumnDef");
      std::string_view subtype = cmd["subtype"].str();
      if (subtype == "AT_AddColumn") {
        add_column(out, statement, stmt["relation"], def, def["colname"].str());
      } else if (subtype == "AT_AlterColumnType") {
        add_column(out, statement, stmt["relation"], def, cmd["name"].str());
      }
    }
  }
  return out;
}

}  // namespace

const std::vector<TypedColumn>& typed_columns(const Statement& statement) {
  std::shared_ptr<const std::vector<TypedColumn>>& cache = statement.typed_columns_cache();
  if (cache == nullptr) {
    cache = std::make_shared<const std::vector<TypedColumn>>(find_typed_columns(statement));
  }
  return *cache;
}

ByteSpan TypedColumn::span() const {
  // From the column's name to the end of its type, when the parse tree has both positions.
  if (has_location(column_def) && has_location(type_name)) {
    uint32_t begin = statement->offset_of(column_def);
    uint32_t type_begin = statement->offset_of(type_name);
    uint32_t end = type_end(*statement, type_begin);
    if (end > type_begin && type_begin >= begin) {
      return ByteSpan{begin, end};
    }
  }
  return statement->span();
}

std::string TypedColumn::written_type() const {
  if (has_location(column_def) && has_location(type_name)) {
    uint32_t begin = statement->offset_of(column_def);
    uint32_t type_begin = statement->offset_of(type_name);
    uint32_t end = type_end(*statement, type_begin);
    if (end > type_begin && type_begin >= begin) {
      return std::string(statement->file().text().substr(type_begin, end - type_begin));
    }
  }
  return normalized_type_name(type_name);
}

std::string column_label(const TypedColumn& column) {
  return fmt::format("{} of table {}", quote_name(column.column), quote_name(display_name(column.relation)));
}

}  // namespace miglint
