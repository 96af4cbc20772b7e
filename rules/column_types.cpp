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

// Whether the parse tree has a position for the node: -1 is unknown, and JSON omits a location of
// 0, which no column or type can have (it would be the file's first byte, where its statement starts).
template <class View>
bool has_location(View node) {
  return node.location() > 0;
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

void add_column(std::vector<TypedColumn>& out, const Statement& statement, pg::RangeVar relation,
                pg::ColumnDef column_def, std::string_view name) {
  pg::TypeName type_name = column_def.type_name();
  auto names = type_name.names();
  if (names.empty()) {
    return;  // PARTITION OF / OF type: the column's options only
  }
  TypedColumn column;
  column.column = name;
  column.relation = relation;
  column.type = names[names.size() - 1].as<pg::String>().sval();
  column.has_modifiers = !type_name.typmods().empty();
  column.is_array = !type_name.array_bounds().empty();
  column.statement = &statement;
  column.column_def = column_def;
  column.type_name = type_name;
  out.push_back(column);
}

std::vector<TypedColumn> find_typed_columns(const Statement& statement) {
  std::vector<TypedColumn> out;
  if (auto create = statement.as<pg::CreateStmt>()) {
    for (pg::AnyNode element : create.table_elts()) {
      if (auto def = element.as<pg::ColumnDef>()) {
        add_column(out, statement, create.relation(), def, def.colname());
      }
    }
  } else if (auto alter = statement.as<pg::AlterTableStmt>();
             alter && alter.objtype() == pg::ObjectType::OBJECT_TABLE) {
    for (pg::AnyNode item : alter.cmds()) {
      auto cmd = item.as<pg::AlterTableCmd>();
      auto def = cmd.def().as<pg::ColumnDef>();
      if (cmd.subtype() == pg::AlterTableType::AT_AddColumn) {
        add_column(out, statement, alter.relation(), def, def.colname());
      } else if (cmd.subtype() == pg::AlterTableType::AT_AlterColumnType) {
        add_column(out, statement, alter.relation(), def, cmd.name());
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

std::optional<ByteSpan> TypedColumn::type_span() const {
  if (has_location(column_def) && has_location(type_name)) {
    uint32_t begin = statement->offset_of(column_def);
    uint32_t type_begin = statement->offset_of(type_name);
    uint32_t end = type_end(*statement, type_begin);
    if (end > type_begin && type_begin >= begin) {
      return ByteSpan{type_begin, end};
    }
  }
  return std::nullopt;
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

std::string quoted_table_name(const TypedColumn& column) {
  return quote_name(display_name(column.relation));
}

std::string column_label(const TypedColumn& column) {
  return fmt::format("{} of table {}", quote_name(column.column), quoted_table_name(column));
}

}  // namespace miglint
