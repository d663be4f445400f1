"""The codebook: codes (a tree), codings of highlights, and each highlight's coder

The five highlight colours become the first five codes, and every existing highlight is
coded by its colour, so nothing a reader marked loses its meaning. Changes to codings and
code names queue the articles concerned for the search index (`code:NAME`).

Revision ID: 0010
Revises: 0008
Create Date: 2026-11-30
"""

import uuid
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from newsreader.core.db import create_trigger, drop_trigger

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

DEFAULT_CODES = (
    ("yellow", "#ffe58a"), ("green", "#b8f0b0"), ("blue", "#b5dcff"), ("pink", "#ffc2dc"),
    ("purple", "#dcc8ff"),
)  # fmt: skip
_QUEUE_CODED = (
    "INSERT INTO search_queue (article_id) SELECT article_id FROM annotations "
    "WHERE id = {row}.annotation_id"
)


def upgrade() -> None:
    op.add_column(
        "annotations",
        sa.Column("coder", sa.String(length=120), nullable=False, server_default=""),
    )
    codes = op.create_table(
        "codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("color", sa.String(length=16), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["parent_id"], ["codes.id"], name=op.f("fk_codes_parent_id_codes"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_codes")),
        sa.UniqueConstraint("name", name=op.f("uq_codes_name")),
        sa.UniqueConstraint("uuid", name=op.f("uq_codes_uuid")),
    )  # fmt: skip
    op.create_index(op.f("ix_codes_parent_id"), "codes", ["parent_id"])
    op.create_table(
        "annotation_codes",
        sa.Column("annotation_id", sa.Integer(), nullable=False),
        sa.Column("code_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["annotation_id"], ["annotations.id"],
            name=op.f("fk_annotation_codes_annotation_id_annotations"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["code_id"], ["codes.id"], name=op.f("fk_annotation_codes_code_id_codes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("annotation_id", "code_id", name=op.f("pk_annotation_codes")),
    )  # fmt: skip
    op.create_index(op.f("ix_annotation_codes_code_id"), "annotation_codes", ["code_id"])
    now = datetime.now(UTC).replace(tzinfo=None)
    op.bulk_insert(codes, [
        {"uuid": str(uuid.uuid4()), "name": name, "color": color, "description": "",
         "parent_id": None, "position": position, "created_at": now}
        for position, (name, color) in enumerate(DEFAULT_CODES)
    ])  # fmt: skip
    op.execute(
        "INSERT INTO annotation_codes (annotation_id, code_id) "
        "SELECT annotations.id, codes.id FROM annotations "
        "JOIN codes ON codes.name = annotations.color"
    )
    bind = op.get_bind()
    for event, row in (("INSERT", "new"), ("DELETE", "old")):
        create_trigger(bind, f"search_queue_coding_{event.lower()}", event, "annotation_codes",
                       _QUEUE_CODED.format(row=row))  # fmt: skip
    create_trigger(
        bind, "search_queue_code_name", "UPDATE OF name", "codes",
        "INSERT INTO search_queue (article_id) SELECT annotations.article_id FROM annotations "
        "JOIN annotation_codes ON annotation_codes.annotation_id = annotations.id "
        "WHERE annotation_codes.code_id = new.id",
    )  # fmt: skip


def downgrade() -> None:
    for trigger, table in (
        ("coding_insert", "annotation_codes"),
        ("coding_delete", "annotation_codes"),
        ("code_name", "codes"),
    ):
        drop_trigger(op.get_bind(), f"search_queue_{trigger}", table)  # fmt: skip
    op.drop_index(op.f("ix_annotation_codes_code_id"), "annotation_codes")
    op.drop_table("annotation_codes")
    op.drop_index(op.f("ix_codes_parent_id"), "codes")
    op.drop_table("codes")
    op.drop_column("annotations", "coder")  # in place: a rebuild would drop its triggers
