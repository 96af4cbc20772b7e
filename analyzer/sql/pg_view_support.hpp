#pragma once

// The hand-written half of the typed parse-tree views; the generated half (analyzer/sql/pg_nodes.hpp
// in the build tree, from pg_query.proto) declares one view class per node type and one enum class
// per proto enum on top of these templates.
//
//   pg::RenameStmt rename = statement.as<pg::RenameStmt>();   // empty view for another statement
//   if (rename.rename_type() == pg::ObjectType::OBJECT_COLUMN) ...
//   for (pg::AnyNode item : create.table_elts()) {
//     if (pg::ColumnDef column = item.as<pg::ColumnDef>()) ...
//   }
//
// A view is a `Node` (analyzer/sql/ast.hpp) and nothing else: accessors read the JSON field named by
// the proto's json_name, at the cost of the string lookups they replace. JSON omits default values:
// a missing field reads as "", 0, false, an empty list, an empty view, or an enum equal to no value.
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <string_view>
#include <type_traits>

#include "analyzer/sql/ast.hpp"

namespace miglint::pg {

enum class NodeKind : uint16_t;
NodeKind node_kind_from_name(std::string_view name);

// Every value of a proto enum, in proto order (specialised by the generated header).
template <class E>
struct EnumValues;

// An enum field as libpg_query spells it ("AT_AddColumn"). Compares with a value of the enum class
// by comparing the spelling, the same cost as the string compare it replaces; `value()` finds the
// enum value, for switches. A missing field equals no named value, and its value() is the proto's
// `..._UNDEFINED` (0).
template <class E>
class Enum {
 public:
  Enum() = default;
  explicit Enum(std::string_view spelling) : spelling_(spelling) {}

  bool operator==(E value) const { return spelling_ == name_of(value); }
  std::string_view name() const { return spelling_; }
  E value() const {
    for (E value : EnumValues<E>::all) {
      if (spelling_ == name_of(value)) {
        return value;
      }
    }
    return E{};
  }

 private:
  std::string_view spelling_;
};

// A field typed `Node` in the proto: any node type, still in its wrapper ({"ColumnDef": {...}}).
class AnyNode {
 public:
  AnyNode() = default;
  explicit AnyNode(Node wrapped) : node_(wrapped) {}

  // The raw wrapped node, for walks over children and Statement::offset_of.
  Node node() const { return node_; }
  explicit operator bool() const { return node_.valid(); }

  NodeKind kind() const { return node_kind_from_name(node_.kind()); }
  template <class View>
  bool is() const {
    return node_.is(View::kName);
  }
  // The node as a `View`, or an empty view when it is another kind.
  template <class View>
  View as() const {
    static_assert(std::is_same_v<decltype(View::kKind), const NodeKind>, "not a node type of the Node oneof");
    return View(node_.as(View::kName));
  }

  // Calls `visit(child)` for every value one level below this one (each field of the node, each
  // element of a list), as an AnyNode: those that are nodes have a kind(), the rest NodeKind::None.
  // For walks that look for an expression anywhere in a statement (a literal in a WHERE clause, a
  // CHECK, a subquery) rather than at a known field.
  template <class Visit>
  void for_each_child(Visit&& visit) const {
    node_.for_each_child([&](Node child) { visit(AnyNode(child)); });
  }

 private:
  Node node_;
};

// A repeated field: a range of element views over the JSON array (empty when the field is missing).
template <class View>
class Repeated {
 public:
  Repeated() = default;
  explicit Repeated(Node array) : array_(array) {}

  Node node() const { return array_; }
  std::size_t size() const { return array_.size(); }
  bool empty() const { return array_.size() == 0; }
  View operator[](std::size_t index) const { return element(array_.at(index)); }
  View at(std::size_t index) const { return element(array_.at(index)); }

  class Iterator {
   public:
    using value_type = View;
    using difference_type = std::ptrdiff_t;
    Iterator() = default;
    explicit Iterator(Node::Iterator it) : it_(it) {}
    View operator*() const { return element(*it_); }
    Iterator& operator++() {
      ++it_;
      return *this;
    }
    bool operator!=(const Iterator& other) const { return it_ != other.it_; }

   private:
    Node::Iterator it_;
  };
  Iterator begin() const { return Iterator(array_.begin()); }
  Iterator end() const { return Iterator(array_.end()); }

 private:
  // Elements of a `repeated Node` are wrapped nodes; elements of a repeated message type are its
  // bodies, plain objects.
  static View element(Node item) {
    if constexpr (std::is_same_v<View, AnyNode>) {
      return AnyNode(item);
    } else {
      return View(item.as_known_body());
    }
  }
  Node array_;
};

}  // namespace miglint::pg
