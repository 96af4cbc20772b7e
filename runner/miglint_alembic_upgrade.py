"""miglint's driver for applying one Alembic revision (`miglint run` on an Alembic project), or
downgrading to one (`miglint test`, request {"direction": "downgrade"}), or stamping alembic_version
with it without running anything (`miglint baseline`, {"direction": "stamp"}).

The runner starts it once per revision (and once per retry) with a JSON request on stdin and reads one
JSON object from stdout. It runs `alembic upgrade <revision>` through Alembic's own command API, so the
project's env.py builds the engine and Alembic writes alembic_version, which stays the source of truth
for what is applied. What the driver adds:

- the runner's database URL as Alembic's `sqlalchemy.url` (what the env.py `alembic init` writes reads),
  and in $MIGLINT_ALEMBIC_URL for env.py files that build their URL themselves;
- CONCURRENTLY statements run with the runner's concurrent timeouts (the other statements run with the
  ones the runner put in PGOPTIONS);
- a record of what happened: whether an autocommit_block() was entered (then statements committed before
  the failure), how many statements ran, the failing statement, its SQLSTATE and the revision file's line.

Anything the project prints goes to standard error: standard output carries the result alone.
"""
import contextlib
import json
import os
import re
import sys
import traceback

RESULT = sys.stdout
sys.stdout = sys.stderr

CONCURRENTLY = re.compile(r"\bCONCURRENTLY\b", re.IGNORECASE)


def sqlalchemy_url(dsn):
    """The runner's URL (postgres://..., postgresql://... or libpq's key=value form) for SQLAlchemy."""
    match = re.match(r"^(postgres|postgresql)(\+[A-Za-z0-9_]+)?://", dsn)
    if match:
        driver = match.group(2) or "+psycopg2"
        return "postgresql" + driver + "://" + dsn[match.end():]
    import psycopg2.extensions
    from sqlalchemy.engine import URL

    parts = psycopg2.extensions.parse_dsn(dsn)
    port = parts.pop("port", None)
    url = URL.create(
        "postgresql+psycopg2",
        username=parts.pop("user", None),
        password=parts.pop("password", None),
        host=parts.pop("host", None),
        port=int(port) if port else None,
        database=parts.pop("dbname", None),
        query=parts,
    )
    return url.render_as_string(hide_password=False)


def milliseconds_setting(value):
    return "0" if not value else "%dms" % value


def main():
    request = json.loads(sys.stdin.read())
    state = {
        "autocommit_entered": False,
        "in_autocommit": False,
        "statements": 0,
        "statement": None,
    }
    try:
        from alembic import command
        from alembic.config import Config
        from alembic.runtime.migration import MigrationContext
        from sqlalchemy import event
        from sqlalchemy.engine import Engine
    except ImportError as error:
        return {"ok": False, "kind": "setup", "error": "cannot import Alembic and SQLAlchemy: %s" % error}
    try:
        url = sqlalchemy_url(request["url"])
    except Exception as error:  # a driver missing, a URL psycopg2 cannot parse
        return {"ok": False, "kind": "setup", "error": "cannot use the database URL with SQLAlchemy: %s"
                % type(error).__name__}
    if url.startswith("postgresql+psycopg2:"):
        try:
            import psycopg2  # noqa: F401
        except ImportError:
            return {"ok": False, "kind": "setup",
                    "error": "SQLAlchemy's PostgreSQL driver psycopg2 is not installed (Debian: python3-psycopg2)"}
    os.environ["MIGLINT_ALEMBIC_URL"] = url

    original_block = MigrationContext.autocommit_block

    @contextlib.contextmanager
    def tracked_block(self):
        with original_block(self):
            # The revision's transaction has committed: what ran before is applied for good.
            state["autocommit_entered"] = True
            state["in_autocommit"] = True
            yield
        state["in_autocommit"] = False

    MigrationContext.autocommit_block = tracked_block

    concurrent = "SET lock_timeout = '%s'; SET statement_timeout = '%s'" % (
        milliseconds_setting(request.get("concurrent_lock_timeout_ms")),
        milliseconds_setting(request.get("concurrent_statement_timeout_ms")),
    )
    regular = "SET lock_timeout = '%s'; SET statement_timeout = '%s'" % (
        milliseconds_setting(request.get("lock_timeout_ms")),
        milliseconds_setting(request.get("statement_timeout_ms")),
    )

    def before(conn, cursor, statement, parameters, context, executemany):
        state["statements"] += 1
        state["statement"] = statement.strip()
        if CONCURRENTLY.search(statement):
            cursor.execute(concurrent)

    def after(conn, cursor, statement, parameters, context, executemany):
        if CONCURRENTLY.search(statement):
            cursor.execute(regular)

    event.listen(Engine, "before_cursor_execute", before)
    event.listen(Engine, "after_cursor_execute", after)

    config = Config(request["config"]) if request.get("config") else Config()
    if not request.get("config"):
        config.set_main_option("script_location", request["script_location"])
    # ConfigParser interpolation: a '%' in the URL (an escaped password) is written '%%'.
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    try:
        if request.get("direction") == "stamp":
            command.stamp(config, request["revision"])  # `miglint baseline`: recorded, not run
        elif request.get("direction") == "downgrade":
            command.downgrade(config, request["revision"])  # `miglint test`: the revision's downgrade()
        else:
            command.upgrade(config, request["revision"])
    except BaseException as error:  # noqa: B902: KeyboardInterrupt too (SIGINT from the runner)
        return failure(error, state, request.get("versions_directory", ""))
    return {"ok": True, "statements": state["statements"], "autocommit_entered": state["autocommit_entered"]}


def failure(error, state, versions_directory):
    original = getattr(error, "orig", None)
    sqlstate = getattr(original, "pgcode", None) or getattr(error, "pgcode", None) or ""
    if original is not None:
        message = (getattr(original, "pgerror", None) or str(original)).strip()
    elif isinstance(error, KeyboardInterrupt):
        message = "interrupted"
    else:
        message = "%s: %s" % (type(error).__name__, error)
    message = message.splitlines()[0] if message else type(error).__name__
    message = re.sub(r"^ERROR:\s+", "", message)
    where = ""
    for frame in traceback.extract_tb(error.__traceback__):
        if versions_directory and os.path.abspath(frame.filename).startswith(versions_directory + os.sep):
            where = "%s:%d" % (frame.filename, frame.lineno)
    return {
        "ok": False,
        "kind": "interrupted" if isinstance(error, KeyboardInterrupt) else "migration",
        "error": message,
        "sqlstate": sqlstate,
        "where": where,
        "statement": (state["statement"] or "")[:500],
        "statements": state["statements"],
        "autocommit_entered": state["autocommit_entered"],
        "in_autocommit": state["in_autocommit"],
    }


if __name__ == "__main__":
    result = main()
    RESULT.write(json.dumps(result) + "\n")
    RESULT.flush()
    sys.exit(0 if result.get("ok") else 1)
