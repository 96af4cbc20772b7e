#include "analyzer/sql/ast.hpp"

namespace miglint {

namespace {

// Key comparison inline: libpg_query's keys are short, and a memcmp call per candidate key (what
// simdjson's key_equals does) was a tenth of the lookup's cost.
bool key_is(const simdjson::dom::object::iterator& it, std::string_view field) {
  if (it.key_length() != field.size()) {
    return false;
  }
  const char* key = it.key_c_str();
  for (std::size_t i = 0; i < field.size(); ++i) {
    if (key[i] != field[i]) {
      return false;
    }
  }
  return true;
}

}  // namespace

std::string_view Node::kind() const {
  simdjson::dom::object object;
  if (!valid_ || element_.get_object().get(object) != simdjson::SUCCESS) {
    return {};
  }
  auto it = object.begin();
  if (it == object.end()) {
    return {};
  }
  std::string_view key = it.key();
  ++it;
  // A wrapper has exactly one key, and node type names start with an upper-case letter.
  if (it != object.end() || key.empty() || key[0] < 'A' || key[0] > 'Z') {
    return {};
  }
  return key;
}

Node Node::body() const {
  if (known_body_) {
    return *this;
  }
  if (kind().empty()) {
    Node node = *this;
    node.known_body_ = valid_;
    return node;
  }
  simdjson::dom::object object;
  if (element_.get_object().get(object) != simdjson::SUCCESS) {
    return {};
  }
  return body_of(object.begin().value());
}

Node Node::as(std::string_view type) const {
  // One pass: a wrapper's only key is its type, so a first key equal to `type` (a node type name,
  // upper-case first) is the wrapper when no second key follows.
  simdjson::dom::object object;
  if (!valid_ || element_.get_object().get(object) != simdjson::SUCCESS) {
    return {};
  }
  auto it = object.begin();
  auto end = object.end();
  if (it == end || !key_is(it, type) || type.empty() || type[0] < 'A' || type[0] > 'Z') {
    return {};
  }
  auto second = it;
  ++second;
  if (second != end) {
    return {};
  }
  return body_of(it.value());
}

Node Node::operator[](std::string_view field) const {
  if (!valid_) {
    return {};
  }
  // body() and a lookup in one pass over the object: this runs for every field a rule reads.
  simdjson::dom::object object;
  if (element_.get_object().get(object) != simdjson::SUCCESS) {
    return {};
  }
  auto it = object.begin();
  auto end = object.end();
  if (it == end) {
    return {};
  }
  if (!known_body_) {
    auto second = it;
    ++second;
    std::string_view key = it.key();
    if (second == end && !key.empty() && key[0] >= 'A' && key[0] <= 'Z') {
      // A wrapped node ({"IndexStmt": {...}}): the field is in its body.
      if (it.value().get_object().get(object) != simdjson::SUCCESS) {
        return {};
      }
      it = object.begin();
      end = object.end();
    }
  }
  for (; it != end; ++it) {
    if (key_is(it, field)) {
      return Node(it.value());
    }
  }
  return {};
}

std::string_view Node::str() const {
  std::string_view value;
  if (!valid_ || element_.get_string().get(value) != simdjson::SUCCESS) {
    return {};
  }
  return value;
}

int64_t Node::integer() const {
  int64_t value = 0;
  if (!valid_ || element_.get_int64().get(value) != simdjson::SUCCESS) {
    return 0;
  }
  return value;
}

bool Node::boolean() const {
  bool value = false;
  if (!valid_ || element_.get_bool().get(value) != simdjson::SUCCESS) {
    return false;
  }
  return value;
}

bool Node::array(simdjson::dom::array& out) const {
  return valid_ && element_.get_array().get(out) == simdjson::SUCCESS;
}

std::size_t Node::size() const {
  simdjson::dom::array items;
  return array(items) ? items.size() : 0;
}

Node Node::at(std::size_t index) const {
  simdjson::dom::array items;
  simdjson::dom::element value;
  if (!array(items) || items.at(index).get(value) != simdjson::SUCCESS) {
    return {};
  }
  return Node(value);
}

Node::Iterator Node::begin() const {
  simdjson::dom::array items;
  return array(items) ? Iterator(items.begin()) : Iterator();
}

Node::Iterator Node::end() const {
  simdjson::dom::array items;
  return array(items) ? Iterator(items.end()) : Iterator();
}

}  // namespace miglint
