"""Provenance of each article's body: extractor, confidence, "may be incomplete"

Added in place (ALTER TABLE ADD COLUMN), like 0007: rebuilding `articles` would break
the search queue's triggers and copy every row of a large archive. Articles saved before
have no provenance (NULL) and are not flagged.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("articles", sa.Column("extractor", sa.String(length=40), nullable=True))
    op.add_column("articles", sa.Column("extraction_confidence", sa.Float(), nullable=True))
    op.add_column(
        "articles",
        sa.Column("may_be_incomplete", sa.Boolean(), nullable=False, server_default="0"),
    )


def downgrade() -> None:
    # In place too (SQLite >= 3.35): a batch rebuild of `articles` breaks its triggers.
    for column in ("may_be_incomplete", "extraction_confidence", "extractor"):
        op.execute(f"ALTER TABLE articles DROP COLUMN {column}")
