#!/usr/bin/env python3
"""Writes miglint.1 from the built miglint's own text: `miglint --help`, each subcommand's `--help` and
`miglint rules`, so that the man page says what the program says. Run by the build (cli/CMakeLists.txt):

    make_man_page.py MIGLINT_BINARY VERSION OUTPUT
"""
import os
import re
import subprocess
import sys


def run(binary, *args):
    result = subprocess.run([binary, *args], capture_output=True, text=True, check=False)
    if result.returncode != 0:
        sys.exit(f"make_man_page.py: `miglint {' '.join(args)}` exited with {result.returncode}: {result.stderr}")
    return result.stdout


def roff(text):
    """Plain text for roff: backslashes escaped, a line never starting with a control character."""
    text = text.replace("\\", "\\e")
    return "\n".join("\\&" + line if line.startswith((".", "'")) else line for line in text.split("\n"))


def option_roff(text):
    """An option column (`-j,--jobs UINT:INT in [1 - 1024]`): names in bold, the value in italics, real minus signs."""
    names, _, value = text.partition(" ")
    names = ", ".join("\\fB" + roff(name).replace("-", "\\-") + "\\fR" for name in names.split(","))
    return names + (" \\fI" + roff(value) + "\\fR" if value else "")


def parse_help(text, binary):
    """CLI11's help: a description, `Usage: BINARY ...`, then sections (`Options:`) of two-column entries
    (the description may sit on the next line, indented)."""
    description, usage, sections, current = [], "", [], None
    for line in text.split("\n"):
        if line.startswith("Usage: "):
            usage = line[len("Usage: "):].replace(binary, "miglint", 1)
        elif re.match(r"^[A-Z][A-Za-z ]*:$", line):
            current = (line[:-1], [])
            sections.append(current)
        elif current is None:
            if line.strip():
                description.append(line.strip())
        elif line.startswith("  ") and line.strip():
            left, _, right = line.strip().partition("  ")
            if line.startswith("    ") and current[1] and not current[1][-1][1]:
                current[1][-1][1] = line.strip()  # the description of the entry above
            else:
                current[1].append([left.strip(), right.strip()])
    return " ".join(description), usage, sections


def entries_roff(sections, out, skip=("Subcommands",)):
    for title, entries in sections:
        if title in skip:
            continue
        for left, right in entries:
            out.append(".TP")
            out.append(option_roff(left) if left.startswith("-") else "\\fI" + roff(left) + "\\fR")
            out.append(roff(right))


def main():
    binary, version, output = sys.argv[1:4]
    top_description, top_usage, top_sections = parse_help(run(binary, "--help"), binary)
    subcommands = [name for title, entries in top_sections if title == "Subcommands" for name, _ in entries]
    name_line = top_description.split(": ", 1)[-1]

    out = [
        '.\\" Generated at build time from `miglint --help`, each subcommand\'s `--help` and `miglint rules`.',
        f'.TH MIGLINT 1 "" "miglint {version}" "User Commands"',
        ".SH NAME",
        "miglint \\- " + roff(name_line),
        ".SH SYNOPSIS",
    ]
    helps = {name: parse_help(run(binary, name, "--help"), binary) for name in subcommands}
    for usage in [top_usage] + [usage for _, usage, _ in helps.values()]:
        out += [".br", roff(usage).replace("-", "\\-")]
    out += [".SH DESCRIPTION", "miglint is " + roff(name_line) + "."]
    out += [
        "It reads migration files with PostgreSQL's own parser and reports, before merge, which statements",
        "will lock production or lose data, each at its file, line and column. C++ sources that send SQL are",
        "read too, when the C++ front end (the miglint\\-cpp package) is installed.",
        ".SH OPTIONS",
    ]
    entries_roff(top_sections, out)
    out.append(".SH COMMANDS")
    for name in subcommands:
        description, usage, sections = helps[name]
        out += [".SS " + roff(name), ".B " + roff(usage).replace("-", "\\-"), ".PP", roff(description) + "."]
        entries_roff(sections, out)
    out += [".SH RULES", "Every rule, its default severity and what it finds (`miglint explain RULE` prints its documentation):"]
    for line in run(binary, "rules").splitlines():
        rule, severity, summary = line.split(None, 2)
        out += [".TP", "\\fB" + roff(rule) + "\\fR (" + roff(severity) + ")", roff(summary)]
    out += [
        ".SH EXIT STATUS",
        "\\fBmiglint lint\\fR: 2 if an input could not be read or decoded, or on a usage error; otherwise 1 if a",
        "finding is at or above \\fB\\-\\-fail\\-on\\fR (default warning); otherwise 0.",
        ".PP",
        "\\fBmiglint run\\fR: 0 applied or nothing to do, 1 refused or failed, 2 usage error, database",
        "unreachable, runner lock lost, or the history changed by another runner.",
        ".SH ENVIRONMENT",
        ".TP",
        ".B MIGLINT_DATABASE_URL",
        "The database of \\fBrun\\fR, \\fBstatus\\fR and \\fBplan\\fR when \\fB\\-\\-db\\fR is not given.",
        ".TP",
        ".B NO_COLOR",
        "Turns off the colours of text output on a terminal.",
        ".SH FILES",
        ".TP",
        ".I miglint.toml",
        "The configuration, found walking up from the current directory (\\fBmiglint init\\fR writes a starter).",
        ".TP",
        ".I miglint.approvals.toml",
        "Approved findings, beside the migrations (\\fBmiglint approve\\fR).",
        ".SH SEE ALSO",
        "The README and docs/runner.md of miglint's source, installed under share/doc/miglint.",
    ]
    with open(output + ".tmp", "w", encoding="utf-8") as page:
        page.write("\n".join(out) + "\n")
    os.replace(output + ".tmp", output)


if __name__ == "__main__":
    main()
