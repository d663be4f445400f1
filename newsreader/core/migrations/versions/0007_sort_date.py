"""articles.sort_date (published, else saved), indexed alone and per section

Added in place (ALTER TABLE ADD COLUMN): rebuilding `articles` would break the search
queue's triggers and copy every row of a large archive.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "articles",
        sa.Column("sort_date", sa.DateTime(), nullable=False, server_default="1970-01-01"),
    )
    op.execute("UPDATE articles SET sort_date = coalesce(published_at, saved_at)")
    op.create_index("ix_articles_sort_date", "articles", ["sort_date", "id"])
    op.create_index("ix_articles_section_sort_date", "articles", ["section_id", "sort_date", "id"])


def downgrade() -> None:
    op.drop_index("ix_articles_section_sort_date", "articles")
    op.drop_index("ix_articles_sort_date", "articles")
    op.drop_column("articles", "sort_date")  # in place: a rebuild would break the triggers
