"""articles.sort_title (case- and accent-folded, indexed); undated articles' sort_date
moved below every dated one (see newsreader/core/sorting.py); an index covering the
columns of a list row, so a page of search hits never reads the articles' texts

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

from newsreader.core.sorting import UNDATED_SHIFT, title_key

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

BATCH = 10_000
# as in newsreader/core/models.py (a migration keeps its own copy: models change later)
LIST_ROW_COLUMNS = ("id", "title", "section_id", "source_id", "published_at", "saved_at",
                    "is_read", "is_starred")  # fmt: skip


def upgrade() -> None:
    op.add_column("articles", sa.Column("sort_title", sa.Text(), nullable=False, server_default=""))
    bind = op.get_bind()
    last = 0
    while True:  # in batches: titles are folded in Python, the same code saving uses
        rows = bind.execute(
            sa.text("SELECT id, title FROM articles WHERE id > :last ORDER BY id LIMIT :n"),
            {"last": last, "n": BATCH},
        ).all()
        if not rows:
            break
        bind.execute(
            sa.text("UPDATE articles SET sort_title = :key WHERE id = :id"),
            [{"id": i, "key": title_key(title)} for i, title in rows],
        )
        last = rows[-1][0]
    undated = bind.execute(
        sa.text("SELECT id, saved_at FROM articles WHERE published_at IS NULL").columns(
            sa.column("id", sa.Integer), sa.column("saved_at", sa.DateTime)
        )
    ).all()
    if undated:
        bind.execute(
            sa.text("UPDATE articles SET sort_date = :key WHERE id = :id").bindparams(
                sa.bindparam("key", type_=sa.DateTime)
            ),
            [{"id": i, "key": saved - UNDATED_SHIFT} for i, saved in undated],
        )
    op.create_index("ix_articles_sort_title", "articles", ["sort_title", "id"])
    op.create_index("ix_articles_list_row", "articles", list(LIST_ROW_COLUMNS))


def downgrade() -> None:
    op.drop_index("ix_articles_list_row", "articles")
    op.drop_index("ix_articles_sort_title", "articles")
    op.execute("UPDATE articles SET sort_date = coalesce(published_at, saved_at)")
    op.drop_column("articles", "sort_title")  # in place: a rebuild would break the triggers
