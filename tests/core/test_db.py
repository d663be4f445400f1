"""Opening archives: the schema revision check that keeps Alembic out of ordinary starts."""

import subprocess
import sys
from pathlib import Path

from alembic import command

from newsreader.core import db
from newsreader.core.archive import Archive


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


def test_an_address_is_shown_and_remembered_without_its_password() -> None:
    from newsreader.core import db

    shown = db.public_address("postgresql://maria:s3cret@db.example.org:5433/news?sslmode=require")
    assert shown == "postgresql://maria@db.example.org:5433/news?sslmode=require"
