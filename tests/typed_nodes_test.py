#!/usr/bin/env python3
"""Checks that rules and fixes read the parse tree through the typed views only.

The views generated from pg_query.proto (analyzer/sql/pg_nodes.hpp) make a misspelt node, field or enum
value a compile error; the untyped Node API underneath them (analyzer/sql/ast.hpp: `node["field"]`,
`node.as("Kind")`, `.str()`...) compiles whatever the string says, and a typo there silently never
fires. This test fails naming each line of rules/ or fixes/ that uses the untyped API again.

Usage: tests/typed_nodes_test.py SOURCE_DIR
"""

import pathlib
import re
import sys

FOLDERS = ["rules", "fixes"]

# What the untyped API looks like where it is used.
UNTYPED = [
    (re.compile(r"\bNode\b"), "the untyped Node type (use a view, or pg::AnyNode for a node of any kind)"),
    (re.compile(r"[\w\)\]]\s*\[\s*\"[A-Za-z_]+\"\s*\]"), "a field looked up by its name (use the view's accessor)"),
    (re.compile(r"\.(as|is)\(\s*\""), "a node kind named by a string (use as<pg::Kind>() / is<pg::Kind>())"),
    (re.compile(r"\.(string_value|str|integer|boolean|body|ast|element)\(\s*\)"),
     "an untyped Node accessor (use the view's accessor; Statement::as<View>(), root(), relation())"),
    (re.compile(r"\.node\(\s*\)"), "a view's raw Node (add a typed overload below rules/ instead)"),
]

# Lines each pattern must flag, and lines none may flag: the check itself is checked.
MUST_FLAG = ['table_ref(statement.body()["relation"])', 'auto def = cmd.as("ColumnDef");', 'void walk(Node node) {',
             'std::string(names.at(0).string_value())', 'normalized_type_name(def.type_name().node())']
MUST_PASS = ['bool opens = word == "(" || word == "[";', 'for (pg::AnyNode item : alter.cmds()) {',
             'if (statement.node_kind() == NodeKind::DropStmt) {', 'auto def = cmd.def().as<pg::ColumnDef>();',
             'out.report(column.span(), message, help, statement_table(statement));']


def problems_in(line):
    code = line.split("//", 1)[0]
    return [why for pattern, why in UNTYPED if pattern.search(code)]


def main():
    for line in MUST_FLAG:
        if not problems_in(line):
            sys.exit(f"typed_nodes_test: the check misses untyped access in: {line}")
    for line in MUST_PASS:
        if problems_in(line):
            sys.exit(f"typed_nodes_test: the check flags typed access in: {line}")
    root = pathlib.Path(sys.argv[1]).resolve()
    found = []
    checked = 0
    for folder in FOLDERS:
        for source in sorted((root / folder).rglob("*")):
            if source.suffix not in (".cpp", ".hpp") or not source.is_file():
                continue
            checked += 1
            relative = source.relative_to(root).as_posix()
            for number, line in enumerate(source.read_text(encoding="utf-8").splitlines(), start=1):
                for why in problems_in(line):
                    found.append(f"{relative}:{number}: {why}: {line.strip()}")
    if checked == 0:
        sys.exit(f"typed_nodes_test: no sources found under {root}")
    for problem in found:
        print(problem)
    print(f"typed_nodes_test: {checked} files of {', '.join(FOLDERS)} checked, {len(found)} untyped node accesses")
    sys.exit(1 if found else 0)


if __name__ == "__main__":
    main()
