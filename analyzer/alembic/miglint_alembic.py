#!/usr/bin/env python3
"""miglint's Alembic helper: the SQL every revision of an Alembic project emits, and where.

miglint starts this once per Alembic project (never once per revision). It reads one JSON request
on stdin and writes one JSON answer on stdout:

  request  {"versions": ["<dir>", ...], "project": "<dir>", "use_env": false,
            "contents": {"<revision file>": "<hex of its bytes>"}}

"contents" (optional) gives revision files whose bytes are not the file's on disk (`miglint lint
--staged` reads the staged version): those bytes are read instead, and the file need not exist.
  answer   {"revisions": [...], "order": [...], "graph": [...]} or {"fatal": "<one line>"}

Each revision's upgrade() and downgrade() run under Alembic's offline mode ("--sql") for the
PostgreSQL dialect, with a MigrationContext and an Operations object built here: the project's
env.py is not run (it often connects to a database or imports the whole application). Every
statement Alembic emits is recorded with the call in the revision file that produced it, found by
walking the Python stack at emit time. SQL written as a string literal (op.execute("..."),
sa.text(<triple-quoted>)) is returned with, per byte, its offset in the revision file, so that findings
point at the token inside the literal. A revision that cannot run offline (op.get_bind(), reading
data) is read statically with the ast module instead.

Offsets are byte offsets into the revision file as stored (UTF-8). The answer never holds a Python
traceback: errors are one line with the revision file and line.
"""

import ast
import importlib.util
import io
import json
import os
import sys
import types

# The answer's offsets are in runs: [index in the SQL's UTF-8 bytes, offset in the file]; the bytes
# of a run map to consecutive file offsets unless the run is marked fixed (generated SQL: every
# byte maps to the call's first byte).


class Revision:
    def __init__(self, path):
        self.path = path
        self.raw = b""
        self.text = ""
        self.tree = None
        self.line_starts = [0]
        self.revision = None
        self.down_revisions = []
        self.revision_line = 1
        self.error = None  # {"line", "column", "message"}
        self.calls = []
        self.mode = "offline"
        self.notes = []
        self.directives = []
        self.downgrade_empty = False
        self.upgrade_changes_schema = False
        self.downgrade_line = 0
        self.alembic_import_line = 1


def byte_line_starts(raw):
    starts = [0]
    at = raw.find(b"\n")
    while at != -1:
        starts.append(at + 1)
        at = raw.find(b"\n", at + 1)
    return starts


def node_offset(rev, lineno, col):
    """ast positions: 1-based line, column in UTF-8 bytes."""
    if lineno - 1 >= len(rev.line_starts):
        return len(rev.raw)
    return rev.line_starts[lineno - 1] + col


def node_span(rev, node):
    begin = node_offset(rev, node.lineno, node.col_offset)
    end = node_offset(rev, getattr(node, "end_lineno", node.lineno) or node.lineno,
                      getattr(node, "end_col_offset", node.col_offset) or node.col_offset)
    return begin, max(end, begin)


def constant_value(node):
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Tuple) or isinstance(node, ast.List):
        values = [constant_value(e) for e in node.elts]
        return tuple(values)
    return None


def read_header(rev):
    """revision / down_revision from the module's assignments, without running it."""
    for statement in rev.tree.body:
        targets = []
        value = None
        if isinstance(statement, ast.Assign):
            targets = [t.id for t in statement.targets if isinstance(t, ast.Name)]
            value = statement.value
        elif isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
            targets = [statement.target.id]
            value = statement.value
        if value is None:
            continue
        if "revision" in targets:
            v = constant_value(value)
            if isinstance(v, str):
                rev.revision = v
                rev.revision_line = statement.lineno
        if "down_revision" in targets:
            v = constant_value(value)
            if isinstance(v, str):
                rev.down_revisions = [v]
            elif isinstance(v, tuple):
                rev.down_revisions = [x for x in v if isinstance(x, str)]
            else:
                rev.down_revisions = []


def function_def(rev, name):
    for statement in rev.tree.body:
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)) and statement.name == name:
            return statement
    return None


