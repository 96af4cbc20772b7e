// Build-time generator of the typed parse-tree views (analyzer/sql/pg_nodes.hpp in the build tree).
//
// Reads libpg_query's pg_query.proto, the schema of the parse tree its JSON output spells out, and
// writes, into the build tree:
//   pg_nodes.hpp  `enum class NodeKind` (the messages of the `Node` oneof), one `enum class` per
//                 proto enum with its JSON spellings, and one view class per message with one
//                 accessor per field;
//   pg_nodes.cpp  the name -> NodeKind lookup.
// The views read the existing simdjson-backed `Node` (analyzer/sql/ast.hpp): nothing is copied and
// parsing does not change; a misspelt node, field or enum value is a compile error instead of a
// lookup that silently finds nothing.
//
// Usage: pg_nodes_generator PG_QUERY_PROTO OUTPUT_DIR
#include <cctype>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace {

struct Field {
  std::string type;  // proto type: "string", "int32", "Node", "RangeVar", "ObjectType"...
  std::string name;  // proto name, snake_case: "rename_type"
  std::string json;  // name in libpg_query's JSON: json_name, else the proto name
  bool repeated = false;
};

struct Message {
  std::string name;
  std::vector<Field> fields;
};

struct EnumValue {
  std::string name;
  long number = 0;
};

struct Enum {
  std::string name;
  std::vector<EnumValue> values;
};

struct Proto {
  std::vector<Message> messages;
  std::vector<Enum> enums;
  std::vector<std::string> node_kinds;  // the message names of the Node oneof, in proto order
};

// Tokens of the proto text: identifiers (dots included), numbers, quoted strings (without their
// quotes) and single punctuation characters; comments dropped.
std::vector<std::string> tokenize(const std::string& text) {
  std::vector<std::string> tokens;
  std::size_t i = 0;
  while (i < text.size()) {
    char c = text[i];
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
    } else if (text.compare(i, 2, "//") == 0) {
      i = text.find('\n', i);
      i = i == std::string::npos ? text.size() : i;
    } else if (text.compare(i, 2, "/*") == 0) {
      i = text.find("*/", i + 2);
      i = i == std::string::npos ? text.size() : i + 2;
    } else if (c == '"') {
      std::size_t end = text.find('"', i + 1);
      if (end == std::string::npos) {
        throw std::runtime_error("unterminated string");
      }
      tokens.push_back(text.substr(i + 1, end - i - 1));
      i = end + 1;
    } else if (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-') {
      std::size_t start = i;
      while (i < text.size() && (std::isalnum(static_cast<unsigned char>(text[i])) || text[i] == '_' ||
                                 text[i] == '.' || text[i] == '-')) {
        ++i;
      }
      tokens.push_back(text.substr(start, i - start));
    } else {
      tokens.push_back(std::string(1, c));
      ++i;
    }
  }
  return tokens;
}

class Parser {
 public:
  explicit Parser(std::vector<std::string> tokens) : tokens_(std::move(tokens)) {}

  Proto parse() {
    Proto proto;
    while (pos_ < tokens_.size()) {
      std::string word = next();
      if (word == "syntax" || word == "package" || word == "option" || word == "import") {
        skip_past(";");
      } else if (word == "message") {
        proto.messages.push_back(message(proto));
      } else if (word == "enum") {
        proto.enums.push_back(enumeration());
      } else {
        fail("unexpected '" + word + "' at top level");
      }
    }
    return proto;
  }

 private:
  Message message(Proto& proto) {
    Message m;
    m.name = next();
    expect("{");
    while (peek() != "}") {
      if (peek() == "oneof") {
        next();
        next();  // the oneof's name: its members read as optional fields of the message
        expect("{");
        while (peek() != "}") {
          m.fields.push_back(field());
        }
        expect("}");
      } else {
        m.fields.push_back(field());
      }
    }
    expect("}");
    if (m.name == "Node") {
      for (const Field& f : m.fields) {
        proto.node_kinds.push_back(f.type);
      }
    }
    return m;
  }

