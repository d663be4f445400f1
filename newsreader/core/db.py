"""Opening an archive: SQLite in WAL mode, foreign keys on, a busy timeout, migrated.

Two engines over one file: reads use deferred transactions, writes use BEGIN IMMEDIATE
so a writer takes the lock up front instead of failing with "database is locked" when
it upgrades from reading to writing while another process writes.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import quote

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.exc import OperationalError

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
# The newest migration's id. Opening an archive compares it with the archive's revision,
# so Alembic (0.3 s to import) loads only when a migration is due; a test checks that it
# is the head of migrations/versions.
HEAD_REVISION = "0013"
BUSY_TIMEOUT_MS = 15_000


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


WriteFailure = Literal["busy", "full", "read-only"]


def write_failure(error: BaseException) -> WriteFailure | None:
    """What a database error says about the archive as a whole — held by another writer,
    its disk full, not writable — or None when it concerns only the statement at hand."""
    if not isinstance(error, OperationalError):
        return None
    message = str(error.orig).lower()
    if "locked" in message or "busy" in message:
        return "busy"
    if "full" in message:
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
    ours = {"alembic_version", "articles"} <= set(tables)
    return [] if not tables or ours else sorted(tables)


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
        try:
            rows = connection.execute(text("SELECT version_num FROM alembic_version")).all()
        except OperationalError as error:
            if "no such table" in str(error):
                return None
            raise
    return rows[0][0] if len(rows) == 1 else None


def migrate(engine: Engine, reader: Engine | None = None) -> None:
    """Bring the archive's schema to the newest revision (a no-op when it is current).

    The revision is read through `reader` when given, so opening a current archive never
    waits for the write lock another program may hold.
    """
    if current_revision(reader or engine) == HEAD_REVISION:
        return
    from alembic import command
    from alembic.util.exc import CommandError

    config = _alembic_config()
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
    except CommandError as error:
        raise MigrationError(str(error)) from error


def sync_id_sequences(connection: Connection, tables: Iterable[str] | None = None) -> None:
    """After rows were inserted with explicit ids (a copy, a restore), make the next id
    each table hands out follow them. SQLite takes the largest id by itself; PostgreSQL's
    sequences must be moved on."""
    if connection.dialect.name != "postgresql":
        return
    from newsreader.core.models import Base

    for name in tables or [t.name for t in Base.metadata.sorted_tables]:
        table = Base.metadata.tables[name]
        if "id" not in table.c or not table.c.id.autoincrement:
            continue
        connection.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                f"coalesce((SELECT max(id) FROM {name}), 0) + 1, false)"
            )
        )
