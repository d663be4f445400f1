"""Opening archives: the schema revision check that keeps Alembic out of ordinary starts."""

import subprocess
import sys
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy.exc import OperationalError, ProgrammingError

from newsreader.core import db
from newsreader.core.archive import Archive
from tests.factories import make_article


def test_the_head_revision_constant_names_the_newest_migration() -> None:
    assert db.head_revision() == db.HEAD_REVISION


def test_a_new_archive_is_at_the_head_revision(archive: Archive) -> None:
    assert db.current_revision(archive.reader) == db.HEAD_REVISION


def test_opening_a_current_archive_does_not_load_alembic(tmp_path: Path) -> None:
    path = tmp_path / "a.sqlite3"
    Archive(path).close()  # created and migrated here
    script = (
        "import sys\n"
        "from newsreader.core.archive import Archive\n"
        f"with Archive({str(path)!r}) as archive:\n"
        "    archive.list_articles()\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'alembic', 'tantivy'}))"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            check=True)  # fmt: skip
    assert result.stdout.strip() == "[]"


def test_an_archive_behind_the_head_revision_is_migrated_on_opening(tmp_path: Path) -> None:
    path = tmp_path / "a.sqlite3"
    Archive(path).close()
    reader, writer = db.create_engines(path)
    config = db._alembic_config()
    with writer.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "-1")
    assert db.current_revision(reader) != db.HEAD_REVISION
    reader.dispose()
    writer.dispose()
    with Archive(path) as archive:
        assert db.current_revision(archive.reader) == db.HEAD_REVISION
        assert archive.count() == 0


def _downgrade(archive: Archive, revision: str) -> None:
    config = db._alembic_config()
    with archive.writer.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


def test_an_older_archive_is_upgraded_on_either_store_and_keeps_its_articles(
    archive: Archive,
) -> None:
    article_id = archive.save(make_article("Kept through", ("Upgrades keep this.",))).article_id
    archive.annotations.create_from_quote(article_id, "Upgrades", note="mine")
    _downgrade(archive, "0009")  # before the codebook, provenance and the change log
    assert db.current_revision(archive.reader) == "0009"
    archive.close()
    with Archive(archive.name) as again:
        assert db.current_revision(again.reader) == db.HEAD_REVISION
        assert [a.title for a in again.list_articles()] == ["Kept through"]
        assert [a.note for a in again.annotations.list(article_id)] == ["mine"]
        assert [hit.id for hit in again.search.find("upgrades").hits] == [article_id]


def test_every_migration_goes_down_and_up_again_on_either_store(archive: Archive) -> None:
    _downgrade(archive, "base")
    assert db.current_revision(archive.reader) is None
    archive.close()
    with Archive(archive.name) as again:
        assert db.current_revision(again.reader) == db.HEAD_REVISION
        assert again.save(make_article("After", ("a round trip",))).status == "saved"


@pytest.mark.parametrize(
    ("message", "kind"),
    [("database is locked", "busy"), ("deadlock detected", "busy"),
     ("could not serialize access due to concurrent update", "busy"),
     ("canceling statement due to lock timeout", "busy"),
     ("could not extend file: No space left on device", "full"),
     ("database or disk is full", "full"),
     ("attempt to write a readonly database", "read-only"),
     ("cannot execute INSERT in a read-only transaction", "read-only"),
     ('connection to server at "127.0.0.1", port 5432 failed: Connection refused',
      "unreachable"),
     ("consuming input failed: server closed the connection unexpectedly", "unreachable"),
     ("terminating connection due to administrator command", "unreachable"),
     ('connection to server at "127.0.0.1", port 5432 failed: FATAL:  the database system '
      "is shutting down", "unreachable"),
     ("FATAL:  the database system is starting up", "unreachable"),
     ("no such column: x", None)],
)  # fmt: skip
def test_what_a_failed_write_says_about_the_archive_on_either_store(
    message: str, kind: str | None
) -> None:
    assert db.write_failure(OperationalError("INSERT", {}, Exception(message))) == kind


def test_a_rollback_failing_after_a_lost_connection_says_the_connection_was_lost() -> None:
    from sqlalchemy.exc import PendingRollbackError

    lost = OperationalError("SELECT", {}, Exception("server closed the connection unexpectedly"))
    try:
        try:
            raise lost
        except OperationalError:
            raise PendingRollbackError("Can't reconnect until invalid transaction is rolled back")  # noqa: B904  (as SQLAlchemy raises it: implicitly chained)
    except PendingRollbackError as hiding:
        assert db.write_failure(hiding) == "unreachable"
    assert db.write_failure(PendingRollbackError("no failure behind it")) is None


def test_a_refusal_by_the_servers_rules_is_forbidden_whatever_the_statement() -> None:
    class Refusal(Exception):
        sqlstate = "42501"  # what psycopg reports for a GRANT or a policy saying no

    refused = ProgrammingError("INSERT", {}, Refusal("permission denied for table notes"))
    assert db.write_failure(refused) == "forbidden"


def test_an_address_is_shown_and_remembered_without_its_password() -> None:
    from newsreader.core import db

    shown = db.public_address("postgresql://maria:s3cret@db.example.org:5433/news?sslmode=require")
    assert shown == "postgresql://maria@db.example.org:5433/news?sslmode=require"