def is_empty_body(function):
    for statement in function.body:
        if isinstance(statement, ast.Pass):
            continue
        if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant):
            continue  # a docstring or `...`
        return False
    return True


# --- string literals, byte by byte -----------------------------------------------------------

SIMPLE_ESCAPES = {"\n": "", "\\": "\\", "'": "'", '"': '"', "a": "\a", "b": "\b", "f": "\f",
                  "n": "\n", "r": "\r", "t": "\t", "v": "\v"}


def decode_literal(raw, begin, end):
    """The value of the string literal(s) in raw[begin:end] (implicit concatenation, parentheses,
    comments between pieces) as UTF-8 bytes, and per byte its offset in raw. None for f-strings
    and bytes literals."""
    out = bytearray()
    offsets = []
    i = begin
    while i < end:
        c = raw[i:i + 1]
        if c in (b" ", b"\t", b"\n", b"\r", b"(", b")", b"\f"):
            i += 1
            continue
        if c == b"\\":  # a line continuation between pieces
            i += 1
            continue
        if c == b"#":
            newline = raw.find(b"\n", i)
            i = end if newline == -1 else newline
            continue
        prefix_start = i
        while i < end and raw[i:i + 1].isalpha():
            i += 1
        prefix = raw[prefix_start:i].lower()
        if i >= end or raw[i:i + 1] not in (b"'", b'"'):
            return None
        if b"f" in prefix or b"b" in prefix:
            return None
        is_raw = b"r" in prefix
        quote = raw[i:i + 3] if raw[i:i + 3] in (b"'''", b'"""') else raw[i:i + 1]
        i += len(quote)
        while True:
            if i >= end:
                return None
            if raw.startswith(quote, i):
                i += len(quote)
                break
            byte = raw[i]
            if byte == 0x5C:  # backslash
                nxt = raw[i + 1:i + 2].decode("latin-1")
                if is_raw:
                    out += raw[i:i + 2]
                    offsets += [i, i + 1]
                    i += 2
                    continue
                escape_start = i
                if nxt == "\r" and raw[i + 2:i + 3] == b"\n":
                    i += 3
                    continue
                if nxt in SIMPLE_ESCAPES:
                    value = SIMPLE_ESCAPES[nxt]
                    i += 2
                elif nxt in "01234567":
                    j = i + 1
                    while j < i + 4 and raw[j:j + 1] and raw[j:j + 1] in b"01234567":
                        j += 1
                    value = chr(int(raw[i + 1:j], 8))
                    i = j
                elif nxt in "xuU":
                    width = {"x": 2, "u": 4, "U": 8}[nxt]
                    value = chr(int(raw[i + 2:i + 2 + width], 16))
                    i += 2 + width
                elif nxt == "N":
                    close = raw.find(b"}", i)
                    import unicodedata
                    value = unicodedata.lookup(raw[i + 3:close].decode("utf-8"))
                    i = close + 1
                else:  # an unknown escape keeps its backslash
                    out += raw[i:i + 1]
                    offsets.append(i)
                    i += 1
                    continue
                encoded = value.encode("utf-8")
                out += encoded
                offsets += [escape_start] * len(encoded)
                continue
            out.append(byte)
            offsets.append(i)
            i += 1
    return bytes(out), offsets


def runs_of(offsets):
    runs = []
    previous = None
    for index, offset in enumerate(offsets):
        if previous is None or offset != previous + 1:
            runs.append([index, offset])
        previous = offset
    return runs


# --- calls in the revision file ----------------------------------------------------------------

TEXT_FUNCTIONS = {"text"}
EXECUTE_METHODS = {"execute", "exec_driver_sql"}


def call_name(call):
    func = call.func
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return None


def sql_argument(call):
    """The node holding SQL text in an execute-like call: its first argument, unwrapping text()."""
    if not call.args:
        for keyword in call.keywords:
            if keyword.arg in ("sqltext", "statement", "sql"):
                return unwrap_text(keyword.value)
        return None
    return unwrap_text(call.args[0])


def unwrap_text(node):
    if isinstance(node, ast.Call) and call_name(node) in TEXT_FUNCTIONS and node.args:
        return node.args[0]
    return node


