"""A throwaway PostgreSQL server for tests and benchmarks (Debian's postgresql-15 binaries).

`initdb` and `pg_ctl` refuse to run as root, and CI runs as root: then the server runs as
an unprivileged system user (`postgres`, else `nobody`) through `runuser`, in a temporary
folder handed to that user. It listens on 127.0.0.1 on a free port with `trust`
authentication (nothing else can reach it), tuned for speed over durability, and is
stopped (and its folder removed) by `stop`, also when the process exits without it.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path

PG_BIN = Path(os.environ.get("NEWSREADER_PG_BIN", "/usr/lib/postgresql/15/bin"))
SUPERUSER = "newsreader"
UNPRIVILEGED_USERS = ("postgres", "nobody")
START_TIMEOUT_S = 60
# A throwaway server: nothing has to survive a crash, so nothing waits for the disk.
FAST_SETTINGS = {
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "200",
    "shared_buffers": "64MB",
}


class ServerUnavailable(RuntimeError):
    """The binaries are missing or the server did not start; says which and why."""


def binaries_present() -> bool:
    return (PG_BIN / "initdb").exists() and (PG_BIN / "pg_ctl").exists()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _run_as() -> str | None:
    """The user to run the server as: None (ourselves) unless we are root."""
    if os.geteuid() != 0:
        return None
    for name in UNPRIVILEGED_USERS:
        try:
            pwd.getpwnam(name)
            return name
        except KeyError:
            continue
    raise ServerUnavailable(f"running as root and none of {UNPRIVILEGED_USERS} exists")


class PostgresServer:
    """One running server; `url(database)` addresses a database on it."""

    def __init__(self, folder: Path, port: int, user: str | None) -> None:
        self.folder = folder
        self.port = port
        self.user = user
        self.data = folder / "data"

    @classmethod
    def start(cls) -> PostgresServer:
        if not binaries_present():
            raise ServerUnavailable(
                f"PostgreSQL binaries not found in {PG_BIN} (apt-get install postgresql-15)"
            )
        user = _run_as()
        folder = Path(tempfile.mkdtemp(prefix="newsreader-pg-"))
        if user is not None:
            entry = pwd.getpwnam(user)
            os.chown(folder, entry.pw_uid, entry.pw_gid)
        server = cls(folder, _free_port(), user)
        try:
            server._initdb()
            server._pg_ctl("start", "-w", "-t", str(START_TIMEOUT_S), "-l",
                           str(folder / "server.log"), "-o", server._options())  # fmt: skip
        except (subprocess.CalledProcessError, OSError) as error:
            log = server.log_tail()
            server.stop()
            raise ServerUnavailable(f"PostgreSQL did not start: {error}\n{log}") from error
        atexit.register(server.stop)
        return server

    def _command(self, *args: str) -> list[str]:
        return ["runuser", "-u", self.user, "--", *args] if self.user else list(args)

    def _initdb(self) -> None:
        subprocess.run(
            self._command(str(PG_BIN / "initdb"), "-D", str(self.data), "-U", SUPERUSER,
                          "--auth=trust", "--no-sync", "-E", "UTF8", "--locale=C.UTF-8"),
            check=True, capture_output=True, text=True, cwd=self.folder,
        )  # fmt: skip

    def _options(self) -> str:
        settings = {**FAST_SETTINGS, "port": str(self.port), "listen_addresses": "127.0.0.1",
                    "unix_socket_directories": str(self.folder)}  # fmt: skip
        return " ".join(f"-c {name}={value}" for name, value in settings.items())

    def _pg_ctl(self, *args: str) -> None:
        subprocess.run(
            self._command(str(PG_BIN / "pg_ctl"), "-D", str(self.data), *args),
            check=True, capture_output=True, text=True, cwd=self.folder,
            timeout=START_TIMEOUT_S + 10,
        )  # fmt: skip

    def log_tail(self, lines: int = 20) -> str:
        log = self.folder / "server.log"
        try:
            return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def url(self, database: str = "postgres", driver: str = "postgresql") -> str:
        return f"{driver}://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def execute(self, *statements: str, database: str = "postgres") -> None:
        """Run statements outside a transaction (CREATE/DROP DATABASE need that)."""
        import psycopg

        with psycopg.connect(self.url(database), autocommit=True) as connection:
            for statement in statements:
                connection.execute(statement.encode())

    def create_database(self, template: str | None = None) -> str:
        """A new empty database (a copy of `template` when given); its name."""
        name = f"db_{uuid.uuid4().hex[:12]}"
        # FILE_COPY: a small template copies faster than through the WAL (the default)
        copy = f' TEMPLATE "{template}" STRATEGY FILE_COPY' if template else ""
        self.execute(f'CREATE DATABASE "{name}"{copy}')
        return name

    def drop_database(self, name: str) -> None:
        self.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def pause(self) -> None:
        """Stop the server but keep its data, as a restart or an outage would."""
        self._pg_ctl("stop", "-m", "fast", "-w")

    def resume(self) -> None:
        """Start a paused server again on the same port, with the same data."""
        self._pg_ctl("start", "-w", "-t", str(START_TIMEOUT_S), "-l",
                     str(self.folder / "server.log"), "-o", self._options())  # fmt: skip

    def stop(self) -> None:
        """Stop the server (immediately: nothing in it is kept) and remove its folder."""
        if (self.data / "postmaster.pid").exists():
            with contextlib.suppress(subprocess.SubprocessError, OSError):
                self._pg_ctl("stop", "-m", "immediate", "-w")
        shutil.rmtree(self.folder, ignore_errors=True)