  Field field() {
    Field f;
    if (peek() == "repeated") {
      f.repeated = true;
      next();
    }
    f.type = next();
    f.name = next();
    f.json = f.name;
    expect("=");
    next();  // the field number
    if (peek() == "[") {
      next();
      while (peek() != "]") {
        std::string option = next();
        expect("=");
        std::string value = next();
        if (option == "json_name") {
          f.json = value;
        }
        if (peek() == ",") {
          next();
        }
      }
      expect("]");
    }
    expect(";");
    return f;
  }

  Enum enumeration() {
    Enum e;
    e.name = next();
    expect("{");
    while (peek() != "}") {
      EnumValue v;
      v.name = next();
      expect("=");
      v.number = std::stol(next());
      expect(";");
      e.values.push_back(v);
    }
    expect("}");
    return e;
  }

  const std::string& peek() const {
    if (pos_ >= tokens_.size()) {
      fail("unexpected end of file");
    }
    return tokens_[pos_];
  }
  std::string next() {
    std::string token = peek();
    ++pos_;
    return token;
  }
  void expect(const std::string& token) {
    if (next() != token) {
      fail("expected '" + token + "' before token " + std::to_string(pos_));
    }
  }
  void skip_past(const std::string& token) {
    while (next() != token) {
    }
  }
  [[noreturn]] static void fail(const std::string& what) { throw std::runtime_error(what); }

  std::vector<std::string> tokens_;
  std::size_t pos_ = 0;
};

const std::set<std::string> kCppKeywords = {
    "alignas",   "alignof",   "and",      "asm",      "auto",      "bool",     "break",    "case",
    "catch",     "char",      "class",    "const",    "constexpr", "continue", "default",  "delete",
    "do",        "double",    "else",     "enum",     "explicit",  "export",   "extern",   "false",
    "float",     "for",       "friend",   "goto",     "if",        "inline",   "int",      "long",
    "mutable",   "namespace", "new",      "noexcept", "not",       "nullptr",  "operator", "or",
    "private",   "protected", "public",   "register", "return",    "short",    "signed",   "sizeof",
    "static",    "struct",    "switch",   "template", "this",      "throw",    "true",     "try",
    "typedef",   "typeid",    "typename", "union",    "unsigned",  "using",    "virtual",  "void",
    "volatile",  "while",     "xor",      "node",     "concept",   "requires", "co_await", "co_yield",
    "co_return", "char8_t",   "bitand",   "bitor",    "compl",     "or_eq",    "xor_eq",   "and_eq",
    "not_eq"};

