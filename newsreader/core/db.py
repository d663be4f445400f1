"""Opening an archive: an SQLite file, or a team archive on a PostgreSQL server; migrated.

SQLite: WAL mode, foreign keys on, a busy timeout. Two engines over one file: reads use
deferred transactions, writes use BEGIN IMMEDIATE so a writer takes the lock up front
instead of failing with "database is locked" when it upgrades from reading to writing
while another process writes.

PostgreSQL (>= 15, through psycopg 3): addressed as postgresql://user@host/db, every
libpq setting of the address (sslmode, service, ...) passed through; passwords come from
libpq's own places (~/.pgpass, PGPASSWORD, a service file), so the app never keeps one.
Reads see one snapshot per transaction (REPEATABLE READ), as on SQLite.

Whatever differs between the two lives here and in the migrations, not in the services.
"""

from __future__ import annotations

import os
import sqlite3
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import quote

from sqlalchemy import Connection, Engine, String, Table, create_engine, event, inspect, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import OperationalError, PendingRollbackError
from sqlalchemy.ext.compiler import compiles

from newsreader.core.paths import SERVER_SCHEMES

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
# The newest migration's id. Opening an archive compares it with the archive's revision,
# so Alembic (0.3 s to import) loads only when a migration is due; a test checks that it
# is the head of migrations/versions.
HEAD_REVISION = "0014"
BUSY_TIMEOUT_MS = 15_000
MIN_SERVER_VERSION = (15,)
CONNECT_TIMEOUT_S = 10
CHANGES_CHANNEL = "newsreader_changes"  # NOTIFY on every write (core/changes.py listens)
MIGRATION_LOCK = 0x6E657773  # the advisory lock two clients migrating at once take turns on


class MigrationError(Exception):
    """The archive's schema cannot be brought to this version (e.g. made by a newer one)."""


def _configure_sqlite(engine: Engine, begin: str, *, read_only: bool = False) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin, so
        # SAVEPOINTs work (per-item savepoints in bulk imports).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        if not read_only:
            cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection: Any) -> None:
        connection.exec_driver_sql(begin)


def create_engines(path: Path) -> tuple[Engine, Engine]:
    """(reader, writer) engines over the archive file at `path`, creating its folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{path}"
    reader = create_engine(url, pool_size=4, max_overflow=8)
    writer = create_engine(url, pool_size=1, max_overflow=2)
    _configure_sqlite(reader, "BEGIN")
    _configure_sqlite(writer, "BEGIN IMMEDIATE")
    return reader, writer


@compiles(String, "postgresql")
def _unbounded_string(element: String, compiler: Any, **kw: Any) -> str:
    """VARCHAR without a length on PostgreSQL: SQLite never enforces a String's length, so
    a value that fits one store fits the other (a source named by a 300-character feed
    title is kept on both). The lengths in the models stay as documentation."""
    return "VARCHAR"


def is_server_address(location: object) -> bool:
    """Whether `location` names a PostgreSQL archive (postgresql://...) rather than a file."""
    scheme = str(location).split("://", 1)[0].lower() if "://" in str(location) else ""
    return scheme in SERVER_SCHEMES


def server_url(address: str) -> URL:
    """The SQLAlchemy URL of a PostgreSQL address, through psycopg 3, its libpq settings
    (sslmode, service, ...) kept; a connect timeout unless the address sets one."""
    url = make_url(address.replace("postgres://", "postgresql://", 1))
    url = url.set(drivername="postgresql+psycopg")
    if "connect_timeout" not in url.query:
        url = url.update_query_dict({"connect_timeout": str(CONNECT_TIMEOUT_S)})
    return url


def libpq_address(address: str) -> str:
    """The address as libpq (psycopg.connect) takes it."""
    return server_url(address).set(drivername="postgresql").render_as_string(hide_password=False)


def public_address(address: str) -> str:
    """The address as it may be shown and remembered: without a password."""
    # URL.set(password=None) means "leave it as it is": the password is replaced instead.
    return make_url(address)._replace(password=None).render_as_string(hide_password=False)


PRIVATE_TO = "newsreader_private_to"  # connection.info: this commit is one member's own
# The notification of such a commit: the other members' windows have nothing to redraw,
# and it names nobody (who reads what is private).
PRIVATE = "private"


def announce_private(connection: Connection) -> None:
    """Say that the transaction on `connection` changes only the member's own marks or
    settings (a team archive's notification then tells the others to ignore it)."""
    connection.info[PRIVATE_TO] = True


def create_server_engines(address: str) -> tuple[Engine, Engine]:
    """(reader, writer) engines on a PostgreSQL archive; refuses servers older than 15."""
    url = server_url(address)
    reader = create_engine(url, pool_size=4, max_overflow=8, pool_pre_ping=True,
                           isolation_level="REPEATABLE READ")  # fmt: skip
    writer = create_engine(url, pool_size=2, max_overflow=4, pool_pre_ping=True)

    @event.listens_for(writer, "commit")
    def announce(connection: Any) -> None:  # sent with the commit, not before it
        payload = PRIVATE if connection.info.pop(PRIVATE_TO, False) else ""
        with connection.connection.cursor() as cursor:
            cursor.execute("SELECT pg_notify(%s, %s)", (CHANGES_CHANNEL, payload))

    @event.listens_for(writer, "rollback")
    def forget(connection: Any) -> None:  # what rolled back told nobody anything
        connection.info.pop(PRIVATE_TO, None)

    with reader.connect() as connection:
        version = connection.dialect.server_version_info or (0,)
    if tuple(version) < MIN_SERVER_VERSION:
        reader.dispose()
        writer.dispose()
        raise MigrationError(
            f"the server runs PostgreSQL {'.'.join(map(str, version))}; team archives need "
            f"PostgreSQL {MIN_SERVER_VERSION[0]} or newer"
        )
    return reader, writer


def _ours_or_empty(tables: list[str]) -> bool:
    """Whether these tables are an archive's, or none (a version table alone: an archive
    migrated all the way down)."""
    return {"alembic_version", "articles"} <= set(tables) or not set(tables) - {"alembic_version"}


def foreign_server_tables(engine: Engine) -> list[str]:
    """The tables of another program in the database (empty for ours or an empty one)."""
    with engine.connect() as connection:
        tables = inspect(connection).get_table_names()
    return [] if _ours_or_empty(tables) else sorted(tables)


def set_sequence_past(connection: Connection, table: str, column: str = "id") -> None:
    """After rows were inserted with ids of their own (an undo puts an article back under
    its id): make the server's id sequence hand out ids above them. SQLite needs nothing."""
    if connection.dialect.name == "postgresql":
        connection.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence(:table, :column), "
                f'greatest((SELECT max("{column}") FROM "{table}"), 1))'
            ),
            {"table": table, "column": column},
        )


