#include "fixes/constraint_names.hpp"

#include <set>

namespace miglint {

namespace {

constexpr std::size_t kNameDataLen = 64;  // PostgreSQL's NAMEDATALEN: names hold 63 bytes

// pg_mbcliplen for UTF-8: the longest prefix of whole characters within `limit` bytes.
std::size_t utf8_clip_length(std::string_view text, std::size_t limit) {
  std::size_t length = 0;
  while (length < text.size()) {
    auto lead = static_cast<unsigned char>(text[length]);
    std::size_t width = lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
    if (length + width > limit) {
      break;
    }
    length += width;
  }
  return std::min(length, text.size());
}

// The columns an expression reads, as pull_var_clause finds them; false when a reference cannot be
// told to be a column of `table` from its text alone.
bool referenced_columns(pg::AnyNode node, std::string_view table, std::set<std::string>& columns) {
  if (!node) {
    return true;
  }
  if (auto ref = node.as<pg::ColumnRef>()) {
    std::vector<std::string_view> names;
    for (pg::AnyNode field : ref.fields()) {
      std::string_view name = field.as<pg::String>().sval();
      if (name.empty()) {
        return false;  // `t.*`
      }
      names.push_back(name);
    }
    if (names.size() == 1 && names[0] != table) {
      columns.emplace(names[0]);
      return true;
    }
    if (names.size() == 2 && names[0] == table) {
      columns.emplace(names[1]);
      return true;
    }
    // A whole-row reference, a field of a composite column, a schema-qualified reference: unsure.
    return false;
  }
  bool known = true;
  node.for_each_child([&](pg::AnyNode child) { known = known && referenced_columns(child, table, columns); });
  return known;
}

std::string claim_key(std::string_view schema, std::string_view name) {
  std::string key(schema.empty() ? std::string_view("public") : schema);
  key += ' ';
  key += name;
  return key;
}

}  // namespace

std::string postgres_object_name(std::string_view name1, std::string_view name2, std::string_view label) {
  std::size_t overhead = (name2.empty() ? 0 : 1) + (label.empty() ? 0 : label.size() + 1);
  std::size_t available = kNameDataLen - 1 - overhead;
  std::size_t name1_chars = name1.size();
  std::size_t name2_chars = name2.size();
  // Cut the longer name first, one byte at a time, as makeObjectName's loop does.
  while (name1_chars + name2_chars > available) {
    if (name1_chars > name2_chars) {
      --name1_chars;
    } else {
      --name2_chars;
    }
  }
  std::string name(name1.substr(0, utf8_clip_length(name1, name1_chars)));
  if (!name2.empty()) {
    name += '_';
    name.append(name2.substr(0, utf8_clip_length(name2, name2_chars)));
  }
  if (!label.empty()) {
    name += '_';
    name.append(label);
  }
  return name;
}

std::optional<std::string> unnamed_constraint_name(std::string_view table, pg::Constraint constraint,
                                                   std::string_view column) {
  if (constraint.contype() == pg::ConstrType::CONSTR_FOREIGN) {
    // ChooseForeignKeyConstraintNameAddition: the columns joined by `_`, stopping once 64 bytes or
    // more are written.
    std::string columns;
    auto add = [&](std::string_view name) {
      if (!columns.empty()) {
        columns += '_';
      }
      columns.append(name.substr(0, kNameDataLen - 1));
      return columns.size() < kNameDataLen;
    };
    if (!column.empty()) {
      add(column);
    } else {
      for (pg::AnyNode item : constraint.fk_attrs()) {
        if (!add(item.as<pg::String>().sval())) {
          break;
        }
      }
    }
    if (columns.empty()) {
      return std::nullopt;
    }
    return postgres_object_name(table, columns, "fkey");
  }
  if (constraint.contype() == pg::ConstrType::CONSTR_CHECK) {
    std::set<std::string> columns;
    if (!referenced_columns(constraint.raw_expr(), table, columns)) {
      return std::nullopt;
    }
    return postgres_object_name(table, columns.size() == 1 ? std::string_view(*columns.begin()) : "",
                                "check");
  }
  return std::nullopt;
}

void ConstraintNameClaims::claim(std::string_view schema, std::string_view name) {
  auto key = claim_key(schema, name);
  ++claims_[key];
}

int ConstraintNameClaims::claims(std::string_view schema, std::string_view name) const {
  auto found = claims_.find(claim_key(schema, name));
  return found == claims_.end() ? 0 : found->second;
}

void ConstraintNameClaims::add_statement(const Statement& statement) {
  pg::RangeVar relation;
  std::vector<std::pair<pg::Constraint, std::string_view>> constraints;  // with the column, if any
  auto add_column = [&](pg::ColumnDef column) {
    for (pg::AnyNode item : column.constraints()) {
      if (auto constraint = item.as<pg::Constraint>()) {
        constraints.emplace_back(constraint, column.colname());
      }
    }
  };
  if (auto alter = statement.as<pg::AlterTableStmt>()) {
    relation = alter.relation();
    for (pg::AnyNode item : alter.cmds()) {
      auto cmd = item.as<pg::AlterTableCmd>();
      if (auto constraint = cmd.def().as<pg::Constraint>()) {
        constraints.emplace_back(constraint, std::string_view());
      } else if (auto column = cmd.def().as<pg::ColumnDef>()) {
        add_column(column);
      }
    }
  } else if (auto create = statement.as<pg::CreateStmt>()) {
    relation = create.relation();
    for (pg::AnyNode item : create.table_elts()) {
      if (auto constraint = item.as<pg::Constraint>()) {
        constraints.emplace_back(constraint, std::string_view());
      } else if (auto column = item.as<pg::ColumnDef>()) {
        add_column(column);
      }
    }
  } else {
    return;
  }
  for (const auto& [constraint, column] : constraints) {
    if (!constraint.conname().empty()) {
      claim(relation.schemaname(), constraint.conname());
    } else if (std::optional<std::string> name =
                   unnamed_constraint_name(relation.relname(), constraint, column)) {
      claim(relation.schemaname(), *name);
    }
  }
}

}  // namespace miglint
