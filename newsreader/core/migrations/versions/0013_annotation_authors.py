"""Who made each highlight, and a revision number that catches two edits of one note

`author` is the member who made the highlight in this archive — the PostgreSQL role on a
team archive, the name set in Preferences on a personal one — which the team archive's
row-level security compares with the member editing it. `coder` stays what it was: who
coded it, which an import may name. `revision` counts the edits: a save that started from
an older revision is a conflict, never a silent overwrite. Highlights made before are the
coder's.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "annotations",
        sa.Column("author", sa.String(length=120), nullable=False, server_default=""),
    )
    op.add_column(
        "annotations", sa.Column("revision", sa.Integer(), nullable=False, server_default="1")
    )
    op.execute("UPDATE annotations SET author = coder")
    op.create_index(op.f("ix_annotations_author"), "annotations", ["author"])


def downgrade() -> None:
    op.drop_index(op.f("ix_annotations_author"), table_name="annotations")
    for column in ("revision", "author"):
        op.execute(f"ALTER TABLE annotations DROP COLUMN {column}")
