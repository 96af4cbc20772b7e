#!/usr/bin/env python3
"""Checks that every #include between the project's folders follows the layers.

The analyzer is split into libraries, each allowed to use only the layers below it (analyzer/CMakeLists.txt
draws them). A static library cannot stop an upward #include by itself (the final link resolves it), so
this test reads every source file's quoted includes and fails naming each one that goes the wrong way.

It also checks that a front end is added by its folder and one line: every front end registered in its
folder's CMakeLists.txt (miglint_register_front_end) is named outside that folder, on the lint path
(LINT_PATH below), by exactly one line, its add_subdirectory in analyzer/CMakeLists.txt; no source there
includes its headers and no CMakeLists.txt there names its library (the registry is generated).

Usage: tests/layering_test.py SOURCE_DIR
"""

import pathlib
import re
import sys

# Folder → the folders its files may include (itself always included).
ALLOWED = {
    "analyzer/text": set(),
    "analyzer/sql": {"analyzer/text"},
    "analyzer/model": {"analyzer/text", "analyzer/sql"},
    "rules": {"analyzer/text", "analyzer/sql", "analyzer/model"},
    "analyzer/project": {"analyzer/text", "analyzer/sql", "analyzer/model"},
    "analyzer/cpp": {"analyzer/text", "analyzer/sql", "analyzer/model", "analyzer/project", "analyzer/frontend"},
    "analyzer/alembic": {"analyzer/text", "analyzer/sql", "analyzer/model", "analyzer/project",
                         "analyzer/frontend"},
    "analyzer/frontend": {"analyzer/text", "analyzer/sql", "analyzer/model"},
    "analyzer/engine": {"analyzer/text", "analyzer/sql", "analyzer/model", "analyzer/project", "analyzer/frontend"},
    "analyzer/report": {"analyzer/text", "analyzer/sql", "analyzer/model", "analyzer/project", "analyzer/engine"},
    "sarif": {"analyzer/text", "analyzer/sql", "analyzer/model", "analyzer/project", "analyzer/engine",
              "analyzer/report", "rules"},
}
ALLOWED["analyzer/report"].add("rules")  # reports print a rule's documentation
# Above the analyzer: the settings resolver, the runner, then the two front doors (cli/), which may
# include everything. The runner never includes the command line.
_ANALYZER = {folder for folder in ALLOWED if folder.startswith("analyzer/")} | {"rules", "sarif"}
ALLOWED["settings"] = _ANALYZER
# Fixes (fixes/) build on the analyzer and the rules; only the command line calls them.
ALLOWED["fixes"] = set(_ANALYZER)
ALLOWED["runner"] = _ANALYZER | {"settings"}
ALLOWED["cli"] = _ANALYZER | {"settings", "runner", "fixes"}
# The language server (lsp/, the program miglint-lsp) is a third front door: it reads the config as
# the command line does (cli/config_loading.hpp) and offers the fixes.
ALLOWED["lsp"] = _ANALYZER | {"settings", "fixes", "cli"}

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.MULTILINE)

# Where miglint lints, configures and reports: none of it may know a front end by name. (runner/ is not
# on it: it applies Alembic revisions through the Alembic folder's helper, a use of that folder as a
# library that adding a front end does not need; tests/ and fuzz/ test front ends directly.)
LINT_PATH = ["analyzer", "rules", "sarif", "settings", "fixes", "cli", "lsp"]
REGISTRATION = re.compile(r"miglint_register_front_end\(\s*TARGET\s+(\S+)")


def front_end_registration_problems(root):
    """Lines that name a registered front end outside its folder, beyond its add_subdirectory line."""
    problems = []
    front_ends = []
    for cmake in sorted((root / "analyzer").glob("*/CMakeLists.txt")):
        for match in REGISTRATION.finditer(cmake.read_text(encoding="utf-8")):
            front_ends.append((cmake.parent, match.group(1)))
    if not front_ends:
        return ["no front end registers itself with miglint_register_front_end in analyzer/*/CMakeLists.txt"]
    analyzer_cmake = root / "analyzer" / "CMakeLists.txt"
    for folder, target in front_ends:
        own = folder.relative_to(root).as_posix()
        names = (own + "/", target)
        subdirectory = re.compile(r"^\s*add_subdirectory\(\s*" + re.escape(folder.name) + r"\s*\)", re.MULTILINE)
        count = len(subdirectory.findall(analyzer_cmake.read_text(encoding="utf-8")))
        if count != 1:
            problems.append(f"analyzer/CMakeLists.txt: {count} add_subdirectory({folder.name}) lines, not one")
        for top in LINT_PATH:
            for path in sorted((root / top).rglob("*")):
                if not path.is_file() or folder in path.parents:
                    continue
                if path.suffix not in (".cpp", ".hpp", ".h", ".cc") and path.name != "CMakeLists.txt":
                    continue
                text = path.read_text(encoding="utf-8", errors="replace")
                for number, line in enumerate(text.splitlines(), start=1):
                    code = line.split("#", 1)[0] if path.name == "CMakeLists.txt" else line
                    if path.suffix != ".txt" and not INCLUDE.match(line):
                        continue  # in sources, only includes count (comments may point at a folder)
                    if any(name in code for name in names):
                        relative = path.relative_to(root).as_posix()
                        problems.append(f"{relative}:{number}: names the front end {target} ({own}/) outside its "
                                        f"folder: register it there (miglint_register_front_end) instead")
    return problems


def folder_of(path):
    """The layer folder a repository-relative path belongs to, or None (tests/, fuzz/ and
    analyzer/front_ends.*, the registration of every front end above the layers, are free)."""
    for folder in sorted(ALLOWED, key=len, reverse=True):
        if path == folder or path.startswith(folder + "/"):
            return folder
    return None


def main():
    root = pathlib.Path(sys.argv[1]).resolve()
    violations = []
    checked = 0
    for folder in ALLOWED:
        for source in sorted((root / folder).rglob("*")):
            if source.suffix not in (".cpp", ".hpp", ".h", ".cc") or not source.is_file():
                continue
            checked += 1
            relative = source.relative_to(root).as_posix()
            text = source.read_text(encoding="utf-8", errors="replace")
            for match in INCLUDE.finditer(text):
                target = folder_of(match.group(1))
                if target is None or target == folder or target in ALLOWED[folder]:
                    continue
                line = text.count("\n", 0, match.start()) + 1
                violations.append(f"{relative}:{line}: {folder} must not include {match.group(1)} ({target} "
                                  f"is not below it)")
    if checked == 0:
        sys.exit(f"layering_test: no sources found under {root}")
    for violation in violations:
        print(violation)
    print(f"layering_test: {checked} files checked, {len(violations)} upward includes")
    registration = front_end_registration_problems(root)
    for problem in registration:
        print(problem)
    print(f"layering_test: front ends named outside their folder and add_subdirectory line: {len(registration)}")
    sys.exit(1 if violations or registration else 0)


if __name__ == "__main__":
    main()