// An accessor's name: the proto field's snake_case name, with `_` appended where it would be a
// C++ keyword or clash with a view's own members (`node()`).
std::string accessor_name(const std::string& field) {
  std::string name;
  for (char c : field) {
    name += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return kCppKeywords.count(name) != 0 ? name + "_" : name;
}

struct Scalar {
  const char* cpp;
  const char* read;  // expression over `n`, the field's Node
};

const std::map<std::string, Scalar> kScalars = {
    {"string", {"std::string_view", "n.str()"}},
    {"bool", {"bool", "n.boolean()"}},
    {"int32", {"int32_t", "static_cast<int32_t>(n.integer())"}},
    {"int64", {"int64_t", "n.integer()"}},
    {"uint32", {"uint32_t", "static_cast<uint32_t>(n.integer())"}},
    {"uint64", {"uint64_t", "static_cast<uint64_t>(n.integer())"}},
};

// Not views: `Node` is the oneof every node type is wrapped in (AnyNode stands for it), and the
// scanner's messages and enums describe pg_query_scan's protobuf output, not the JSON parse tree.
bool skipped(const std::string& type) {
  return type == "Node" || type == "ScanResult" || type == "ScanToken" || type == "Token" ||
         type == "KeywordKind";
}

std::string quoted(const std::string& text) {
  return "\"" + text + "\"";
}

void write_header(const Proto& proto, std::ostream& out) {
  std::set<std::string> messages;
  for (const Message& m : proto.messages) {
    messages.insert(m.name);
  }
  std::set<std::string> enums;
  for (const Enum& e : proto.enums) {
    enums.insert(e.name);
  }
  std::set<std::string> node_kinds(proto.node_kinds.begin(), proto.node_kinds.end());

  out << "// Generated at build time from pg_query.proto by analyzer/sql/pg_nodes_generator.cpp: do not\n"
         "// edit. Typed, zero-copy views over libpg_query's JSON parse tree (analyzer/sql/ast.hpp `Node`);\n"
         "// analyzer/sql/pg_view_support.hpp explains how to use them.\n"
         "#pragma once\n\n"
         "#include <array>\n#include <cstdint>\n#include <string_view>\n#include <utility>\n\n"
         "#include \"analyzer/sql/pg_view_support.hpp\"\n\n"
         "namespace miglint::pg {\n\n";

  // Node kinds.
  out << "// The node types a `Node` field can hold (the wrapper's key in the JSON: {\"RangeVar\": {...}}).\n"
         "// `None`: not a wrapped node, or a type this build does not know.\n"
         "enum class NodeKind : uint16_t {\n  None,\n";
  for (const std::string& kind : proto.node_kinds) {
    out << "  " << kind << ",\n";
  }
  out << "};\n\ninline constexpr std::size_t kNodeKindCount = " << proto.node_kinds.size() + 1 << ";\n\n";
  out << "// The kind a wrapper's key names (NodeKind::None for another key).\n"
         "NodeKind node_kind_from_name(std::string_view name);\n"
         "// The wrapper key of a kind (\"\" for None).\n"
         "constexpr std::string_view name_of(NodeKind kind) {\n  switch (kind) {\n";
  for (const std::string& kind : proto.node_kinds) {
    out << "    case NodeKind::" << kind << ":\n      return " << quoted(kind) << ";\n";
  }
  out << "    case NodeKind::None:\n      break;\n  }\n  return {};\n}\n\n";

  // Enums.
  for (const Enum& e : proto.enums) {
    if (skipped(e.name)) {
      continue;
    }
    out << "enum class " << e.name << " {\n";
    for (const EnumValue& v : e.values) {
      out << "  " << v.name << " = " << v.number << ",\n";
    }
    out << "};\n";
    // The JSON spelling of each value. libpg_query writes every enum field, and has no value for the
    // proto's `..._UNDEFINED = 0`: that one reads as the missing field, "".
    out << "constexpr std::string_view name_of(" << e.name << " value) {\n  switch (value) {\n";
    for (const EnumValue& v : e.values) {
      bool undefined = v.number == 0 && v.name.size() > 10 && v.name.ends_with("_UNDEFINED");
      out << "    case " << e.name << "::" << v.name << ":\n      return "
          << (undefined ? "{}" : quoted(v.name)) << ";\n";
    }
    out << "  }\n  return {};\n}\n";
    out << "template <>\nstruct EnumValues<" << e.name << "> {\n  static constexpr std::array<" << e.name
        << ", " << e.values.size() << "> all = {";
    for (std::size_t i = 0; i < e.values.size(); ++i) {
      out << (i == 0 ? "" : ", ") << e.name << "::" << e.values[i].name;
    }
    out << "};\n};\n\n";
  }

  // Forward declarations: fields refer to messages declared later.
  for (const Message& m : proto.messages) {
    if (!skipped(m.name)) {
      out << "class " << m.name << ";\n";
    }
  }
  out << "\n";

  // Declarations of the view classes; accessors that return a message view are defined after all
  // classes (the type must be complete).
  std::ostringstream later;
  for (const Message& m : proto.messages) {
    if (skipped(m.name)) {
      continue;
    }
    out << "class " << m.name << " {\n public:\n";
    if (node_kinds.count(m.name) != 0) {
      out << "  static constexpr NodeKind kKind = NodeKind::" << m.name << ";\n";
    }
    out << "  static constexpr std::string_view kName = " << quoted(m.name) << ";\n\n"
        << "  " << m.name << "() = default;\n"
        << "  // Over the message's body (the object inside a {\"" << m.name << "\": ...} wrapper).\n"
        << "  explicit " << m.name << "(Node body) : body_(body) {}\n"
        << "  Node node() const { return body_; }\n"
        << "  explicit operator bool() const { return body_.valid(); }\n\n";
    for (const Field& f : m.fields) {
      std::string name = accessor_name(f.name);
      std::string lookup = "body_[" + quoted(f.json) + "]";
      auto scalar = kScalars.find(f.type);
      if (f.repeated) {
        if (f.type == "Node") {
          out << "  Repeated<AnyNode> " << name << "() const { return Repeated<AnyNode>(" << lookup
              << "); }\n";
        } else if (messages.count(f.type) != 0) {
          out << "  Repeated<" << f.type << "> " << name << "() const;\n";
          later << "inline Repeated<" << f.type << "> " << m.name << "::" << name
                << "() const { return Repeated<" << f.type << ">(" << lookup << "); }\n";
        } else {
          out << "  // A list of " << f.type << ": the raw array.\n";
          out << "  Node " << name << "() const { return " << lookup << "; }\n";
        }
      } else if (f.type == "Node") {
        out << "  AnyNode " << name << "() const { return AnyNode(" << lookup << "); }\n";
      } else if (messages.count(f.type) != 0) {
        out << "  " << f.type << " " << name << "() const;\n";
        later << "inline " << f.type << " " << m.name << "::" << name << "() const { return " << f.type << "("
              << lookup << ".as_known_body()); }\n";
      } else if (enums.count(f.type) != 0) {
        out << "  Enum<" << f.type << "> " << name << "() const { return Enum<" << f.type << ">(" << lookup
            << ".str()); }\n";
      } else if (scalar != kScalars.end()) {
        out << "  " << scalar->second.cpp << " " << name << "() const {\n    Node n = " << lookup
            << ";\n    return " << scalar->second.read << ";\n  }\n";
      } else {
        out << "  // A " << f.type << ": the raw value.\n";
        out << "  Node " << name << "() const { return " << lookup << "; }\n";
      }
    }
    out << "\n private:\n  Node body_;\n};\n\n";
  }
  out << later.str() << "\n}  // namespace miglint::pg\n";
}

// NodeKind from a name: by length, then by first character, then compared whole. Called once per
// statement and per AnyNode::kind(): one or two string compares.
void write_source(const Proto& proto, std::ostream& out) {
  std::map<std::size_t, std::map<char, std::vector<std::string>>> by_length;
  for (const std::string& kind : proto.node_kinds) {
    by_length[kind.size()][kind[0]].push_back(kind);
  }
  out << "// Generated at build time from pg_query.proto by analyzer/sql/pg_nodes_generator.cpp: do not "
         "edit.\n"
         "#include \"analyzer/sql/pg_nodes.hpp\"\n\nnamespace miglint::pg {\n\n"
         "NodeKind node_kind_from_name(std::string_view name) {\n  if (name.empty()) {\n    return "
         "NodeKind::None;\n  }\n"
         "  switch (name.size()) {\n";
  for (const auto& [length, by_first] : by_length) {
    out << "    case " << length << ":\n      switch (name[0]) {\n";
    for (const auto& [first, kinds] : by_first) {
      out << "        case '" << first << "':\n";
      for (const std::string& kind : kinds) {
        out << "          if (name == " << quoted(kind) << ") {\n            return NodeKind::" << kind
            << ";\n          }\n";
      }
      out << "          return NodeKind::None;\n";
    }
    out << "        default:\n          return NodeKind::None;\n      }\n";
  }
  out << "    default:\n      return NodeKind::None;\n  }\n}\n\n}  // namespace miglint::pg\n";
}

// Writes `text` to `path` only when it differs, so that an unchanged proto rebuilds nothing.
void write_if_changed(const std::string& path, const std::string& text) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream old;
  old << in.rdbuf();
  if (in && old.str() == text) {
    return;
  }
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  if (!out) {
    throw std::runtime_error("cannot write " + path);
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: pg_nodes_generator PG_QUERY_PROTO OUTPUT_DIR\n";
    return 2;
  }
  try {
    std::ifstream in(argv[1], std::ios::binary);
    if (!in) {
      throw std::runtime_error("cannot read it");
    }
    std::stringstream text;
    text << in.rdbuf();
    Proto proto = Parser(tokenize(text.str())).parse();
    if (proto.node_kinds.empty()) {
      throw std::runtime_error("no `message Node` with a oneof of node types");
    }
    std::ostringstream header;
    write_header(proto, header);
    std::ostringstream source;
    write_source(proto, source);
    std::string dir = argv[2];
    write_if_changed(dir + "/pg_nodes.hpp", header.str());
    write_if_changed(dir + "/pg_nodes.cpp", source.str());
  } catch (const std::exception& error) {
    std::cerr << argv[1] << ": " << error.what() << "\n";
    return 1;
  }
  return 0;
}
