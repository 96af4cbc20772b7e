#include <algorithm>
#include <utility>
#include <vector>

#include "rules/alter_table_support.hpp"

namespace miglint {

namespace {

// PostgreSQL keeps NAMEDATALEN - 1 = 63 bytes of an identifier and drops the rest with a NOTICE.
constexpr std::size_t kMaxIdentifierBytes = 63;

// The names a statement declares (new tables, columns, constraints, indexes, and new names of
// renames), each with what it names, in order. libpg_query has already truncated them to 63 bytes,
// so two of them may be equal.
using DeclaredName = std::pair<std::string, std::string_view>;
std::vector<DeclaredName> declared_names(const Statement& statement) {
  std::vector<DeclaredName> names;
  auto add = [&](std::string_view name, std::string_view what) {
    if (!name.empty()) {
      names.emplace_back(std::string(name), what);
    }
  };
  auto add_column = [&](pg::ColumnDef column_def) {
    add(column_def.colname(), "column");
    for (pg::AnyNode constraint : column_def.constraints()) {
      add(constraint.as<pg::Constraint>().conname(), "constraint");
    }
  };
  if (auto create = statement.as<pg::CreateStmt>()) {
    add(create.relation().relname(), "table");
    for (pg::AnyNode element : create.table_elts()) {
      if (auto column_def = element.as<pg::ColumnDef>()) {
        add_column(column_def);
      }
      add(element.as<pg::Constraint>().conname(), "constraint");
    }
  } else if (auto alter = statement.as<pg::AlterTableStmt>()) {
    for (const AlterCommand& command : alter_commands(statement, alter)) {
      if (command.subtype() == pg::AlterTableType::AT_AddColumn) {
        add_column(command.def().as<pg::ColumnDef>());
      } else if (command.subtype() == pg::AlterTableType::AT_AddConstraint) {
        add(command.def().as<pg::Constraint>().conname(), "constraint");
      }
    }
  } else if (auto index = statement.as<pg::IndexStmt>()) {
    add(index.idxname(), "index");
  } else if (auto drop = statement.as<pg::DropStmt>()) {
    // DROP TABLE and the like: the name is cut as well, so the statement drops (or misses) the
    // object with the first 63 bytes of it.
    pg::Enum<pg::ObjectType> type = drop.remove_type();
    std::string_view what = type == pg::ObjectType::OBJECT_TABLE      ? "table"
                            : type == pg::ObjectType::OBJECT_INDEX    ? "index"
                            : type == pg::ObjectType::OBJECT_VIEW     ? "view"
                            : type == pg::ObjectType::OBJECT_SEQUENCE ? "sequence"
                            : type == pg::ObjectType::OBJECT_MATVIEW  ? "materialized view"
                                                                      : "";
    if (!what.empty()) {
      for (pg::AnyNode object : drop.objects()) {
        pg::List name_parts = object.as<pg::List>();
        if (name_parts && !name_parts.items().empty()) {
          add(name_parts.items().at(name_parts.items().size() - 1).as<pg::String>().sval(), what);
        }
      }
    }
  } else if (auto rename = statement.as<pg::RenameStmt>()) {
    pg::Enum<pg::ObjectType> type = rename.rename_type();
    std::string_view what = type == pg::ObjectType::OBJECT_TABLE           ? "table"
                            : type == pg::ObjectType::OBJECT_COLUMN        ? "column"
                            : type == pg::ObjectType::OBJECT_TABCONSTRAINT ? "constraint"
                            : type == pg::ObjectType::OBJECT_INDEX         ? "index"
                                                                           : "";
    if (!what.empty()) {
      add(rename.newname(), what);
    }
  }
  return names;
}

// An identifier token as PostgreSQL reads it: quotes removed (and `""` undoubled), or ASCII
// letters folded to lower case.
std::string identifier_value(std::string_view token) {
  std::string value;
  if (token.size() >= 2 && token.front() == '"' && token.back() == '"') {
    std::string_view inner = token.substr(1, token.size() - 2);
    for (std::size_t i = 0; i < inner.size(); ++i) {
      value += inner[i];
      if (inner[i] == '"' && i + 1 < inner.size() && inner[i + 1] == '"') {
        ++i;
      }
    }
    return value;
  }
  for (char c : token) {
    value += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  }
  return value;
}

// The first 63 bytes of a UTF-8 name, without cutting a character in two.
std::string truncated(const std::string& name) {
  std::size_t length = kMaxIdentifierBytes;
  while (length > 0 && (static_cast<unsigned char>(name[length]) & 0xC0) == 0x80) {
    --length;
  }
  return name.substr(0, length);
}

// A name longer than 63 bytes is silently cut: the object gets another name than the one in the
// migration, lookups of the full name as a string (ORM schema checks, catalog queries) find nothing, and
// names sharing their first 63 bytes collide.
void check(const Statement& statement, const MigrationContext& /*context*/, RuleOutput& out) {
  std::vector<DeclaredName> declared = declared_names(statement);
  // The parse tree holds names already truncated to at most 63 bytes (a little less where a
  // multi-byte character would be cut): only such names can have been longer. Scanning the
  // statement's tokens is the expensive part, so it happens only then.
  bool maybe_truncated = std::any_of(declared.begin(), declared.end(), [](const DeclaredName& name) {
    return name.first.size() + 3 >= kMaxIdentifierBytes;
  });
  if (!maybe_truncated) {
    return;
  }
  std::string_view text = statement.file().text();
  for (const Token& token : statement.tokens()) {
    if (!token.is(TokenKind::Identifier) || token.end - token.begin <= kMaxIdentifierBytes) {
      continue;
    }
    std::string value = identifier_value(text.substr(token.begin, token.end - token.begin));
    if (value.size() <= kMaxIdentifierBytes) {
      continue;
    }
    std::string kept = truncated(value);
    auto it = std::find_if(declared.begin(), declared.end(),
                           [&](const DeclaredName& name) { return name.first == kept; });
    if (it == declared.end()) {
      continue;  // a reference to another object, or a name reported already
    }
    if (statement.node_kind() == NodeKind::DropStmt) {
      out.report(ByteSpan{token.begin, token.end},
                 fmt::format("{} name {} is {} bytes long: PostgreSQL keeps only the first {} bytes, so this "
                             "drops the {} named {}, which may be another {} than the one meant",
                             it->second, quote_name(value), value.size(), kMaxIdentifierBytes, it->second,
                             quote_name(it->first), it->second),
                 "Name the object by its name as PostgreSQL stores it (at most 63 bytes).");
      declared.erase(it);
      continue;
    }
    out.report(ByteSpan{token.begin, token.end},
               fmt::format("{} name {} is {} bytes long: PostgreSQL keeps only the first {} bytes, so the {} "
                           "is named {}; lookups of the full name as a string (ORM schema checks, catalog "
                           "queries) find nothing, and another name with the "
                           "same first {} bytes collides with it",
                           it->second, quote_name(value), value.size(), kMaxIdentifierBytes, it->second,
                           quote_name(it->first), kMaxIdentifierBytes),
               "Choose a name of at most 63 bytes (characters outside ASCII take 2 to 4 bytes each).");
    declared.erase(it);
  }
}

}  // namespace

extern const Rule kIdentifierTooLong{
    .id = "identifier-too-long",
    .severity = Severity::Note,
    .summary =
        "A table, column, constraint or index name longer than 63 bytes (declared, renamed or dropped), "
        "which PostgreSQL truncates.",
    .tags = {"naming"},
    .check = check,
    .kinds = {NodeKind::CreateStmt, NodeKind::AlterTableStmt, NodeKind::IndexStmt, NodeKind::RenameStmt,
              NodeKind::DropStmt},
};

}  // namespace miglint