def indexed_by(dialect: str, index: str) -> str:
    """SQLite's INDEXED BY clause (a query planner hint PostgreSQL has no syntax for)."""
    return f"INDEXED BY {index}" if dialect == "sqlite" else ""


WriteFailure = Literal["busy", "full", "read-only", "forbidden", "unreachable"]
INSUFFICIENT_PRIVILEGE = "42501"  # PostgreSQL: a GRANT or a row-level security policy said no
# A server that stopped, restarts or cannot be reached: SQLSTATE class 08 (connection
# exception), 57P01-57P03 (shutting down, crashed, cannot connect now), or libpq's words
# when no SQLSTATE came back at all.
LOST_CONNECTION_STATES = ("08", "57P01", "57P02", "57P03")
LOST_CONNECTION = (
    "connection refused", "could not connect", "server closed the connection",
    "terminating connection", "connection is closed", "the connection is lost",
    "connection timeout expired", "no route to host", "could not translate host name",
    "the database system is shutting down", "the database system is starting up",
)  # fmt: skip


def reason(error: BaseException) -> str:
    """The first line of what the database (or its driver) said, for a person."""
    lines = str(getattr(error, "orig", None) or error).strip().splitlines()
    return lines[0] if lines else type(error).__name__


def write_failure(error: BaseException) -> WriteFailure | None:
    """What a database error says about the archive as a whole — held by another writer,
    its disk full, not writable, not ours to change — or None when it concerns only the
    statement at hand. Takes SQLAlchemy's errors and the driver's own (raised from a
    commit hook, say), alike."""
    if isinstance(error, PendingRollbackError) and error.__context__ is not None:
        # The rollback after a statement failed on a lost connection fails in turn and
        # hides that failure: what it was handling is what happened.
        return write_failure(error.__context__)
    cause = getattr(error, "orig", None) or error
    state = getattr(cause, "sqlstate", None) or ""
    if state == INSUFFICIENT_PRIVILEGE:
        return "forbidden"
    psycopg = sys.modules.get("psycopg")  # loaded only for team archives
    driver_error = psycopg is not None and isinstance(error, psycopg.OperationalError)
    if not (isinstance(error, OperationalError) or driver_error):
        return None
    message = str(cause).lower()
    if state.startswith(LOST_CONNECTION_STATES) or any(w in message for w in LOST_CONNECTION):
        return "unreachable"
    if any(
        word in message
        for word in ("locked", "busy", "lock timeout", "deadlock", "could not serialize")
    ):
        return "busy"
    if "full" in message or "no space left" in message:
        return "full"
    if "readonly" in message or "read-only" in message:
        return "read-only"
    return None


READ_ONLY_MODES = ("mode=ro", "immutable=1")


def _read_only_uri(path: Path) -> str:
    return f"file:{quote(str(path.resolve()))}"


def create_read_only_engine(path: Path) -> Engine:
    """An engine that only reads the file at `path`, which this user may not write.

    A WAL database normally needs its -shm file beside it; in a folder we cannot write,
    SQLite opens it only as immutable (nobody else is expected to change it meanwhile).
    """
    for mode in READ_ONLY_MODES:
        engine = create_engine(f"sqlite:///{_read_only_uri(path)}?{mode}&uri=true", pool_size=4)
        _configure_sqlite(engine, "BEGIN", read_only=True)
        try:
            with engine.connect() as connection:
                connection.exec_driver_sql("SELECT count(*) FROM sqlite_master").scalar()
            return engine
        except OperationalError:
            engine.dispose()
    raise OperationalError("open read-only", {}, Exception(f"cannot read {path}"))


