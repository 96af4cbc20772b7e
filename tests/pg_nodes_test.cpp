// The typed parse-tree views generated from pg_query.proto (analyzer/sql/pg_nodes.hpp), read over
// real parse trees: field names from the proto's json_name, enums as libpg_query spells them,
// defaults for what the JSON omits, and empty views for the wrong kind.
#include <gtest/gtest.h>

#include <string>
#include <type_traits>
#include <vector>

#include "analyzer/sql/file_model.hpp"
#include "analyzer/sql/pg_nodes.hpp"
#include "analyzer/sql/statement.hpp"

using namespace miglint;

namespace {

// A parsed file, kept alive with its model (statements point into both).
struct Parsed {
  explicit Parsed(std::string text) : source("test.sql", std::move(text)), model(build_model(source)) {}
  SourceFile source;
  FileModel model;
  const Statement& operator[](std::size_t i) const { return model.statements.at(i); }
};

TEST(PgNodes, StatementKindAndTypedAccess) {
  Parsed file("ALTER TABLE app.users RENAME COLUMN email TO mail;\nCREATE INDEX i ON t (a);");
  ASSERT_EQ(file.model.statements.size(), 2U);
  EXPECT_EQ(file[0].node_kind(), pg::NodeKind::RenameStmt);
  EXPECT_EQ(file[1].node_kind(), pg::NodeKind::IndexStmt);

  auto rename = file[0].as<pg::RenameStmt>();
  ASSERT_TRUE(rename);
  EXPECT_TRUE(rename.rename_type() == pg::ObjectType::OBJECT_COLUMN);
  EXPECT_FALSE(rename.rename_type() == pg::ObjectType::OBJECT_TABLE);
  EXPECT_EQ(rename.rename_type().value(), pg::ObjectType::OBJECT_COLUMN);
  EXPECT_EQ(rename.rename_type().name(), "OBJECT_COLUMN");
  EXPECT_EQ(rename.subname(), "email");
  EXPECT_EQ(rename.newname(), "mail");
  // A message-typed field: a RangeVar, a plain object in the JSON.
  pg::RangeVar relation = rename.relation();
  ASSERT_TRUE(relation);
  EXPECT_EQ(relation.schemaname(), "app");
  EXPECT_EQ(relation.relname(), "users");
  EXPECT_TRUE(relation.inh());
  EXPECT_EQ(file.source.text().substr(file[0].offset_of(relation), 9), "app.users");

  // The other statement's kind: an empty view, whose fields read as defaults.
  auto not_rename = file[1].as<pg::RenameStmt>();
  EXPECT_FALSE(not_rename);
  EXPECT_EQ(not_rename.subname(), "");
  EXPECT_FALSE(not_rename.relation());
  EXPECT_FALSE(not_rename.rename_type() == pg::ObjectType::OBJECT_COLUMN);
  EXPECT_EQ(not_rename.rename_type().value(), pg::ObjectType::OBJECT_TYPE_UNDEFINED);
}

TEST(PgNodes, MissingFieldsReadAsDefaults) {
  // JSON omits false, 0, "" and empty lists: the views read them back as those defaults.
  Parsed file("DROP INDEX i;\nDROP INDEX CONCURRENTLY IF EXISTS j CASCADE;");
  auto plain = file[0].as<pg::DropStmt>();
  auto full = file[1].as<pg::DropStmt>();
  ASSERT_TRUE(plain);
  ASSERT_TRUE(full);
  EXPECT_FALSE(plain.missing_ok());
  EXPECT_FALSE(plain.concurrent());
  EXPECT_TRUE(plain.behavior() == pg::DropBehavior::DROP_RESTRICT);
  EXPECT_TRUE(full.missing_ok());
  EXPECT_TRUE(full.concurrent());
  EXPECT_TRUE(full.behavior() == pg::DropBehavior::DROP_CASCADE);
  EXPECT_TRUE(plain.remove_type() == pg::ObjectType::OBJECT_INDEX);

  // An integer 0 is omitted inside its Integer node ({"ival": {}}).
  Parsed zero("SELECT 0, 7;");
  auto select = zero[0].as<pg::SelectStmt>();
  ASSERT_EQ(select.target_list().size(), 2U);
  auto first = select.target_list()[0].as<pg::ResTarget>().val().as<pg::A_Const>();
  auto second = select.target_list().at(1).as<pg::ResTarget>().val().as<pg::A_Const>();
  ASSERT_TRUE(first);
  ASSERT_TRUE(second);
  EXPECT_TRUE(first.ival());  // present, with its value omitted
  EXPECT_EQ(first.ival().ival(), 0);
  EXPECT_EQ(second.ival().ival(), 7);
  EXPECT_FALSE(first.sval());
  EXPECT_FALSE(first.isnull());
}

TEST(PgNodes, AnyNodeKindsAndRepeatedFields) {
  Parsed file(
      "CREATE TABLE t (id bigint PRIMARY KEY, name varchar(20) NOT NULL DEFAULT 'x', "
      "CONSTRAINT c CHECK (id > 0));");
  auto create = file[0].as<pg::CreateStmt>();
  ASSERT_TRUE(create);
  EXPECT_EQ(create.relation().relname(), "t");
  auto elements = create.table_elts();
  ASSERT_EQ(elements.size(), 3U);
  EXPECT_FALSE(elements.empty());

  std::vector<pg::NodeKind> kinds;
  std::vector<std::string_view> columns;
  for (pg::AnyNode element : elements) {
    kinds.push_back(element.kind());
    if (auto column = element.as<pg::ColumnDef>()) {
      columns.push_back(column.colname());
    }
  }
  EXPECT_EQ(kinds, (std::vector<pg::NodeKind>{pg::NodeKind::ColumnDef, pg::NodeKind::ColumnDef,
                                              pg::NodeKind::Constraint}));
  EXPECT_EQ(columns, (std::vector<std::string_view>{"id", "name"}));

  // as<>() on another kind: an empty view, and is<>() says no.
  EXPECT_TRUE(elements[2].is<pg::Constraint>());
  EXPECT_FALSE(elements[2].is<pg::ColumnDef>());
  EXPECT_FALSE(elements[2].as<pg::ColumnDef>());
  EXPECT_EQ(elements[2].as<pg::ColumnDef>().colname(), "");
  auto check = elements[2].as<pg::Constraint>();
  EXPECT_TRUE(check.contype() == pg::ConstrType::CONSTR_CHECK);
  EXPECT_EQ(check.conname(), "c");
  EXPECT_EQ(check.raw_expr().kind(), pg::NodeKind::A_Expr);
  EXPECT_TRUE(check.raw_expr().as<pg::A_Expr>().kind() == pg::A_Expr_Kind::AEXPR_OP);

  // A message-typed field (TypeName) with repeated Node fields inside.
  auto name = elements[1].as<pg::ColumnDef>();
  pg::TypeName type = name.type_name();
  ASSERT_EQ(type.names().size(), 2U);
  EXPECT_EQ(type.names()[0].as<pg::String>().sval(), "pg_catalog");
  EXPECT_EQ(type.names()[1].as<pg::String>().sval(), "varchar");
  ASSERT_EQ(type.typmods().size(), 1U);
  EXPECT_EQ(type.typmods()[0].as<pg::A_Const>().ival().ival(), 20);
  EXPECT_TRUE(type.array_bounds().empty());
  std::vector<pg::ConstrType> constraint_types;
  for (pg::AnyNode item : name.constraints()) {
    constraint_types.push_back(item.as<pg::Constraint>().contype().value());
  }
  EXPECT_EQ(constraint_types,
            (std::vector<pg::ConstrType>{pg::ConstrType::CONSTR_NOTNULL, pg::ConstrType::CONSTR_DEFAULT}));
  // Out of range: an empty view, like a missing field.
  EXPECT_FALSE(name.constraints()[5]);
}

TEST(PgNodes, NodeKindNames) {
  EXPECT_EQ(pg::node_kind_from_name("AlterTableStmt"), pg::NodeKind::AlterTableStmt);
  EXPECT_EQ(pg::node_kind_from_name("A_Const"), pg::NodeKind::A_Const);
  EXPECT_EQ(pg::node_kind_from_name("RangeVar"), pg::NodeKind::RangeVar);
  EXPECT_EQ(pg::node_kind_from_name("AlterTableStmx"), pg::NodeKind::None);
  EXPECT_EQ(pg::node_kind_from_name(""), pg::NodeKind::None);
  EXPECT_EQ(pg::node_kind_from_name("relname"), pg::NodeKind::None);
  // Every kind's name reads back as that kind.
  for (std::size_t k = 1; k < pg::kNodeKindCount; ++k) {
    auto kind = static_cast<pg::NodeKind>(k);
    EXPECT_EQ(pg::node_kind_from_name(pg::name_of(kind)), kind) << pg::name_of(kind);
  }
  EXPECT_EQ(pg::name_of(pg::AlterTableType::AT_AddColumn), "AT_AddColumn");
  EXPECT_EQ(pg::name_of(pg::AlterTableType::ALTER_TABLE_TYPE_UNDEFINED), "");
}

TEST(PgNodes, AlterTableCommands) {
  Parsed file("ALTER TABLE t ADD COLUMN c int DEFAULT 0, ALTER COLUMN d TYPE text, DROP CONSTRAINT k;");
  auto alter = file[0].as<pg::AlterTableStmt>();
  ASSERT_TRUE(alter);
  EXPECT_TRUE(alter.objtype() == pg::ObjectType::OBJECT_TABLE);
  std::vector<pg::AlterTableType> subtypes;
  for (pg::AnyNode item : alter.cmds()) {
    auto cmd = item.as<pg::AlterTableCmd>();
    subtypes.push_back(cmd.subtype().value());
    switch (cmd.subtype().value()) {
      case pg::AlterTableType::AT_AddColumn:
        EXPECT_EQ(cmd.def().as<pg::ColumnDef>().colname(), "c");
        break;
      case pg::AlterTableType::AT_AlterColumnType:
        EXPECT_EQ(cmd.name(), "d");
        break;
      default:
        EXPECT_EQ(cmd.name(), "k");
        EXPECT_FALSE(cmd.def());
    }
  }
  EXPECT_EQ(subtypes, (std::vector<pg::AlterTableType>{pg::AlterTableType::AT_AddColumn,
                                                       pg::AlterTableType::AT_AlterColumnType,
                                                       pg::AlterTableType::AT_DropConstraint}));
}

// The accessors' types follow the proto's field types.
static_assert(std::is_same_v<decltype(pg::RenameStmt().rename_type()), pg::Enum<pg::ObjectType>>);
static_assert(std::is_same_v<decltype(pg::RenameStmt().relation()), pg::RangeVar>);
static_assert(std::is_same_v<decltype(pg::RenameStmt().object()), pg::AnyNode>);
static_assert(std::is_same_v<decltype(pg::RenameStmt().missing_ok()), bool>);
static_assert(std::is_same_v<decltype(pg::RenameStmt().subname()), std::string_view>);
static_assert(std::is_same_v<decltype(pg::CreateStmt().table_elts()), pg::Repeated<pg::AnyNode>>);
static_assert(pg::RenameStmt::kKind == pg::NodeKind::RenameStmt);

}  // namespace
