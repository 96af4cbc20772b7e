#pragma once

#include <simdjson.h>

#include <cstdint>
#include <string_view>

namespace miglint {

// A read-only view of one node of libpg_query's JSON parse tree.
//
// libpg_query wraps every `Node*` as a one-key object, {"AlterTableStmt": {...fields}}, while typed
// fields (a RangeVar in `relation`) are plain objects. `kind()` names the wrapper, `body()` opens
// it; `operator[]` reads a field of either. A missing field is an empty Node, so chains like
// `stmt["relation"]["relname"].str()` never need null checks: JSON omits default values.
class Node {
 public:
  Node() = default;
  explicit Node(simdjson::dom::element element) : element_(element), valid_(true) {}

  bool valid() const { return valid_; }
  explicit operator bool() const { return valid_; }
  // The JSON value itself (for tests and dumps: `simdjson::to_string(node.element())`).
  simdjson::dom::element element() const { return element_; }

  // For a wrapped node: its node type ("ColumnRef"), else "".
  std::string_view kind() const;
  // For a wrapped node: the object inside the wrapper; for anything else: the node itself.
  Node body() const;
  // The body when this is a wrapped node of type `type`, else an empty Node.
  Node as(std::string_view type) const;
  bool is(std::string_view type) const { return kind() == type; }

  // This node, taken for a message's body without looking for a wrapper: for the typed views
  // (analyzer/sql/pg_nodes.hpp), which know from the schema that a field holds a plain message
  // ("relation": {"relname": ...}), so their field lookups skip the wrapper check as body()'s do.
  Node as_known_body() const {
    Node node = *this;
    node.known_body_ = valid_;
    return node;
  }

  // A field of an object (of the body, for a wrapped node).
  Node operator[](std::string_view field) const;

  std::string_view str() const;  // a string value, "" otherwise
  int64_t integer() const;       // an integer value, 0 otherwise (JSON omits zeros)
  bool boolean() const;          // a boolean value, false otherwise (JSON omits false)

  // Array access; a missing field is an empty array.
  std::size_t size() const;
  Node at(std::size_t index) const;

  class Iterator {
   public:
    Iterator() = default;
    explicit Iterator(simdjson::dom::array::iterator it) : it_(it), live_(true) {}
    Node operator*() const { return Node(*it_); }
    Iterator& operator++() {
      ++it_;
      return *this;
    }
    bool operator!=(const Iterator& other) const {
      // Iterators of a missing array are all equal (an empty range).
      if (!live_ || !other.live_) {
        return live_ != other.live_;
      }
      return it_ != other.it_;
    }

   private:
    simdjson::dom::array::iterator it_;
    bool live_ = false;
  };
  Iterator begin() const;
  Iterator end() const;

  // Calls `visit(child)` for every value of an object (a wrapper's body included) and every element
  // of an array, in order; nothing for a scalar. For rules that look for an expression anywhere in
  // a statement (a literal in a WHERE clause, a CHECK, a subquery) rather than at a known field.
  template <class Visit>
  void for_each_child(Visit&& visit) const {
    if (!valid_) {
      return;
    }
    simdjson::dom::object object;
    if (element_.get_object().get(object) == simdjson::SUCCESS) {
      for (auto field : object) {
        visit(Node(field.value));
      }
      return;
    }
    simdjson::dom::array items;
    if (element_.get_array().get(items) == simdjson::SUCCESS) {
      for (simdjson::dom::element item : items) {
        visit(Node(item));
      }
    }
  }

  // The string in a {"String": {"sval": "..."}} node, as used in name lists.
  std::string_view string_value() const { return as("String")["sval"].str(); }

 private:
  bool array(simdjson::dom::array& out) const;
  static Node body_of(simdjson::dom::element element) {
    Node node(element);
    node.known_body_ = true;
    return node;
  }
  simdjson::dom::element element_;
  bool valid_ = false;
  // Known not to be a {"Type": {...}} wrapper (it came from body() or as()): field lookups skip the
  // check, which was a fifth of their cost; most lookups are on bodies.
  bool known_body_ = false;
};

}  // namespace miglint
