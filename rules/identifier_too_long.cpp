#include <algorithm>
#include <utility>
#include <vector>

#include "rules/rule_support.hpp"

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
  Node stmt = statement.body();
  auto add = [&](std::string_view name, std::string_view what) {
    if (!name.empty()) {
      names.emplace_back(std::string(name), what);
    }
  };
  auto add_column = [&](Node column_def) {
    add(column_def["colname"].str(), "column");
    for (Node constraint : column_def["constraints"]) {
      add(constraint.as("Constraint")["conname"].str(), "constraint");
    }
  };
  std::string_view kind = statement.kind();
  if (kind == "CreateStmt") {
    add(stmt["relation"]["relname"].str(), "table");
    for (Node element : stmt["tableElts"]) {
      if (Node column_def = element.as("ColumnDef")) {
        add_column(column_def);
      }
      add(element.as("Constraint")["conname"].str(), "constraint");
    }
  } else if (kind == "AlterTableStmt") {
    for (Node item : stmt["cmds"]) {
      Node cmd = item.as("AlterTableCmd");
      if (cmd["subtype"].str() == "AT_AddColumn") {
        add_column(cmd["def"].as("ColumnDef"));
      } else if (cmd["subtype"].str() == "AT_AddConstraint") {
        add(cmd["def"].as("Constraint")["conname"].str(), "constraint");
      }
    }
  } else if (kind == "IndexStmt") {
    add(stmt["idxname"].str(), "index");
  } else if (kind == "RenameStmt") {
    std::string_view type = stmt["renameType"].str();
    std::string_view what = type == "OBJECT_TABLE"           ? "table"
                            : type == "OBJECT_COLUMN"        ? "column"
                            : type == "OBJECT_TABCONSTRAINT" ? "constraint"
                            : type == "OBJECT_INDEX"         ? "index"
                                                             : "";
    if (!what.empty()) {
      add(stmt["newname"].str(), what);
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
    .summary = "A table, column, constraint or index name longer than 63 bytes, which PostgreSQL truncates.",
    .tags = {"naming"},
    .check = check,
};

}  // namespace miglint
