"""Opening an archive: SQLite in WAL mode, foreign keys on, a busy timeout, migrated.

Two engines over one file: reads use deferred transactions, writes use BEGIN IMMEDIATE
so a writer takes the lock up front instead of failing with "database is locked" when
it upgrades from reading to writing while another process writes.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.exc import OperationalError

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
# The newest migration's id. Opening an archive compares it with the archive's revision,
# so Alembic (0.3 s to import) loads only when a migration is due; a test checks that it
# is the head of migrations/versions.
HEAD_REVISION = "0009"
BUSY_TIMEOUT_MS = 15_000


class MigrationError(Exception):
    """The archive's schema cannot be brought to this version (e.g. made by a newer one)."""


def _configure_sqlite(engine: Engine, begin: str) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin, so
        # SAVEPOINTs work (per-item savepoints in bulk imports).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
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