def is_string_literal(node):
    return isinstance(node, ast.Constant) and isinstance(node.value, str)


class CallIndex:
    """The revision's calls by their start (line, column): the frame at emit time names one."""

    def __init__(self, rev):
        self.by_start = {}
        self.by_line = {}
        for node in ast.walk(rev.tree):
            if isinstance(node, ast.Call):
                self.by_start[(node.lineno, node.col_offset)] = node
                self.by_line.setdefault(node.lineno, []).append(node)

    def find(self, lineno, col, end_lineno, end_col):
        if col is not None:
            node = self.by_start.get((lineno, col))
            if node is not None:
                return node
        candidates = self.by_line.get(lineno, [])
        if not candidates:
            return None
        # Without column positions: the outermost call starting on the line.
        return min(candidates, key=lambda n: n.col_offset)


def literal_call(rev, node, down, transaction, sql_override=None):
    """A call whose SQL is the string literal argument of `node`, byte by byte; None if it is not
    one."""
    if node is None:
        return None
    name = call_name(node)
    if name in EXECUTE_METHODS:
        argument = sql_argument(node)
    elif name in TEXT_FUNCTIONS and node.args:
        argument = node.args[0]
    else:
        argument = None
    if argument is None or not is_string_literal(argument):
        return None
    begin, end = node_span(rev, argument)
    decoded = decode_literal(rev.raw, begin, end)
    if decoded is None:
        return None
    sql, offsets = decoded
    if sql.decode("utf-8", "replace") != argument.value:
        return None  # the decoder and Python disagree: keep to the call's position
    call_begin, call_end = node_span(rev, node)
    return {"call_begin": call_begin, "call_end": call_end, "argument": [begin, end],
            "sql": sql.decode("utf-8"), "runs": runs_of(offsets), "fixed": False,
            "placeholders": "colon", "transaction": transaction, "down": down, "dynamic": False}


def generated_call(rev, node, fallback_line, sql, down, transaction):
    if node is not None:
        call_begin, call_end = node_span(rev, node)
    else:
        call_begin = node_offset(rev, fallback_line, 0)
        call_end = call_begin
    return {"call_begin": call_begin, "call_end": call_end, "argument": [call_begin, call_end],
            "sql": sql, "runs": [[0, call_begin]], "fixed": True, "placeholders": "colon",
            "transaction": transaction, "down": down, "dynamic": False}


# --- running a revision offline -----------------------------------------------------------------

class CannotRunOffline(Exception):
    pass


