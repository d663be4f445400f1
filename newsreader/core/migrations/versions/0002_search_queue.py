"""search queue: triggers queue every article change for the search index

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

from newsreader.core.db import create_trigger, drop_trigger

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

INDEXED_COLUMNS = "title, byline, text, section_id, source_id, published_at, is_read, is_starred"
TRIGGERS = (("insert", "articles"), ("update", "articles"), ("delete", "articles"),
            ("section", "sections"), ("source", "sources"), ("tag_insert", "article_tags"),
            ("tag_delete", "article_tags"))  # fmt: skip


def upgrade() -> None:
    op.create_table(
        "search_queue",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_search_queue")),
    )
    bind = op.get_bind()
    queue = "INSERT INTO search_queue (article_id) "
    create_trigger(bind, "search_queue_insert", "INSERT", "articles", queue + "VALUES (new.id)")
    create_trigger(bind, "search_queue_update", f"UPDATE OF {INDEXED_COLUMNS}", "articles",
                   queue + "VALUES (new.id)")  # fmt: skip
    create_trigger(bind, "search_queue_delete", "DELETE", "articles", queue + "VALUES (old.id)")
    # Sections and sources are indexed by name: renaming one re-indexes its articles.
    create_trigger(bind, "search_queue_section", "UPDATE OF name, key", "sections",
                   queue + "SELECT id FROM articles WHERE section_id = new.id")  # fmt: skip
    create_trigger(bind, "search_queue_source", "UPDATE OF name, key", "sources",
                   queue + "SELECT id FROM articles WHERE source_id = new.id")  # fmt: skip
    for event, row in (("INSERT", "new"), ("DELETE", "old")):
        create_trigger(bind, f"search_queue_tag_{event.lower()}", event, "article_tags",
                       queue + f"VALUES ({row}.article_id)")  # fmt: skip
    # Archives made before search existed get every article queued once.
    op.execute("INSERT INTO search_queue (article_id) SELECT id FROM articles")


def downgrade() -> None:
    for name, table in TRIGGERS:
        drop_trigger(op.get_bind(), f"search_queue_{name}", table)
    op.drop_table("search_queue")
