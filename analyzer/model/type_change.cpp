#include "analyzer/model/type_change.hpp"

#include <cstdlib>
#include <vector>

namespace miglint {

namespace {

struct ParsedType {
  std::string base;
  std::vector<long> modifiers;
  bool array = false;
};

ParsedType parse(const std::string& type) {
  ParsedType parsed;
  std::string text = type;
  while (text.size() >= 2 && text.ends_with("[]")) {
    parsed.array = true;
    text.resize(text.size() - 2);
  }
  auto open = text.find('(');
  parsed.base = text.substr(0, open);
  if (open != std::string::npos) {
    std::string inner = text.substr(open + 1, text.find(')') - open - 1);
    std::size_t start = 0;
    while (start < inner.size()) {
      std::size_t comma = inner.find(',', start);
      parsed.modifiers.push_back(std::strtol(inner.substr(start, comma - start).c_str(), nullptr, 10));
      if (comma == std::string::npos) {
        break;
      }
      start = comma + 1;
    }
  }
  return parsed;
}

bool is_varchar_like(const std::string& base) {
  return base == "varchar" || base == "text";
}

}  // namespace

TypeChange classify_type_change(const std::optional<std::string>& old_type, const std::string& new_type,
                                bool has_using) {
  if (has_using) {
    return TypeChange::Rewrite;
  }
  if (!old_type) {
    return TypeChange::UnknownOld;
  }
  if (*old_type == new_type) {
    return TypeChange::NoRewrite;
  }
  ParsedType from = parse(*old_type);
  ParsedType to = parse(new_type);
  // Arrays are converted element by element through a coercion expression: a rewrite even when the
  // element change alone would be binary-coercible (checked against PostgreSQL 15).
  if (from.array || to.array) {
    return TypeChange::Rewrite;
  }
  // varchar(n) -> varchar(m >= n) / varchar / text; text or varchar -> unbounded varchar or text.
  if (is_varchar_like(from.base) && is_varchar_like(to.base)) {
    if (to.modifiers.empty()) {
      return TypeChange::NoRewrite;
    }
    bool widening = from.base == "varchar" && !from.modifiers.empty() && to.modifiers[0] >= from.modifiers[0];
    return widening ? TypeChange::NoRewrite : TypeChange::Rewrite;
  }
  if (from.base == "numeric" && to.base == "numeric") {
    if (to.modifiers.empty()) {
      return TypeChange::NoRewrite;
    }
    if (from.modifiers.empty()) {
      return TypeChange::Rewrite;
    }
    long from_scale = from.modifiers.size() > 1 ? from.modifiers[1] : 0;
    long to_scale = to.modifiers.size() > 1 ? to.modifiers[1] : 0;
    return to.modifiers[0] >= from.modifiers[0] && to_scale == from_scale ? TypeChange::NoRewrite
                                                                          : TypeChange::Rewrite;
  }
  if (from.base == "varbit" && to.base == "varbit") {
    return to.modifiers.empty() || (!from.modifiers.empty() && to.modifiers[0] >= from.modifiers[0])
               ? TypeChange::NoRewrite
               : TypeChange::Rewrite;
  }
  // Raising the precision of a time type (or dropping it) keeps every stored value as it is.
  bool time_type = from.base == "timestamp" || from.base == "timestamptz" || from.base == "time" ||
                   from.base == "timetz" || from.base == "interval";
  if (time_type && from.base == to.base) {
    return to.modifiers.empty() || (!from.modifiers.empty() && to.modifiers[0] >= from.modifiers[0])
               ? TypeChange::NoRewrite
               : TypeChange::Rewrite;
  }
  if ((from.base == "cidr" && to.base == "inet") || (from.base == "citext" && to.base == "text")) {
    return TypeChange::NoRewrite;
  }
  return TypeChange::Rewrite;
}

}  // namespace miglint
