"""annotations, and the search index follows them

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

from newsreader.core.db import create_trigger, drop_trigger

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "annotations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("start", sa.Integer(), nullable=True),
        sa.Column("end", sa.Integer(), nullable=True),
        sa.Column("exact", sa.Text(), nullable=False),
        sa.Column("prefix", sa.Text(), nullable=False),
        sa.Column("suffix", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("color", sa.String(length=16), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f("fk_annotations_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_annotations")),
        sa.UniqueConstraint("uuid", name=op.f("uq_annotations_uuid")),
    )
    with op.batch_alter_table("annotations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_annotations_article_id"), ["article_id"])
        batch_op.create_index(batch_op.f("ix_annotations_color"), ["color"])
    for event, row in (("INSERT", "new"), ("UPDATE", "new"), ("DELETE", "old")):
        statement = f"INSERT INTO search_queue (article_id) VALUES ({row}.article_id)"
        create_trigger(op.get_bind(), f"search_queue_annotation_{event.lower()}", event,
                       "annotations", statement)  # fmt: skip


def downgrade() -> None:
    for event in ("insert", "update", "delete"):
        drop_trigger(op.get_bind(), f"search_queue_annotation_{event}", "annotations")
    op.drop_table("annotations")