def caller_position(path):
    """(line, column, end line, end column) of the call being executed in the revision file's
    innermost frame on the stack."""
    frame = sys._getframe(1)
    while frame is not None:
        if frame.f_code.co_filename == path:
            positions = None
            code = frame.f_code
            if hasattr(code, "co_positions"):
                try:
                    positions = list(code.co_positions())[frame.f_lasti // 2]
                except (IndexError, ValueError):
                    positions = None
            if positions and positions[0] is not None:
                return positions[0], positions[2], positions[1], positions[3]
            return frame.f_lineno, None, None, None
        frame = frame.f_back
    return None


def load_module(rev, index):
    name = "miglint_revision_%d" % index
    spec = importlib.util.spec_from_file_location(name, rev.path)
    module = importlib.util.module_from_spec(spec)
    code = compile(rev.raw, rev.path, "exec")
    exec(code, module.__dict__)
    return module


def traceback_position(rev, error):
    """The line in the revision file where `error` was raised (the deepest frame in it)."""
    line = None
    tb = error.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == rev.path:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def one_line(error):
    text = "%s: %s" % (type(error).__name__, error)
    return " ".join(text.split())


def run_offline(rev, module, index, environment=None):
    from alembic.runtime.migration import MigrationContext
    from alembic.operations import Operations

    output = io.StringIO()
    if environment is not None:
        # [alembic] use_env: the context env.py configured (its target_metadata, version table
        # schema, transactional_ddl, dialect options), writing to this revision's buffer.
        configured = environment.migration_context
        opts = dict(configured.opts)
        opts.update({"as_sql": True, "output_buffer": output})
        context = MigrationContext.configure(
            dialect=configured.dialect, environment_context=environment.environment, opts=opts)
    else:
        context = MigrationContext.configure(
            dialect_name="postgresql",
            opts={"as_sql": True, "output_buffer": output, "transactional_ddl": True},
        )
    impl = context.impl
    # env.py may turn transactional DDL off (context.configure(transactional_ddl=False)): then
    # every statement runs on its own, as Alembic runs it.
    transactional = impl.transactional_ddl
    calls_index = CallIndex(rev)
    state = {"transaction": None, "next": 1, "down": False, "calls": []}

    def begin():
        if not transactional:
            return
        state["transaction"] = state["next"]
        state["next"] += 1

    def commit():
        state["transaction"] = None

    def static_output(text):
        sql = text.strip()
        if sql.endswith(impl.command_terminator):
            sql = sql[: -len(impl.command_terminator)].rstrip()
        position = caller_position(rev.path)
        node = None
        line = rev.revision_line
        if position is not None:
            line = position[0]
            node = calls_index.find(*position)
        call = literal_call(rev, node, state["down"], state["transaction"])
        if call is None:
            call = generated_call(rev, node, line, sql, state["down"], state["transaction"])
        state["calls"].append(call)

    impl.static_output = static_output
    impl.emit_begin = begin
    impl.emit_commit = commit

    with Operations.context(context):
        for direction in ("upgrade", "downgrade"):
            function = getattr(module, direction, None)
            if function is None:
                continue
            state["down"] = direction == "downgrade"
            begin()  # one transaction per revision (transaction_per_migration)
            function()
            commit()
    return state["calls"]


# --- [alembic] use_env: the project's env.py --------------------------------------------------

class EnvConfigured(Exception):
    """Raised from the migrations function env.py's run_migrations() calls: env.py has configured
    its context, nothing more of it needs to run."""


class EnvironmentSetup:
    def __init__(self, environment, migration_context):
        self.environment = environment
        self.migration_context = migration_context


class EnvError(Exception):
    pass


def run_env_offline(request, stack):
    """Runs the project's env.py as `alembic upgrade --sql` runs it (context.is_offline_mode() is
    true) up to its context.run_migrations(), and keeps the context it configured; the
    EnvironmentContext stays installed (`from alembic import context` in revisions) until `stack`
    closes. Raises EnvError with one line naming env.py and its line."""
    from alembic.config import Config
    from alembic.runtime.environment import EnvironmentContext
    from alembic.script import ScriptDirectory

    script_directory = request.get("script_directory") or ""
    env_path = os.path.join(script_directory, "env.py")
    if not os.path.isfile(env_path):
        raise EnvError("%s: [alembic] use_env = true, but there is no env.py" % env_path)
    ini = request.get("config")
    # Alembic's offline SQL (BEGIN, the version table) goes to a buffer, never to the answer.
    buffer = io.StringIO()
    config = Config(ini, output_buffer=buffer) if ini else Config(output_buffer=buffer)
    # Absolute, whatever alembic.ini says relative to the directory alembic runs in.
    config.set_main_option("script_location", script_directory)
    captured = {}

    def migrations(heads, context):
        captured["context"] = context
        raise EnvConfigured()

    try:
        script = ScriptDirectory.from_config(config)
        environment = EnvironmentContext(config, script, fn=migrations, as_sql=True,
                                         starting_rev=None, destination_rev="heads")
        stack.enter_context(environment)
        script.run_env()
    except EnvConfigured:
        pass
    except BaseException as error:  # noqa: B902: a SystemExit from env.py is one line too
        line = None
        tb = error.__traceback__
        while tb is not None:
            if os.path.abspath(tb.tb_frame.f_code.co_filename) == os.path.abspath(env_path):
                line = tb.tb_lineno
            tb = tb.tb_next
        raise EnvError("%s:%s: env.py failed in offline mode ([alembic] use_env = true): %s"
                       % (env_path, line or 1, one_line(error)))
    context = captured.get("context")
    if context is None:
        raise EnvError("%s: env.py did not call context.run_migrations() in offline mode "
                       "(context.is_offline_mode() is true under miglint)" % env_path)
    if context.dialect.name != "postgresql":
        raise EnvError("%s: env.py configures the %s dialect in offline mode; miglint reads "
                       "PostgreSQL migrations" % (env_path, context.dialect.name))
    return EnvironmentSetup(environment, context)


# --- reading a revision statically ------------------------------------------------------------

def read_statically(rev, reason, line=None):
    """The SQL literals of execute-like calls, in source order, with the revision's transaction;
    a `while` loop holding an UPDATE ... LIMIT ... FOR UPDATE SKIP LOCKED counts as batched."""
    rev.mode = "static"
    calls = []
    down_function = function_def(rev, "downgrade")
    down_span = node_span(rev, down_function) if down_function is not None else None
    autocommit_spans = []
    for node in ast.walk(rev.tree):
        if isinstance(node, ast.With):
            for item in node.items:
                expr = item.context_expr
                if isinstance(expr, ast.Call) and call_name(expr) == "autocommit_block":
                    autocommit_spans.append(node_span(rev, node))
    # Names assigned SQL text (`stmt = sa.text("...")`): their text() call is read where it is
    # written, and an execute of the name is not dynamic.
    sql_names = set()
    inner_texts = set()
    for node in ast.walk(rev.tree):
        if isinstance(node, ast.Assign) and (is_string_literal(unwrap_text(node.value))):
            sql_names.update(t.id for t in node.targets if isinstance(t, ast.Name))
        if isinstance(node, ast.Call) and call_name(node) in EXECUTE_METHODS:
            argument = node.args[0] if node.args else None
            if isinstance(argument, ast.Call):
                inner_texts.add(id(argument))
    for node in ast.walk(rev.tree):
        if not isinstance(node, ast.Call):
            continue
        name = call_name(node)
        if name in TEXT_FUNCTIONS:
            if id(node) in inner_texts or not node.args or not is_string_literal(node.args[0]):
                continue
        elif name not in EXECUTE_METHODS:
            continue
        else:
            argument = sql_argument(node)
            if isinstance(argument, ast.Name) and argument.id in sql_names:
                continue
        begin, _ = node_span(rev, node)
        down = down_span is not None and down_span[0] <= begin < down_span[1]
        autocommit = any(b <= begin < e for b, e in autocommit_spans)
        transaction = None if autocommit else (2 if down else 1)
        call = literal_call(rev, node, down, transaction)
        if call is None:
            argument = sql_argument(node)
            if argument is None:
                continue
            a_begin, a_end = node_span(rev, argument)
            call_begin, call_end = node_span(rev, node)
            call = {"call_begin": call_begin, "call_end": call_end, "argument": [a_begin, a_end],
                    "sql": "", "runs": [], "fixed": False, "placeholders": "colon",
                    "transaction": transaction, "down": down, "dynamic": True}
        calls.append(call)
    calls.sort(key=lambda c: c["call_begin"])
    if line is None:
        function = function_def(rev, "upgrade")
        line = function.lineno if function is not None else rev.revision_line
    rev.notes.append({"line": line, "message": reason})
    return calls


# --- the project --------------------------------------------------------------------------------

def directive_comments(rev):
    import tokenize
    comments = []
    if b"miglint-ignore" not in rev.raw and b"squawk-ignore" not in rev.raw:
        return comments
    try:
        tokens = list(tokenize.tokenize(io.BytesIO(rev.raw).readline))
    except (tokenize.TokenError, SyntaxError):
        return comments
    for token in tokens:
        if token.type != tokenize.COMMENT:
            continue
        if "miglint-ignore" not in token.string and "squawk-ignore" not in token.string:
            continue
        line_bytes = rev.raw[rev.line_starts[token.start[0] - 1]:]
        line_text = line_bytes.split(b"\n", 1)[0].decode("utf-8", "replace")
        begin = rev.line_starts[token.start[0] - 1] + len(line_text[: token.start[1]].encode("utf-8"))
        end = begin + len(token.string.encode("utf-8"))
        whole_file = "miglint-ignore-file" in token.string
        comments.append({"begin": begin, "end": end, "whole_file": whole_file})
    return comments


SCHEMA_OPERATIONS = {"create_table", "drop_table", "add_column", "drop_column", "alter_column",
                     "create_index", "drop_index", "create_foreign_key", "create_unique_constraint",
                     "create_check_constraint", "create_primary_key", "drop_constraint",
                     "rename_table", "execute", "create_exclude_constraint", "create_table_comment",
                     "batch_alter_table", "bulk_insert"}


def changes_schema(function):
    """Whether a function calls an `op.` operation that changes the schema (op.execute counts when
    its literal is DDL with something to undo: CREATE, ALTER, DROP, but not VALIDATE)."""
    for node in ast.walk(function):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
            continue
        owner = node.func.value
        if not (isinstance(owner, ast.Name) and owner.id in ("op", "batch_op")):
            continue
        name = node.func.attr
        if name == "execute":
            argument = sql_argument(node)
            if is_string_literal(argument):
                words = argument.value.split()
                upper = argument.value.upper()
                if words and words[0].upper() in ("CREATE", "ALTER", "DROP") and "VALIDATE CONSTRAINT" not in upper:
                    return True
            continue
        if name in SCHEMA_OPERATIONS:
            return True
    return False


def needs_static_reading(rev):
    """Why the revision cannot run offline, and the line that says so; (None, None) if it can."""
    for node in sorted((n for n in ast.walk(rev.tree) if isinstance(n, ast.Call)), key=lambda n: n.lineno):
        if call_name(node) in ("get_bind", "exec_driver_sql"):
            return ("read statically: it calls %s(), which needs a database" % call_name(node), node.lineno)
    return None, None


def revision_files(directories):
    files = []
    for directory in directories:
        try:
            names = sorted(os.listdir(directory))
        except OSError:
            continue
        for name in names:
            if name.endswith(".py") and not name.startswith("__"):
                files.append(os.path.join(directory, name))
    return files


def graph_order(revisions):
    """Revisions in migration order, as miglint's C++ side orders them (alembic_layout.cpp): from the
    base, each after its parents; of the revisions ready at a time, the first by path."""
    import heapq
    by_id = {}
    for r in revisions:
        if r.revision:
            by_id.setdefault(r.revision, r)
    waiting = {}
    children = {}
    for r in revisions:
        if not r.revision:
            continue
        parents = [by_id[p] for p in r.down_revisions if p in by_id and by_id[p] is not r]
        waiting[r.path] = len(parents)
        for p in parents:
            children.setdefault(p.path, []).append(r)
    ready = [(r.path, r) for r in revisions if r.revision and waiting[r.path] == 0]
    heapq.heapify(ready)
    order = []
    placed = set()
    while ready:
        _, r = heapq.heappop(ready)
        placed.add(r.path)
        order.append(r)
        for child in children.get(r.path, []):
            waiting[child.path] -= 1
            if waiting[child.path] == 0:
                heapq.heappush(ready, (child.path, child))
    rest = [r for r in revisions if r.path not in placed]
    rest.sort(key=lambda r: (not r.revision, r.path))
    return order + rest


def read_revisions(revisions, alembic_missing, environment):
    """Each revision's calls: run offline (in env.py's context with use_env), else read statically."""
    for index, rev in enumerate(revisions):
        if rev.error is not None:
            continue
        reason, line = needs_static_reading(rev)
        if reason is None and alembic_missing is not None:
            reason = "read statically: Alembic is not installed for %s" % sys.executable
        if reason is not None:
            rev.calls = read_statically(rev, reason, line)
            continue
        try:
            module = load_module(rev, index)
        except Exception as error:  # an import error in the revision: its file and line
            rev.error = {"line": traceback_position(rev, error) or 1, "column": 1,
                         "message": "cannot import the revision: %s" % one_line(error)}
            continue
        try:
            rev.calls = run_offline(rev, module, index, environment)
        except Exception as error:
            line = traceback_position(rev, error)
            rev.calls = read_statically(
                rev, "read statically: it cannot run in Alembic's offline mode (%s)" % one_line(error), line)


def main(answer_stream):
    request = json.load(sys.stdin)
    try:
        import alembic  # noqa: F401
        from alembic.operations import Operations  # noqa: F401
        alembic_missing = None
    except ImportError as error:
        alembic_missing = ("Alembic is not installed for %s (%s): install it (pip install alembic, "
                           "or Debian's python3-alembic) or name another interpreter with --python"
                           % (sys.executable, one_line(error)))
        if request.get("another_interpreter"):
            # miglint tries another interpreter next: no need to read the revisions here.
            answer_stream.write(json.dumps({"alembic_missing": alembic_missing, "revisions": [], "order": []}))
            return
    project_dir = request.get("project", "")
    if project_dir and project_dir not in sys.path:
        sys.path.insert(0, project_dir)
    revisions = []
    contents = {os.path.abspath(path): bytes.fromhex(text)
                for path, text in (request.get("contents") or {}).items()}
    paths = revision_files(request.get("versions", []))
    listed = set(os.path.abspath(path) for path in paths)
    paths += sorted(path for path in contents if path not in listed)  # staged, not on disk
    for path in paths:
        rev = Revision(os.path.abspath(path))
        try:
            if rev.path in contents:
                rev.raw = contents[rev.path]
            else:
                with open(path, "rb") as handle:
                    rev.raw = handle.read()
            rev.line_starts = byte_line_starts(rev.raw)
            rev.tree = ast.parse(rev.raw, filename=rev.path)
        except SyntaxError as error:
            column = (error.offset or 1)
            rev.error = {"line": error.lineno or 1, "column": column,
                         "message": "Python syntax error: %s" % error.msg}
            revisions.append(rev)
            continue
        except OSError as error:
            rev.error = {"line": 1, "column": 1, "message": "cannot read: %s" % error.strerror}
            revisions.append(rev)
            continue
        read_header(rev)
        if rev.revision is None:
            continue  # not a revision file (a helper module beside them)
        rev.directives = directive_comments(rev)
        upgrade = function_def(rev, "upgrade")
        downgrade = function_def(rev, "downgrade")
        rev.upgrade_changes_schema = upgrade is not None and changes_schema(upgrade)
        rev.downgrade_empty = downgrade is None or is_empty_body(downgrade)
        rev.downgrade_line = downgrade.lineno if downgrade is not None else 0
        for statement in rev.tree.body:
            if isinstance(statement, (ast.Import, ast.ImportFrom)) and "alembic" in ast.dump(statement):
                rev.alembic_import_line = statement.lineno
                break
        revisions.append(rev)

    import contextlib
    stack = contextlib.ExitStack()
    environment = None
    if request.get("use_env") and alembic_missing is None:
        try:
            environment = run_env_offline(request, stack)
        except EnvError as error:
            answer_stream.write(json.dumps({"fatal": str(error)}))
            return
    with stack:
        read_revisions(revisions, alembic_missing, environment)

    ordered = graph_order([r for r in revisions if r.error is None or r.revision])
    answer = {"revisions": [], "alembic_missing": alembic_missing}
    for rev in revisions:
        answer["revisions"].append({
            "file": rev.path, "revision": rev.revision, "down_revisions": rev.down_revisions,
            "revision_line": rev.revision_line, "mode": rev.mode, "error": rev.error,
            "calls": rev.calls, "notes": rev.notes, "directives": rev.directives,
            "upgrade_changes_schema": rev.upgrade_changes_schema,
            "downgrade_empty": rev.downgrade_empty, "downgrade_line": rev.downgrade_line,
            "alembic_import_line": rev.alembic_import_line,
        })
    answer["order"] = [r.path for r in ordered]
    answer_stream.write(json.dumps(answer))
    answer_stream.flush()


if __name__ == "__main__":
    # Whatever the project prints (env.py, revisions, logging) goes to standard error: standard
    # output carries the answer alone.
    ANSWER = sys.stdout
    sys.stdout = sys.stderr
    try:
        main(ANSWER)
    except Exception as error:  # never a traceback: one line for miglint to print
        ANSWER.write(json.dumps({"fatal": "the Alembic helper failed: %s" % one_line(error)}))