def is_writable(path: Path) -> bool:
    """Whether this user may change the archive at `path` (its file and its folder)."""
    folder = path.parent if path.parent.exists() else Path(".")
    if path.exists() and not os.access(path, os.W_OK):
        return False
    return os.access(folder, os.W_OK | os.X_OK) if folder.exists() else True


def foreign_tables(path: Path) -> list[str]:
    """The tables of a database some other program made at `path` (empty for ours, a new
    file or an empty database). Read without changing the file: no journal mode set, no
    connection of ours kept."""
    if not path.exists() or path.stat().st_size == 0:
        return []
    tables: list[str] = []
    for mode in READ_ONLY_MODES:  # a WAL file in a folder we cannot write: immutable only
        try:
            connection = sqlite3.connect(f"{_read_only_uri(path)}?{mode}", uri=True)
            try:
                tables = [row[0] for row in connection.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table' "
                    "AND name NOT LIKE 'sqlite_%'"
                )]  # fmt: skip
            finally:
                connection.close()
            break
        except sqlite3.OperationalError:
            continue
    return [] if _ours_or_empty(tables) else sorted(tables)


def _alembic_config() -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def head_revision() -> str | None:
    """The head of migrations/versions, as Alembic's script machinery reads it."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    """The archive's schema revision (None for a new or foreign file), in plain SQL."""
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        rows = connection.execute(text("SELECT version_num FROM alembic_version")).all()
    return rows[0][0] if len(rows) == 1 else None


def migrate(
    engine: Engine, reader: Engine | None = None, upgrading: Callable[[], None] | None = None
) -> None:
    """Bring the archive's schema to the newest revision (a no-op when it is current);
    `upgrading` is told first when there is work to do (a window says so: it may take
    minutes on a large archive).

    The revision is read through `reader` when given, so opening a current archive never
    waits for the write lock another program may hold.
    """
    if current_revision(reader or engine) == HEAD_REVISION:
        return
    if upgrading is not None:
        upgrading()
    from alembic import command
    from alembic.util.exc import CommandError

    config = _alembic_config()
    try:
        with engine.begin() as connection:
            if connection.dialect.name == "postgresql":  # clients opening at once take turns
                connection.execute(text("SELECT pg_advisory_xact_lock(:key)"),
                                   {"key": MIGRATION_LOCK})  # fmt: skip
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
    except CommandError as error:
        raise MigrationError(str(error)) from error


def bulk_insert(connection: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert many rows (a copy between archives): through COPY on PostgreSQL, several
    times faster than one INSERT a row; an ordinary executemany elsewhere. Every row has
    the same keys. The sequences of explicit ids are left to `sync_id_sequences`."""
    if not rows:
        return
    if connection.dialect.name != "postgresql":
        connection.execute(table.insert(), rows)
        return
    import json as json_module

    from sqlalchemy import JSON

    names = list(rows[0])
    as_json = {name for name in names if isinstance(table.c[name].type, JSON)}
    quoted = ", ".join(f'"{name}"' for name in names)
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    with cursor.copy(f'COPY "{table.name}" ({quoted}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row([json_module.dumps(row[n]) if n in as_json and row[n] is not None
                            else row[n] for n in names])  # fmt: skip


def sync_id_sequences(connection: Connection, tables: Iterable[str] | None = None) -> None:
    """`set_sequence_past` for every table with an id of its own (or these): after a copy
    inserted rows under their ids."""
    from newsreader.core.models import Base

    for name in tables or [t.name for t in Base.metadata.sorted_tables]:
        table = Base.metadata.tables[name]
        if "id" in table.c and table.c.id.autoincrement:
            set_sequence_past(connection, name)


def create_trigger(
    connection: Connection, name: str, when: str, table: str, statement: str
) -> None:
    """A row trigger running one SQL statement (which may use `new.` and `old.`) after
    `when` ("INSERT", "DELETE", "UPDATE OF a, b") on `table`: SQLite's trigger, or on
    PostgreSQL a plpgsql function of the same name and a trigger calling it."""
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(
            f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN {statement}; RETURN NULL; END $$"
        )
        connection.exec_driver_sql(
            f"CREATE TRIGGER {name} AFTER {when} ON {table} FOR EACH ROW EXECUTE FUNCTION {name}()"
        )
    else:
        connection.exec_driver_sql(
            f"CREATE TRIGGER {name} AFTER {when} ON {table} BEGIN {statement}; END"
        )


def drop_trigger(connection: Connection, name: str, table: str) -> None:
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name} ON {table}")
        connection.exec_driver_sql(f"DROP FUNCTION IF EXISTS {name}()")
    else:
        connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name}")
