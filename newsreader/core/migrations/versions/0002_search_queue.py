"""search queue: triggers queue every article change for the search index

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

INDEXED_COLUMNS = "title, byline, text, section_id, source_id, published_at, is_read, is_starred"


def upgrade() -> None:
    op.create_table(
        "search_queue",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_search_queue")),
    )
    op.execute(
        "CREATE TRIGGER search_queue_insert AFTER INSERT ON articles BEGIN "
        "INSERT INTO search_queue (article_id) VALUES (new.id); END"
    )
    op.execute(
        f"CREATE TRIGGER search_queue_update AFTER UPDATE OF {INDEXED_COLUMNS} ON articles "
        "BEGIN INSERT INTO search_queue (article_id) VALUES (new.id); END"
    )
    op.execute(
        "CREATE TRIGGER search_queue_delete AFTER DELETE ON articles BEGIN "
        "INSERT INTO search_queue (article_id) VALUES (old.id); END"
    )
    # Sections and sources are indexed by name: renaming one re-indexes its articles.
    op.execute(
        "CREATE TRIGGER search_queue_section AFTER UPDATE OF name, key ON sections BEGIN "
        "INSERT INTO search_queue (article_id) SELECT id FROM articles "
        "WHERE section_id = new.id; END"
    )
    op.execute(
        "CREATE TRIGGER search_queue_source AFTER UPDATE OF name, key ON sources BEGIN "
        "INSERT INTO search_queue (article_id) SELECT id FROM articles "
        "WHERE source_id = new.id; END"
    )
    for event, row in (("INSERT", "new"), ("DELETE", "old")):
        op.execute(
            f"CREATE TRIGGER search_queue_tag_{event.lower()} AFTER {event} ON article_tags "
            f"BEGIN INSERT INTO search_queue (article_id) VALUES ({row}.article_id); END"
        )
    # Archives made before search existed get every article queued once.
    op.execute("INSERT INTO search_queue (article_id) SELECT id FROM articles")


def downgrade() -> None:
    for name in ("insert", "update", "delete", "section", "source", "tag_insert", "tag_delete"):
        op.execute(f"DROP TRIGGER IF EXISTS search_queue_{name}")
    op.drop_table("search_queue")
